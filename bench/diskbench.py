"""Raw disks, amphi against the Linux VM (`make bench`): the same static
program, build/progs/disk_bench, in both VMs (TCG, -M pc, -smp 1,maxcpus=2,
-m 128M), on a fresh 64 MiB raw image each run, given as the same
`-drive format=raw,cache=writeback,discard=unmap` and virtio-blk-pci with
one queue (amphi run --disk builds exactly that).  With O_DIRECT on
/dev/vda the guest times, on its own monotonic clock, a sequential write
and read of 32 MiB in 1 MiB requests and 2000 random 4 KiB reads and
writes.  Linux loads Debian's virtio_pci and virtio_blk modules first
(bench/linux_net.py finds them and their dependencies).  Median of `runs`
runs each."""

import os
import shutil
import subprocess
import tempfile

import linux_net
import procbench
from cpio import write_newc

MEM_MIB = 128
IMAGE_MIB = 64
SEQ_MIB, OPS = 32, 2000
FIGURES = (("seq_write_mibs", "sequential write, 1 MiB requests", " MiB/s"),
           ("seq_read_mibs", "sequential read, 1 MiB requests", " MiB/s"),
           ("rand_read_iops", "random 4 KiB reads", " IOPS"),
           ("rand_write_iops", "random 4 KiB writes", " IOPS"))
DRIVE = "file=%s,if=none,id=disk0,format=raw,cache=writeback,discard=unmap"


def fresh_image(tmp):
    path = os.path.join(tmp, "disk.img")
    with open(path, "wb") as f:
        f.truncate(IMAGE_MIB << 20)
    return path


def linux_once(vmlinuz, initrd, tmp, timeout):
    argv = [shutil.which("qemu-system-x86_64"), "-M", "pc", "-accel", "tcg", "-cpu", "max",
            "-smp", "1,maxcpus=2", "-m", "%dM" % MEM_MIB, "-display", "none", "-nodefaults",
            "-no-reboot", "-serial", "stdio", "-kernel", vmlinuz, "-initrd", initrd,
            "-drive", DRIVE % fresh_image(tmp), "-device", "virtio-blk-pci,drive=disk0,num-queues=1",
            "-append", "console=ttyS0 quiet panic=-1"]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def amphi_once(amphi, bench, tmp, timeout):
    argv = [amphi, "run", "--accel", "tcg", "--machine", "pc", "--smp", "1", "-m",
            "%dM" % MEM_MIB, "--disk", fresh_image(tmp), bench, "/dev/vda", str(SEQ_MIB), str(OPS)]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def measure(side, once, runs, log, problems):
    return procbench.measure(side, once, runs, log, problems, name="disk_bench", what="disks")


def linux_initramfs(path, vmlinuz, busybox, bench, modules, run):
    """An initramfs for the storage benchmarks: busybox, `bench` as
    /BASENAME, Debian's `modules` (with what they depend on) loaded by /init
    before the shell lines `run`, then a power-off."""
    mods = linux_net.load_order(linux_net.moddir_for(vmlinuz), modules) if modules else []
    read = lambda p: open(p, "rb").read()
    lines = ["#!/bin/busybox sh", "/bin/busybox mount -t proc proc /proc",
             "/bin/busybox mount -t devtmpfs dev /dev"]
    lines += ["/bin/busybox insmod /lib/modules/%s" % os.path.basename(m) for m in mods]
    lines += list(run) + ["/bin/busybox poweroff -f"]
    entries = [(d, 0o040755, b"", (0, 0))
               for d in ("bin", "dev", "proc", "mnt", "lib", "lib/modules")]
    entries.append(("dev/console", 0o020600, b"", (5, 1)))
    entries.append(("bin/busybox", 0o100755, read(busybox), (0, 0)))
    entries += [("lib/modules/" + os.path.basename(m), 0o100644, read(m), (0, 0)) for m in mods]
    entries.append((os.path.basename(bench), 0o100755, read(bench), (0, 0)))
    entries.append(("init", 0o100755, ("\n".join(lines) + "\n").encode(), (0, 0)))
    write_newc(path, entries)


def run_all(root, amphi, vmlinuz, busybox, runs, timeout, log, problems, linux_only=False):
    bench = os.path.join(root, "build", "progs", "disk_bench")
    tmp = tempfile.mkdtemp(prefix="amphi-diskbench-")
    try:
        initrd = os.path.join(tmp, "initramfs.cpio")
        linux_initramfs(initrd, vmlinuz, busybox, bench, ("virtio_pci", "virtio_blk"),
                        ["/disk_bench /dev/vda %d %d" % (SEQ_MIB, OPS)])
        log("disks: Linux")
        res = {"linux": measure("Linux", lambda: linux_once(vmlinuz, initrd, tmp, timeout), runs,
                                log, problems)}
        if not linux_only:
            log("disks: amphi")
            res["amphi"] = measure("amphi", lambda: amphi_once(amphi, bench, tmp, timeout), runs,
                                   log, problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def rows(res, ratio):
    out = []
    for key, label, unit in FIGURES:
        a, l = res.get("amphi", {}).get(key), res.get("linux", {}).get(key)
        fmt = lambda x: "n/a" if x is None else "%.0f%s" % (x, unit)
        out.append((label, fmt(a), fmt(l), ratio(l, a, True), "at least Linux's"))
    return out


def targets(res):
    found = []
    for key, label, _ in FIGURES:
        a, l = res.get("amphi", {}).get(key), res.get("linux", {}).get(key)
        if a is not None and l is not None:
            found.append("%s at least the Linux VM's (target): %s"
                         % (label, "met" if a >= l else "NOT met"))
    return found
