"""Start-up at QEMU's floor: boot-to-main of hello in amphi beside QEMU
booting an empty kernel (bench/floor/floor.S, built by `make bench`) and
beside Linux, on microvm, pc and q35, in one interleaved run; and where
amphi's own time goes (the kernel's boot phases, printed by `amphi run -v`,
and the host command's share).  docs/bench.md explains the method.

  floor, bare   QEMU with the fewest devices that boot the empty kernel
                (microvm: no RTC, PIT or serial port; pc, q35: -nodefaults)
  floor         QEMU with amphi's own machine and devices (its command line,
                as `amphi run -v` prints it) booting the empty kernel
  amphi         `amphi run` of hello: spawn to the marker on stdout
  Linux         the bench's Linux VM on the same machine type
"""

import os
import re
import shutil
import statistics
import subprocess
import tempfile

MACHINES = ("microvm", "pc", "q35")
FLOOR_MARKER = b"floor"
TARGET_MS = 20          # amphi's boot-to-main over the floor
PHASE_RE = re.compile(r"boot: ([\d.]+) ms in the kernel \((.*)\); the VM ran ([\d.]+) ms")


def amphi_qemu_argv(amphi, hello, machine, floor):
    """amphi's QEMU command line for this machine (from -v, with --qemu
    /bin/true so nothing boots), with the empty kernel and no initrd."""
    r = subprocess.run([amphi, "run", "-v", "--accel", "tcg", "--machine", machine, "--smp", "1",
                        "--qemu", "/bin/true", hello], capture_output=True, text=True)
    line = next((l for l in r.stderr.splitlines() if l.startswith("amphi: /bin/true ")), None)
    if line is None:
        raise RuntimeError("amphi -v printed no command line: %r" % r.stderr[-300:])
    argv = line.split()[1:]
    argv[0] = "qemu-system-x86_64"
    i = argv.index("-initrd")
    del argv[i:i + 2]
    argv[argv.index("-kernel") + 1] = floor
    return argv


def bare_argv(machine, floor):
    """The fewest devices: no RTC or PIT on microvm, only the serial port
    the marker needs."""
    m = {"microvm": "microvm,x-option-roms=off,rtc=off,pit=off,pic=off,isa-serial=on"}
    return ["qemu-system-x86_64", "-M", m.get(machine, machine), "-accel", "tcg", "-display",
            "none", "-nodefaults", "-no-reboot", "-serial", "stdio", "-smp", "1,maxcpus=2",
            "-m", "64M", "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", floor]


def host_tsc_khz(amphi, sleep_prog):
    """The host's TSC rate, as amphi's kernel measures it against the PIT
    over a second (under TCG the guest's TSC is the host's): Linux on
    microvm needs it (tsc_early_khz), having no PIT to calibrate with."""
    r = subprocess.run([amphi, "run", "-v", "--accel", "tcg", "--machine", "microvm",
                        sleep_prog, "1500"], capture_output=True, text=True, timeout=60)
    m = re.search(r"TSC refined to (\d+) kHz", r.stderr)
    return int(m.group(1)) if m else None


def kernel_phases(amphi, hello, machine, runs):
    """Medians of the kernel's boot phases (ms), from `amphi run -v`."""
    phases = {}
    for _ in range(runs):
        r = subprocess.run([amphi, "run", "-v", "--accel", "tcg", "--machine", machine, "--smp",
                            "1", hello], capture_output=True, text=True, timeout=60)
        m = PHASE_RE.search(r.stderr)
        if not m:
            continue
        phases.setdefault("kernel", []).append(float(m.group(1)))
        phases.setdefault("before the kernel", []).append(float(m.group(3)))
        for name, ms in re.findall(r"(\w[\w ]*?) ([\d.]+)", m.group(2)):
            phases.setdefault(name, []).append(float(ms))
    return {k: statistics.median(v) for k, v in phases.items()}


def blocks_translated(amphi, hello, machine):
    """How many blocks of code QEMU translates from its start to hello's
    end (distinct address and CPU-state key, from its `-d exec` log):
    under TCG most of boot is translation, and unlike a duration this
    count is the same run after run."""
    with tempfile.TemporaryDirectory() as d:
        log, wrapper = os.path.join(d, "exec.log"), os.path.join(d, "qemu")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nexec %s -d exec -D %s "$@"\n'
                    % (shutil.which("qemu-system-x86_64"), log))
        os.chmod(wrapper, 0o755)
        r = subprocess.run([amphi, "run", "--accel", "tcg", "--machine", machine, "--smp", "1",
                            "--qemu", wrapper, hello], capture_output=True, timeout=120)
        if r.returncode != 0 or not os.path.exists(log):
            return None
        with open(log, "rb") as f:
            keys = set(re.findall(rb"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+/[0-9a-f]+)/",
                                  f.read(), re.M))
        return len(keys)


def bench(setup, log, problems):
    """Runs it all; prints the tables; returns the target lines.  setup has
    amphi, hello, sleep, floor, runs, timeout and linux(machine, tsc_khz),
    a function timing the Linux VM's boot to main."""
    floor_argv, bare = {}, {}
    res = {m: {k: [] for k in ("bare", "floor", "floor_exit", "amphi", "amphi_exit", "linux")}
           for m in MACHINES}
    for m in MACHINES:
        floor_argv[m] = amphi_qemu_argv(setup.amphi, setup.hello, m, setup.floor)
        bare[m] = bare_argv(m, setup.floor)
    tsc = host_tsc_khz(setup.amphi, setup.sleep)
    if tsc is None:
        problems.append("startup: amphi's kernel gave no refined TSC rate (Linux on microvm "
                        "is then left out)")
    for r in range(setup.runs):
        for m in MACHINES:
            res[m]["bare"].append(setup.timed(bare[m], FLOOR_MARKER)[0])
            t_main, t_exit = setup.timed(floor_argv[m], FLOOR_MARKER)
            res[m]["floor"].append(t_main)
            res[m]["floor_exit"].append(t_exit)
            t_main, t_exit = setup.amphi_main(m)
            res[m]["amphi"].append(t_main)
            res[m]["amphi_exit"].append(t_exit)
            if m != "microvm" or tsc:
                res[m]["linux"].append(setup.linux(m, tsc))
        log("  startup run %d/%d done" % (r + 1, setup.runs))
    med = {m: {k: statistics.median(v) if v else None for k, v in res[m].items()}
           for m in MACHINES}
    rows, targets = [], []
    for m in MACHINES:
        x = med[m]
        over = (x["amphi"] - x["floor"]) * 1000
        rows.append((m, ms(x["bare"]), ms(x["floor"]), ms(x["amphi"]), "%+.0f ms" % over,
                     ms(x["linux"]), "<= +%d ms" % TARGET_MS, ms(x["floor_exit"]),
                     ms(x["amphi_exit"])))
        targets.append("%s: boot to main %.0f ms over QEMU's floor (target <= %d ms): %s"
                       % (m, over, TARGET_MS, "met" if over <= TARGET_MS else "NOT met"))
    setup.print_table("start-up: boot to main (median of %d interleaved runs), TCG, -smp 1,maxcpus=2"
               % setup.runs, rows,
               ("machine", "QEMU bare", "QEMU floor", "amphi", "amphi - floor", "Linux 6.1",
                "target", "floor exit", "amphi exit"))
    print("All to the first line on the serial console's stdout, from spawning the process.  "
          "QEMU bare: the empty kernel on the fewest devices; QEMU floor: the empty kernel on "
          "amphi's own QEMU command line (so floor - bare is QEMU setting up amphi's devices); "
          "amphi: `amphi run` of hello, to its line; Linux: the VM above on the same machine "
          "(microvm: tsc_early_khz=%s, amphi's measurement).  The exit columns: to the "
          "process's end." % tsc)
    prow = []
    for m in MACHINES:
        p = kernel_phases(setup.amphi, setup.hello, m, setup.runs)
        prow.append((m, " ".join("%s %.1f" % (k, v) for k, v in p.items()),
                     blocks_translated(setup.amphi, setup.hello, m) or "n/a"))
    setup.print_table("where amphi's kernel spends its boot (`amphi run -v`, ms, medians)", prow,
               ("machine", "phases", "blocks QEMU translates, start to hello's end"))
    return targets


def ms(x):
    return "%.0f ms" % (x * 1000) if x is not None else "n/a"


