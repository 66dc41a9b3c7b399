"""Storage, amphi against the Linux VM (`make bench`): the same static
program, build/progs/fs_bench, in both VMs (TCG, -M pc, -smp 1,maxcpus=2,
-m 256M) on the same kind of disk: a fresh ext4 image made on the host with
Debian's mke2fs (default features, journal included) holding a 32 MiB and a
64 MiB file of random bytes, attached as virtio-blk and then as NVMe with
the same QEMU drive options (raw, cache=writeback) amphi gives `--disk`.
The guest's own clock times each figure (tests/progs/fs_bench.c says
how), so boot and mount are not in them.  Median of `runs` runs, each on a
new image."""

import os
import shutil
import subprocess
import tempfile

import diskbench
import procbench

MEM_MIB = 256
IMAGE = "256M"
FIGURES = (("seq_read_mib", "sequential read (1 MiB)", " MiB/s", True),
           ("seq_write_mib", "sequential write (1 MiB) + fsync", " MiB/s", True),
           ("rand_read_qd1", "4 KiB random read, QD1", " IOPS", True),
           ("rand_read_qd32", "4 KiB random read, 32 threads", " IOPS", True),
           ("rand_write_qd1", "4 KiB random write, QD1, + fdatasync", " IOPS", True),
           ("rand_write_qd32", "4 KiB random write, 32 threads, + fdatasync", " IOPS", True),
           ("fsync_us", "append 4 KiB + fdatasync", " us", False),
           ("creates", "file creation + syncfs", "/s", True))
# (name, QEMU -device, Linux's device node, Linux modules it needs)
DISKS = (("virtio-blk", "virtio-blk-pci,drive=d0", "/dev/vda", ("virtio_pci", "virtio_blk")),
         ("NVMe", "nvme,serial=bench,drive=d0", "/dev/nvme0n1", ()))


def make_image(tmp):
    """A new ext4 image with seq.dat and rand.dat, as `amphi disk create
    --from` makes one."""
    src = os.path.join(tmp, "src")
    shutil.rmtree(src, ignore_errors=True)
    os.mkdir(src)
    for name, mib in (("seq.dat", 32), ("rand.dat", 64)):
        with open(os.path.join(src, name), "wb") as f:
            f.write(os.urandom(mib << 20))
    img = os.path.join(tmp, "disk.img")
    if os.path.exists(img):
        os.unlink(img)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", src, img, IMAGE], check=True,
                   capture_output=True)
    return img


def linux_once(vmlinuz, initrd, img, device, timeout):
    argv = [shutil.which("qemu-system-x86_64"), "-M", "pc", "-accel", "tcg", "-cpu", "max",
            "-smp", "1,maxcpus=2", "-m", "%dM" % MEM_MIB, "-display", "none", "-nodefaults",
            "-no-reboot", "-serial", "stdio", "-kernel", vmlinuz, "-initrd", initrd,
            "-drive", "file=%s,if=none,id=d0,format=raw,cache=writeback" % img,
            "-device", device, "-append", "console=ttyS0 quiet panic=-1"]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def amphi_once(amphi, bench, img, interface, timeout):
    disk = "%s:/mnt%s" % (img, ",if=nvme" if interface == "NVMe" else "")
    argv = [amphi, "run", "--accel", "tcg", "--machine", "pc", "--smp", "1", "-m",
            "%dM" % MEM_MIB, "--disk", disk, bench, "/mnt"]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def measure(side, once, tmp, runs, log, problems):
    """procbench's medians, each run on a new image."""
    return procbench.measure(side, lambda: once(make_image(tmp)), runs, log, problems,
                             name="fs_bench", what="file systems")


def run_all(root, amphi, vmlinuz, busybox, runs, timeout, log, problems, linux_only=False):
    """{interface: {"linux": figures, "amphi": figures}}."""
    bench = os.path.join(root, "build", "progs", "fs_bench")
    tmp = tempfile.mkdtemp(prefix="amphi-fsbench-")
    res = {}
    try:
        for name, device, node, modules in DISKS:
            initrd = os.path.join(tmp, "initramfs.cpio")
            diskbench.linux_initramfs(
                initrd, vmlinuz, busybox, bench, modules,
                ["/bin/busybox mount -t ext4 %s /mnt || echo 'fs_bench: mount failed'" % node,
                 "/fs_bench /mnt", "/bin/busybox umount /mnt"])
            log("storage, %s: Linux" % name)
            res[name] = {"linux": measure("Linux " + name,
                                          lambda img: linux_once(vmlinuz, initrd, img, device,
                                                                 timeout),
                                          tmp, runs, log, problems)}
            if not linux_only:
                log("storage, %s: amphi" % name)
                res[name]["amphi"] = measure("amphi " + name,
                                             lambda img: amphi_once(amphi, bench, img, name,
                                                                    timeout),
                                             tmp, runs, log, problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def rows(res, ratio):
    out = []
    for disk, sides in res.items():
        for key, label, unit, higher in FIGURES:
            a, l = sides.get("amphi", {}).get(key), sides.get("linux", {}).get(key)
            fmt = lambda x: "n/a" if x is None else "%.0f%s" % (x, unit)
            out.append(("%s: %s" % (disk, label), fmt(a), fmt(l), ratio(l, a, higher),
                        "at least Linux's" if higher else "no slower than Linux"))
    return out


def targets(res):
    found = []
    for disk, sides in res.items():
        for key, label, _, higher in FIGURES:
            a, l = sides.get("amphi", {}).get(key), sides.get("linux", {}).get(key)
            if a is not None and l is not None:
                met = a >= l if higher else a <= l
                found.append("%s, %s: %s the Linux VM's (target): %s"
                             % (disk, label, "at least" if higher else "no slower than",
                                "met" if met else "NOT met"))
    return found
