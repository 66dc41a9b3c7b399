#!/usr/bin/python3
"""amphi against a Linux VM under the same QEMU, in the same run.

Measures, for the static program build/progs/hello ("hello from amphi" written
at the top of main):
  boot-to-main  host wall time from spawning the VM to the first byte of the
                program's output reaching the host;
  boot-to-exit  host wall time from spawning the VM to the VM process exiting;
  image size    the kernel image each boots;
  least memory  the smallest -m (MiB) with which hello runs to completion.
Both VMs: QEMU TCG, -M pc, -smp 1,maxcpus=2.  The method is in docs/bench.md.
Prints a table with amphi/Linux ratios and the project's targets; the targets
are printed, never asserted.
"""

import argparse
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from cpio import write_newc
import netbench
import netscale
import diskbench
import fsbench
import procbench
import serverbench
import startup
import switchbench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = b"hello from amphi"
QEMU = "qemu-system-x86_64"
TIMING_MEM = 128  # MiB, the same for both VMs in the timing runs


class RunError(Exception):
    """A VM run that did not show the marker and exit as expected."""


class Refused(RunError):
    """amphi refused the command line (status 2) without booting."""


# ---- running a process and timing its output --------------------------------

def timed_run(argv, timeout, marker=MARKER):
    """Spawns argv with stdout+stderr on one pipe and stdin closed.

    Returns (t_marker, t_exit, status, output): seconds from spawn to the
    read that completed `marker` (None if it never came) and to the process's
    exit.  Kills the process group and raises RunError after `timeout` s.
    """
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    out = bytearray()
    t_marker = None
    fd = p.stdout.fileno()
    try:
        while True:
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                raise RunError("timed out after %ds; output ends with: %r"
                               % (timeout, bytes(out[-300:])))
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
            if t_marker is None and marker in out:
                t_marker = time.monotonic() - t0
        status = p.wait(timeout=max(1, timeout - (time.monotonic() - t0)))
        t_exit = time.monotonic() - t0
    except (RunError, subprocess.TimeoutExpired) as e:
        kill_group(p)
        if isinstance(e, subprocess.TimeoutExpired):
            raise RunError("did not exit within %ds" % timeout)
        raise
    finally:
        p.stdout.close()
    return t_marker, t_exit, status, bytes(out)


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


# ---- the Linux side -----------------------------------------------------------

INIT_SCRIPT = b"""#!/bin/busybox sh
/hello
/bin/busybox poweroff -f
"""


def build_initramfs(path, hello, busybox):
    """/init (a busybox sh script: run /hello, then power off), /bin/busybox,
    /hello and /dev/console.  Uncompressed, so the kernel spends no time
    decompressing it."""
    with open(hello, "rb") as f:
        hello_data = f.read()
    with open(busybox, "rb") as f:
        busybox_data = f.read()
    entries = [
        ("bin", 0o040755, b"", (0, 0)),
        ("dev", 0o040755, b"", (0, 0)),
        ("dev/console", 0o020600, b"", (5, 1)),
        ("proc", 0o040755, b"", (0, 0)),
        ("bin/busybox", 0o100755, busybox_data, (0, 0)),
        ("hello", 0o100755, hello_data, (0, 0)),
        ("init", 0o100755, INIT_SCRIPT, (0, 0)),
    ]
    write_newc(path, entries)


# On microvm, the devices amphi's VM has (tools/amphi/qemu.c); Linux also
# needs the TSC's rate there (tsc_early_khz), having nothing to measure it by.
MICROVM = "microvm,x-option-roms=off,rtc=on,pit=on,pic=off,isa-serial=on,acpi=on"


def linux_argv(vmlinuz, initrd, mem_mib, machine="pc", tsc_khz=None):
    append = "console=ttyS0 quiet panic=-1"
    if machine == "microvm":
        append += " tsc_early_khz=%d" % tsc_khz
    return [QEMU, "-M", MICROVM if machine == "microvm" else machine, "-accel", "tcg",
            "-cpu", "max", "-smp", "1,maxcpus=2",
            "-m", "%dM" % mem_mib, "-display", "none", "-nodefaults", "-no-reboot",
            "-serial", "stdio", "-kernel", vmlinuz, "-initrd", initrd, "-append", append]


def linux_once(vmlinuz, initrd, mem_mib, timeout, machine="pc", tsc_khz=None):
    t_main, t_exit, status, out = timed_run(linux_argv(vmlinuz, initrd, mem_mib, machine,
                                                       tsc_khz), timeout)
    if t_main is None:
        raise RunError("Linux VM (-m %dM) exited with status %d without printing %r; "
                       "output ends with: %r" % (mem_mib, status, MARKER, out[-300:]))
    if status != 0:
        raise RunError("Linux VM exited with status %d after the program ran" % status)
    return t_main, t_exit


# ---- the amphi side -----------------------------------------------------------

def amphi_argv(amphi, hello, mem_kib=None, machine="pc"):
    argv = [amphi, "run", "--accel", "tcg", "--machine", machine, "--smp", "1"]
    if mem_kib is not None:
        argv += ["-m", "%dK" % mem_kib]
    return argv + [hello]


def amphi_once(amphi, hello, mem_kib, timeout, machine="pc"):
    t_main, t_exit, status, out = timed_run(amphi_argv(amphi, hello, mem_kib, machine), timeout)
    if t_main is None or status != 0:
        error = Refused if status == 2 else RunError
        raise error("amphi run%s exited with status %d; output: %r"
                    % (" -m %dK" % mem_kib if mem_kib else "", status, out[-300:]))
    return t_main, t_exit


# ---- measurements -------------------------------------------------------------

def medians(fn, runs, log):
    mains, exits = [], []
    for _ in range(runs):
        t_main, t_exit = fn()
        log("  main %.3f s, exit %.3f s" % (t_main, t_exit))
        mains.append(t_main)
        exits.append(t_exit)
    return statistics.median(mains), statistics.median(exits)


def least_memory(works, lo, hi, step=1):
    """Smallest m in (lo, hi], a multiple of step, with works(m), given
    works(hi) and not works(lo).  Returns None if works(hi) is false."""
    if not works(hi):
        return None
    while hi - lo > step:
        mid = (lo + hi) // 2 // step * step
        if works(mid):
            hi = mid
        else:
            lo = mid
    return hi


def probe(fn, label, log, refused=None):
    """Runs fn once: True if it ran.  A Refused run is noted in `refused`."""
    try:
        fn()
        log("  %s: runs" % label)
        return True
    except RunError as e:
        log("  %s: fails (%s)" % (label, str(e).splitlines()[0][:120]))
        if isinstance(e, Refused) and refused is not None:
            refused.append(label)
        return False


def loaded_bytes(path):
    """Sum of p_filesz over PT_LOAD segments of an ELF64: what a loader copies."""
    with open(path, "rb") as f:
        img = f.read()
    if img[:4] != b"\x7fELF" or img[4] != 2:
        return None
    phoff = int.from_bytes(img[32:40], "little")
    phentsize = int.from_bytes(img[54:56], "little")
    phnum = int.from_bytes(img[56:58], "little")
    total = 0
    for i in range(phnum):
        ph = img[phoff + i * phentsize: phoff + (i + 1) * phentsize]
        if int.from_bytes(ph[0:4], "little") == 1:
            total += int.from_bytes(ph[32:40], "little")
    return total


# ---- report ---------------------------------------------------------------------

def fmt_s(x):
    return "%.3f s" % x if x is not None else "n/a"


def fmt_mib(x):
    return "%.2f MiB" % (x / 2**20) if x is not None else "n/a"


def fmt_m(x):
    return "%.4g MiB" % x if x is not None else "n/a"


def ratio(linux, amphi, higher_is_better=False):
    """How many times better amphi is than Linux ("n/a" when either is missing)."""
    if linux is None or amphi is None or amphi == 0 or linux == 0:
        return "n/a"
    r = amphi / linux if higher_is_better else linux / amphi
    return "%.1fx" % r


def boot_bench(args, qemu_version, vmlinuz, hello, busybox, amphi, amphi_elf, log, problems):
    """Boot time, image size and least memory of both; prints the table and
    returns the target lines."""
    res = {}
    tmp = tempfile.mkdtemp(prefix="amphi-bench-")
    try:
        initrd = os.path.join(tmp, "initramfs.cpio")
        build_initramfs(initrd, hello, busybox)

        log("Linux: boot to main/exit, -m %dM" % TIMING_MEM)
        try:
            res["linux_time"] = medians(
                lambda: linux_once(vmlinuz, initrd, TIMING_MEM, args.timeout), args.runs, log)
        except RunError as e:
            problems.append("Linux timing: %s" % e)
        log("Linux: least -m (binary search, MiB)")
        res["linux_mem"] = least_memory(
            lambda m: probe(lambda: linux_once(vmlinuz, initrd, m, args.timeout),
                            "-m %dM" % m, log), 8, 512)

        amphi_ok = not args.linux_only
        if amphi_ok:
            for what, path in (("host command", amphi), ("kernel", amphi_elf)):
                if not os.path.isfile(path):
                    problems.append("amphi: %s %s not built" % (what, path))
                    amphi_ok = False
        if amphi_ok:
            log("amphi: boot to main/exit, -m %dM" % TIMING_MEM)
            try:
                res["amphi_time"] = medians(
                    lambda: amphi_once(amphi, hello, TIMING_MEM * 1024, args.timeout),
                    args.runs, log)
            except RunError as e:
                problems.append("amphi timing: %s" % e)
                amphi_ok = False
        if amphi_ok:
            log("amphi: least -m (binary search, KiB in 64 KiB steps)")
            refused = []
            kib = least_memory(
                lambda m: probe(lambda: amphi_once(amphi, hello, m, args.timeout),
                                "-m %dK" % m, log, refused), 0, 128 * 1024, 64)
            res["amphi_mem"] = kib / 1024 if kib is not None else None
            res["amphi_mem_floor"] = bool(refused) and res["amphi_mem"] is not None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    lt = res.get("linux_time", (None, None))
    at = res.get("amphi_time", (None, None))
    amphi_file = os.path.getsize(amphi_elf) if os.path.isfile(amphi_elf) else None
    amphi_load = loaded_bytes(amphi_elf) if amphi_file else None
    linux_file = os.path.getsize(vmlinuz)

    rows = [
        ("boot to main (median)", fmt_s(at[0]), fmt_s(lt[0]), ratio(lt[0], at[0]),
         "amphi >= 20x faster"),
        ("boot to exit (median)", fmt_s(at[1]), fmt_s(lt[1]), ratio(lt[1], at[1]), ""),
        ("kernel image, file", fmt_mib(amphi_file), fmt_mib(linux_file),
         ratio(linux_file, amphi_file), ""),
        ("kernel image, loaded", fmt_mib(amphi_load), fmt_mib(linux_file),
         ratio(linux_file, amphi_load), "amphi < 1 MiB"),
        ("least -m to run hello",
         fmt_m(res.get("amphi_mem")) + (" (*)" if res.get("amphi_mem_floor") else ""),
         fmt_m(res.get("linux_mem")),
         ratio(res.get("linux_mem"), res.get("amphi_mem")), "amphi runs in < 8 MiB"),
    ]
    print_table("amphi vs Linux, %s, TCG, -M pc, -smp 1,maxcpus=2, program build/progs/hello"
                % qemu_version, rows)
    print("Linux: %s booting a busybox initramfs whose /init runs the program, then "
          "`poweroff -f`; image = the bzImage file." % os.path.basename(vmlinuz))
    print("Timings: -m %dM for both." % TIMING_MEM)
    print("amphi: `amphi run --accel tcg --machine pc --smp 1`; image = build/amphi.elf "
          "(file with debug info; loaded = PT_LOAD bytes).")
    if res.get("amphi_mem_floor"):
        print("(*) amphi refused smaller sizes as bad input (status 2): this is the smallest "
              "-m it accepts; the kernel itself may need less.")
    targets = []
    if at[0] is not None and lt[0] is not None:
        targets.append("boot to main %.1fx faster (target >= 20x): %s"
                       % (lt[0] / at[0], "met" if lt[0] / at[0] >= 20 else "NOT met"))
    if amphi_load is not None:
        targets.append("kernel loaded size %.2f MiB (target < 1 MiB): %s"
                       % (amphi_load / 2**20, "met" if amphi_load < 2**20 else "NOT met"))
    if res.get("amphi_mem") is not None:
        targets.append("hello needs -m %.4gM (target < 8M): %s"
                       % (res["amphi_mem"], "met" if res["amphi_mem"] < 8 else "NOT met"))
    return targets


def startup_bench(args, vmlinuz, hello, busybox, amphi, log, problems):
    """amphi's boot to main beside QEMU's floor and Linux, machine by
    machine (bench/startup.py)."""
    floor = os.path.join(ROOT, "build", "bench", "floor.elf")
    if not os.path.isfile(floor) or args.linux_only:
        if not args.linux_only:
            problems.append("startup: %s not built (run `make bench`)" % floor)
        return []
    tmp = tempfile.mkdtemp(prefix="amphi-bench-")
    try:
        initrd = os.path.join(tmp, "initramfs.cpio")
        build_initramfs(initrd, hello, busybox)
        setup = argparse.Namespace(
            amphi=amphi, hello=hello, floor=floor, runs=args.runs, timeout=args.timeout,
            sleep=os.path.join(ROOT, "build", "progs", "sleep"),
            amphi_main=lambda m: amphi_once(amphi, hello, None, args.timeout, m),
            timed=lambda argv, marker: timed_run(argv, args.timeout, marker)[:2],
            print_table=print_table,
            linux=lambda m, tsc: linux_once(vmlinuz, initrd, TIMING_MEM, args.timeout, m,
                                            tsc)[0])
        log("startup: QEMU's floor, amphi and Linux on %s" % ", ".join(startup.MACHINES))
        return startup.bench(setup, log, problems)
    except (RunError, subprocess.SubprocessError, RuntimeError) as e:
        problems.append("startup: %s" % e)
        return []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def print_table(title, rows, head=("", "amphi", "Linux 6.1", "amphi better by", "target")):
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    line = "  ".join("%%-%ds" % w for w in widths)
    print()
    print(title)
    print(line % head)
    for r in rows:
        print(line % r)
    print()


def proc_bench(args, vmlinuz, busybox, amphi, log, problems):
    """fork, exec, sh and a pipeline script, amphi against Linux
    (bench/procbench.py); prints the table and returns the target lines."""
    res = procbench.run_all(ROOT, amphi, vmlinuz, busybox, args.runs, args.timeout * 2, log,
                            problems, linux_only=args.linux_only)
    print_table("processes: build/progs/proc_bench in both, TCG, -M pc, -smp 1,maxcpus=2, "
                "-m %dM, median of %d runs" % (procbench.MEM_MIB, args.runs),
                procbench.rows(res, ratio))
    print("Each rate is counted by the guest over 1 s of its own clock; the script is busybox "
          "sh running `echo hello | busybox cat >/dev/null` 200 times (time taken).")
    return procbench.targets(res)


def disk_bench(args, vmlinuz, busybox, amphi, log, problems):
    """Raw virtio-blk disks, amphi against Linux (bench/diskbench.py);
    prints the table and returns the target lines."""
    res = diskbench.run_all(ROOT, amphi, vmlinuz, busybox, args.runs, args.timeout * 2, log,
                            problems, linux_only=args.linux_only)
    print_table("disks: build/progs/disk_bench on /dev/vda with O_DIRECT in both, TCG, -M pc, "
                "-smp 1,maxcpus=2, -m %dM, a %d MiB raw image, virtio-blk-pci (1 queue), "
                "median of %d runs" % (diskbench.MEM_MIB, diskbench.IMAGE_MIB, args.runs),
                diskbench.rows(res, ratio))
    print("Sequential: %d MiB in 1 MiB requests (the write fsynced); random: %d reads, then "
          "%d writes (fsynced), of 4 KiB at 4 KiB-aligned offsets; the guest's clock."
          % (diskbench.SEQ_MIB, diskbench.OPS, diskbench.OPS))
    return diskbench.targets(res)


def fs_bench(args, vmlinuz, busybox, amphi, log, problems):
    """ext4 on virtio-blk and NVMe, amphi against Linux (bench/fsbench.py);
    prints the table and returns the target lines."""
    runs = min(args.runs, 3)	# each run writes ~100 MiB under TCG
    res = fsbench.run_all(ROOT, amphi, vmlinuz, busybox, runs, args.timeout * 5, log,
                          problems, linux_only=args.linux_only)
    print_table("file systems: build/progs/fs_bench in both on a fresh ext4 image, TCG, -M pc, "
                "-smp 1,maxcpus=2, -m %dM, median of %d runs" % (fsbench.MEM_MIB, runs),
                fsbench.rows(res, ratio))
    print("Each figure is timed by the guest's clock (tests/progs/fs_bench.c); \"32 threads\" "
          "is the queue depth threads give without O_DIRECT or AIO.")
    return fsbench.targets(res)


def net_bench(args, vmlinuz, busybox, amphi, amphi_elf, log, problems):
    """HTTP and redis, amphi against Linux (bench/netbench.py); prints the
    table and returns the target lines."""
    for tool in ("wrk", "redis-benchmark"):
        if shutil.which(tool) is None:
            problems.append("network: %s not found (run `make deps`)" % tool)
            return []
    sides = ["linux"]
    if not args.linux_only:
        if os.path.isfile(amphi) and os.path.isfile(amphi_elf):
            sides.append("amphi")
        else:
            problems.append("network: amphi not built")
    env = dict(os.environ)
    if args.slirp_preload:
        env["LD_PRELOAD"] = os.path.abspath(args.slirp_preload)
    setup = netbench.Setup(ROOT, amphi, vmlinuz, busybox, env, log, args.net_seconds,
                           args.redis_requests)
    found = scale_bench(args, setup, sides, problems)
    if args.scale_only:
        return found
    res = netbench.run_all(setup, sides, problems)
    print_table("network: the same static servers in both, TCG, -M pc, -smp 1,maxcpus=2, "
                "-m %dM, virtio-net on slirp with a forwarded port" % netbench.MEM_MIB,
                netbench.rows(res, ratio))
    print("HTTP: build/progs/net_httpd, `wrk -t1 -c10 -d%ds --latency` (keep-alive) after a "
          "2 s warm-up, on %s, a %d-byte file (head and body in two sends), and on /, the "
          "server's built-in page (one send)."
          % (args.net_seconds, netbench.PAGE_PATH, len(netbench.PAGE)))
    print("redis: build/redis/redis-server, `redis-benchmark -t set,get -n %d -c 50` after a "
          "warm-up." % args.redis_requests)
    print("QEMU's slirp listen backlog: %s." % ("raised to 128 by LD_PRELOAD " + args.slirp_preload
                                             if args.slirp_preload else "1, as shipped"))
    found += netbench.targets(res)
    if "amphi" in sides:
        found += server_bench(setup, res, problems)
    return found


def scale_bench(args, setup, sides, problems):
    """The servers of bench/netscale.py at each --net-smp vCPU count, over
    slirp and (root) over a multiqueue tap; the target lines."""
    smps = [int(x) for x in args.net_smp.split(",")]
    servers = [x for x in netscale.SERVERS if args.net_servers is None
               or netscale.server_name(x) in args.net_servers.split(",")]
    found = []
    for tap in (False, True):
        if tap and os.geteuid() != 0:
            print("network scaling over a tap: skipped (it needs root, for a tap in a network "
                  "namespace)")
            continue
        if tap:
            try:
                with netbench.tap_namespace() as ns:
                    res = netscale.run_all(setup, sides, smps, problems, ns, servers)
            except (OSError, subprocess.CalledProcessError) as e:
                problems.append("network scaling over a tap: no namespace and tap: %s" % e)
                continue
        else:
            res = netscale.run_all(setup, sides, smps, problems, None, servers)
        print_table("network scaling and bulk data%s: the same servers in both, TCG, -M pc, "
                    "-smp N (maxcpus >= 2), -m %dM, %s"
                    % (" over a tap" if tap else "", netbench.MEM_MIB,
                       "virtio-net with a queue pair per vCPU on a multiqueue tap (no vhost) "
                       "in a network namespace, the clients in it" if tap else
                       "virtio-net on slirp, a forwarded port"),
                    netscale.rows(res, smps, ratio, servers),
                    ("", "amphi", "Linux 6.1", "amphi/Linux", "amphi n/%d" % smps[0],
                     "Linux n/%d" % smps[0], "amphi host CPU", "Linux host CPU"))
        found += [("over the tap: " if tap else "") + t
                  for t in netscale.targets(res, smps, servers)]
    print("small: `wrk -t1 -c10` on a 1 KiB file; 1 MiB: `wrk -t1 -c4` on a 1 MiB file "
          "(wrk's Transfer/sec); %d s each after a 2 s warm-up. epoll: build/progs/net_httpd "
          "(one thread; read+send: pread and send, sendfile: net_httpd -s); Go net/http: "
          "build/progs/go_httpd (Go 1.19's file server, a thread per vCPU, sendfile); nginx: "
          "Debian's, a worker per vCPU, sendfile on or off; redis: "
          "`redis-benchmark -t set,get -n %d -c 50`; memcached: Debian's 1.6.18, a worker "
          "thread per vCPU, `memcaslap -T1 -c %d -w 1k -t %ds` (its 9:1 get:set mix of 1 KiB "
          "values; operations). Host CPU: what the VM's processes (QEMU's vCPU threads, its "
          "main loop with slirp or the tap) took of this host's %d cores meanwhile, and per "
          "request or MB." % (args.net_seconds, args.redis_requests, netscale.MEMCACHED_CONNS,
                              args.net_seconds, os.cpu_count()))
    return found


def server_bench(setup, net_res, problems):
    """The same servers behind a network server (bench/serverbench.py), beside
    the direct-mode and Linux figures of this run."""
    res = serverbench.run_all(setup, problems)
    print_table("network server: the same servers in app VMs behind `amphi server` (a server "
                "VM on slirp, -p forwarded), beside direct mode and the Linux VM above",
                serverbench.rows(res, net_res, ratio),
                ("", "server mode", "direct mode", "Linux 6.1", "server/direct", "target"))
    print("apps: N app VMs (-m %dM) each running net_httpd on its own forwarded port behind one "
          "server VM, a `wrk -t1 -c4` on each at once; the sum of their requests/s."
          % serverbench.APP_MEM_MIB)
    sw = switchbench.run_all(setup, problems)
    if sw:
        print_table("mode switching: one app moved between the server's link and a NIC of its "
                    "own while it serves (bench/switchbench.py)", switchbench.rows(sw),
                    ("", "measured", "how"))
        switchbench.print_notes(sw)
    return serverbench.targets(res, net_res)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per timing (median)")
    ap.add_argument("--linux-only", action="store_true",
                    help="measure only the Linux VM (e.g. while the kernel does not boot)")
    ap.add_argument("--linux-kernel", default=None, help="the vmlinuz to boot")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per VM run")
    ap.add_argument("--no-net", action="store_true", help="skip the network benchmarks")
    ap.add_argument("--net-only", action="store_true", help="only the network benchmarks")
    ap.add_argument("--no-disk", action="store_true", help="skip the disk and file system benchmarks")
    ap.add_argument("--disk-only", action="store_true",
                    help="only the disk and file system benchmarks")
    ap.add_argument("--net-seconds", type=int, default=10, help="wrk's duration (s)")
    ap.add_argument("--redis-requests", type=int, default=20000,
                    help="redis-benchmark -n for each of SET and GET")
    ap.add_argument("--net-smp", default="1,2,4",
                    help="vCPU counts for the scaling and bulk table (bench/netscale.py)")
    ap.add_argument("--scale-only", action="store_true",
                    help="only the scaling and bulk table (bench/netscale.py)")
    names = sorted(set(map(netscale.server_name, netscale.SERVERS)))
    ap.add_argument("--net-servers", default=None,
                    help="only these of the scaling table's servers, comma-separated: "
                         + ",".join(names))
    ap.add_argument("--slirp-preload", default=None,
                    help="LD_PRELOAD for QEMU in the network benchmarks "
                         "(tools/amphi-slirp.c; see docs/bench.md)")
    args = ap.parse_args()
    if args.net_servers is not None and not set(args.net_servers.split(",")) <= set(names):
        ap.error("--net-servers: choose from %s" % ",".join(names))

    build = os.path.join(ROOT, "build")
    hello = os.path.join(build, "progs", "hello")
    amphi = os.path.join(build, "amphi")
    amphi_elf = os.path.join(build, "amphi.elf")
    busybox = shutil.which("busybox") or "/bin/busybox"
    vmlinuz = args.linux_kernel
    if vmlinuz is None:
        boot = os.path.join(ROOT, "deps", "linux", "root", "boot")
        cands = sorted(f for f in os.listdir(boot) if f.startswith("vmlinuz-")) \
            if os.path.isdir(boot) else []
        vmlinuz = os.path.join(boot, cands[-1]) if cands else None
    for what, path in (("test program", hello), ("busybox", busybox),
                       ("Linux kernel", vmlinuz)):
        if not path or not os.path.isfile(path):
            sys.exit("bench: %s not found (%s); run `make bench`" % (what, path))
    if shutil.which(QEMU) is None:
        sys.exit("bench: %s not found" % QEMU)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    qemu_version = subprocess.run([QEMU, "--version"], capture_output=True,
                                  text=True).stdout.splitlines()[0]
    log("bench: %s; %s; program %s; %d runs per timing"
        % (qemu_version, os.path.basename(vmlinuz), os.path.relpath(hello, ROOT), args.runs))

    problems, targets = [], []
    if args.scale_only:
        args.net_only = True
    if args.disk_only:
        targets += disk_bench(args, vmlinuz, busybox, amphi, log, problems)
        targets += fs_bench(args, vmlinuz, busybox, amphi, log, problems)
        args.net_only = args.no_net = True
    if not args.net_only:
        targets += boot_bench(args, qemu_version, vmlinuz, hello, busybox, amphi, amphi_elf,
                              log, problems)
        targets += startup_bench(args, vmlinuz, hello, busybox, amphi, log, problems)
        targets += proc_bench(args, vmlinuz, busybox, amphi, log, problems)
        if not args.no_disk:
            targets += disk_bench(args, vmlinuz, busybox, amphi, log, problems)
            targets += fs_bench(args, vmlinuz, busybox, amphi, log, problems)
    if not args.no_net:
        targets += net_bench(args, vmlinuz, busybox, amphi, amphi_elf, log, problems)
    for t in targets:
        print("target: " + t)
    for p in problems:
        print("problem: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
