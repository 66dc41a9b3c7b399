"""Disks: `amphi run --disk`, the block layer, virtio-blk and the raw
/dev nodes, and `amphi disk create`.

The host writes known bytes into an image; tests/progs/blkio in the guest
reads /dev/vda at aligned and unaligned offsets and prints CRC-32s, which
are compared with Python's; it writes patterns at offsets that cut
sectors, fsyncs, and the test reads the image file back and compares
every byte.  Partition tables come from util-linux's sfdisk, images with
a file system from `amphi disk create` (e2fsprogs), checked with the
host's e2fsck and debugfs."""

import os
import random
import subprocess
import zlib

import pytest

from conftest import AMPHI, ROOT, amphi_argv, qemu_wrapper, refused, run, run_argv
from disk_expected import RO_LINUX, RO_STEPS

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"
MIB = 1 << 20
SIZE = 8 * MIB


def pattern(seed, n):
    """tests/progs/blkio.c's write pattern."""
    return bytes((i * 131 + seed + i // 4099) & 0xFF for i in range(n))


def random_image(path, size=SIZE, seed=1):
    data = random.Random(seed).randbytes(size)
    path.write_bytes(data)
    return data


def crc(data):
    return "%08x" % zlib.crc32(data)


# (offset, length): sector-aligned, unaligned both ends, across the 4 KiB
# pages, up to the very end, the whole disk.
READS = [(0, 4096), (512, 512), (1000, 3000), (4194303, 70001), (SIZE - 777, 777), (0, SIZE)]
# (offset, length, seed): inside one sector, across sectors, aligned and
# large (several requests), unaligned and larger than the kernel's 1 MiB
# bounce buffer (several rounds), up to the end.
WRITES = [(100, 10, 1), (1000, 5000, 2), (65536, 300 * 1024, 3), (5 * MIB + 7, 2 * MIB + 1000, 5),
          (SIZE - 608, 608, 4)]


def read_write_steps(dev="/dev/vda"):
    steps = ["info:%s" % dev]
    steps += ["sum:%s:%d:%d" % (dev, o, n) for o, n in READS]
    steps += ["read:%s:%d:%d" % (dev, o, n) for o, n in READS[2:4]]
    steps += ["write:%s:%d:%d:%d" % (dev, o, n, s) for o, n, s in WRITES]
    return steps


def expected_read_write(data, dev="/dev/vda"):
    out = ["%s size %d sectors %d ssz 512 pbsz 512 ro 0 end %d" % (dev, SIZE, SIZE // 512, SIZE)]
    out += ["%s %d %d %s" % (dev, o, n, crc(data[o:o + n])) for o, n in READS]
    out += ["%s %d %d %s" % (dev, o, n, crc(data[o:o + n])) for o, n in READS[2:4]]
    out += ["wrote %s %d %d" % (dev, o, n) for o, n, _ in WRITES]
    return "\n".join(out) + "\n"


def check_written(path, data):
    want = bytearray(data)
    for o, n, s in WRITES:
        want[o:o + n] = pattern(s, n)
    got = path.read_bytes()
    assert len(got) == len(want)
    if got != bytes(want):
        first = next(i for i in range(len(got)) if got[i] != want[i])
        pytest.fail("the image differs from what the guest wrote, first at byte %d" % first)


@pytest.mark.parametrize("machine,smp", [("pc", 1), ("microvm", 1), ("q35", 2)])
def test_read_write(tmp_path, machine, smp):
    """Reads at any offset match the host's bytes; writes (partial sectors
    too) reach the image file after fsync; on PCI with MSI-X (one queue
    per CPU), virtio-mmio (microvm) and two CPUs (two queues)."""
    img = tmp_path / "disk.img"
    data = random_image(img)
    r = run("blkio", *read_write_steps(), machine=machine, smp=smp, verbose=True,
            options=["--disk", str(img)])
    assert (r.status, r.stdout.decode()) == (0, expected_read_write(data)), r.describe()
    queues = "%d queue%s" % (smp, "s" if smp > 1 else "")
    transport = "virtio-mmio" if machine == "microvm" else "virtio-pci"
    assert b"vda: 16384 sectors of 512 bytes on %s" % transport.encode() in r.stderr, r.describe()
    assert queues.encode() in r.stderr, r.describe()
    check_written(img, data)


def sfdisk(path, script):
    subprocess.run(["sfdisk", "-q", str(path)], input=script.encode(), check=True,
                   capture_output=True)


def test_partitions(tmp_path):
    """A GPT disk, a read-only MBR disk with a logical partition in an
    extended one, and a disk whose GPT is broken: vda1, vda2, vdb1, vdb5
    with the right sizes and contents, vdb2 listed as Linux lists an
    extended partition (two sectors), none on vdc (and one line saying
    why), /proc/partitions, BLKROGET."""
    gpt, mbr, bad = tmp_path / "gpt.img", tmp_path / "mbr.img", tmp_path / "bad.img"
    for i, p in enumerate((gpt, mbr, bad)):
        random_image(p, seed=10 + i)
    sfdisk(gpt, "label: gpt\nstart=2048, size=4096\nstart=6144, size=8192\n")
    sfdisk(mbr, "label: dos\nstart=100, size=1000, type=83\nstart=2000, size=14000, type=5\n"
                "start=4048, size=11000, type=83\n")
    sfdisk(bad, "label: gpt\nstart=2048, size=4096\n")
    raw = bytearray(bad.read_bytes())
    raw[512 + 60] ^= 1		# the primary header's disk GUID: its CRC fails
    raw[SIZE - 512 + 60] ^= 1	# and the backup's
    bad.write_bytes(raw)
    g, m = gpt.read_bytes(), mbr.read_bytes()
    steps = ["info:/dev/vda1", "info:/dev/vda2", "info:/dev/vdb1", "info:/dev/vdb5",
             "sum:/dev/vda1:0:%d" % (4096 * 512), "sum:/dev/vda2:1000:%d" % (8192 * 512 - 1000),
             "sum:/dev/vdb1:3:%d" % (1000 * 512 - 3), "sum:/dev/vdb5:0:4096",
             "openrw:/dev/vda2", "openrw:/dev/vdc1",
             "cat:/proc/partitions"]
    r = run("blkio", *steps, verbose=True,
            options=["--disk", str(gpt), "--disk", str(mbr) + ",ro", "--disk", str(bad)])

    def info(dev, sectors, ro):
        return "%s size %d sectors %d ssz 512 pbsz 512 ro %d end %d" % (
            dev, sectors * 512, sectors, ro, sectors * 512)
    want = [info("/dev/vda1", 4096, 0), info("/dev/vda2", 8192, 0),
            info("/dev/vdb1", 1000, 1), info("/dev/vdb5", 11000, 1),
            "/dev/vda1 0 %d %s" % (4096 * 512, crc(g[2048 * 512:6144 * 512])),
            "/dev/vda2 1000 %d %s" % (8192 * 512 - 1000, crc(g[6144 * 512 + 1000:14336 * 512])),
            "/dev/vdb1 3 %d %s" % (1000 * 512 - 3, crc(m[100 * 512 + 3:1100 * 512])),
            "/dev/vdb5 0 4096 %s" % crc(m[4048 * 512:4048 * 512 + 4096]),
            "openrw /dev/vda2 ok",
            "openrw /dev/vdc1 ENOENT",
            "major minor  #blocks  name", "",
            " 254        0       8192 vda", " 254        1       2048 vda1",
            " 254        2       4096 vda2", " 254       16       8192 vdb",
            " 254       17        500 vdb1", " 254       18          1 vdb2",
            " 254       21       5500 vdb5",
            " 254       32       8192 vdc"]
    assert (r.status, r.stdout.decode()) == (0, "\n".join(want) + "\n"), r.diff("\n".join(want) + "\n")
    err = r.stderr.decode()
    assert err.count("bad gpt partition table") == 1, r.describe()
    assert "vdc: bad gpt partition table (GPT header CRC mismatch)" in err, r.describe()


def as_nvme(text):
    """RO_STEPS or RO_LINUX for the same disk as an NVMe namespace: its
    names and Linux's major number 259."""
    return (text.replace("vda", "nvme0n1").replace("nvme0n12", "nvme0n1p2")
            .replace("nvme0n11", "nvme0n1p1").replace(" 254 ", " 259 "))


@pytest.mark.parametrize("interface", ["virtio", "nvme"])
def test_read_only_as_linux(tmp_path, interface):
    """A read-only disk (`,ro`): opens for writing, writes and discards fail
    with EPERM, BLKROGET says 1 -- Linux's transcript (disk_expected.py) --
    and the image is unchanged.  An NVMe namespace cannot say it is
    read-only under QEMU 7.2: amphi's launcher tells the kernel (before,
    BLKROGET said 0 and the writes failed at the device)."""
    img = tmp_path / "ro.img"
    img.write_bytes(bytes(SIZE))
    sfdisk(img, "label: gpt\nstart=2048, size=4096\nstart=6144, size=8192\n")
    before = img.read_bytes()
    nvme = interface == "nvme"
    steps = [as_nvme(x) for x in RO_STEPS] if nvme else RO_STEPS
    want = as_nvme(RO_LINUX) if nvme else RO_LINUX
    r = run("blkio", *steps, options=["--disk", str(img) + (",if=nvme,ro" if nvme else ",ro")])
    assert (r.status, r.stdout.decode()) == (1, want), r.diff(want)
    assert img.read_bytes() == before


def test_discard(tmp_path):
    """BLKDISCARD reaches the image (QEMU punches a hole): the range reads
    back as zeros, in the guest and on the host."""
    img = tmp_path / "disk.img"
    data = random_image(img)
    o, n = 1 * MIB, 256 * 1024
    r = run("blkio", "discard:/dev/vda:%d:%d" % (o, n), "sum:/dev/vda:%d:%d" % (o, n),
            "sum:/dev/vda:%d:%d" % (o - 512, 512), options=["--disk", str(img)])
    want = "discarded /dev/vda %d %d\n/dev/vda %d %d %s\n/dev/vda %d 512 %s\n" % (
        o, n, o, n, crc(bytes(n)), o - 512, crc(data[o - 512:o]))
    assert (r.status, r.stdout.decode()) == (0, want), r.diff(want)
    got = img.read_bytes()
    assert got[o:o + n] == bytes(n) and got[:o] == data[:o] and got[o + n:] == data[o + n:]


def test_bad_disk_options(tmp_path):
    """Each refused with one line and status 2, before any VM starts."""
    img = tmp_path / "d.img"
    img.write_bytes(bytes(MIB))
    prog = os.path.join("build", "progs", "blkio")

    def argv(*disks, machine="pc"):
        a = [AMPHI, "run", "--machine", machine]
        for d in disks:
            a += ["--disk", d]
        return a + [prog]
    refused(argv(str(tmp_path / "none.img")), "No such file or directory")
    refused(argv(str(tmp_path)), "is a directory")
    refused(argv("/dev/null"), "not a regular file or a block device")
    refused(argv(str(img) + ",if=scsi"), "if= wants virtio or nvme")
    refused(argv(str(img) + ",rw"), "unknown setting 'rw'")
    refused(argv(str(img) + ":data"), "GUESTDIR must be an absolute path")
    refused(argv(str(img) + ",if=nvme", machine="microvm"), "needs a PCI machine")
    refused(argv(str(img), str(img)), "given twice")
    refused(argv(*[str(img)] * 9), "at most 8 disks")
    if subprocess.run(["chattr", "+i", str(img)], capture_output=True).returncode == 0:
        try:	# immutable: not writable even by root
            refused(argv(str(img)), "not writable (add ,ro")
        finally:
            subprocess.run(["chattr", "-i", str(img)])


def test_device_error(tmp_path):
    """A disk that fails reads of sector 2048 (QEMU's blkdebug, which the
    guest's virtio-blk reports as an I/O error status): those reads give
    EIO, the rest work, and the kernel logs the first failure alone."""
    img = tmp_path / "err.img"
    data = random_image(img)
    blockdev = ("driver=raw,node-name=r0,file.driver=blkdebug,"
                "file.inject-error.0.event=read_aio,file.inject-error.0.errno=5,"
                "file.inject-error.0.sector=2048,file.image.driver=file,file.image.filename=%s" % img)
    wrapper = qemu_wrapper(tmp_path, body='exec qemu-system-x86_64 "$@" -blockdev %s '
                           '-device virtio-blk-pci,drive=r0' % blockdev)
    r = run("blkio", "sum:/dev/vda:0:4096", "sum:/dev/vda:1048576:4096", "sum:/dev/vda:1048000:1000",
            "sum:/dev/vda:8192:512", verbose=True, options=["--qemu", wrapper])
    want = "/dev/vda 0 4096 %s\nFAIL read /dev/vda: EIO\nFAIL read /dev/vda: EIO\n" \
           "/dev/vda 8192 512 %s\n" % (crc(data[:4096]), crc(data[8192:8704]))
    assert (r.status, r.stdout.decode()) == (1, want), r.diff(want)
    err = r.stderr.decode()
    assert err.count("vda: read error") == 1, r.describe()
    assert "vda: read error (-5) at sector 2048; later errors on it are not logged" in err, r.describe()


def test_time_out(tmp_path):
    """A disk that answers too slowly (QEMU's throttle at 2 KiB/s, a 1 MiB
    read) with `virtio_blk.timeout=2` on the kernel's command line: the
    read fails with EIO after the time-out instead of hanging, the device
    is reset and failed for good (the next read too), said on the console."""
    img = tmp_path / "slow.img"
    data = random_image(img)
    wrapper = qemu_wrapper(tmp_path, body=(
        'exec qemu-system-x86_64 "$@" -object throttle-group,id=tg0,x-bps-read=2048 '
        '-blockdev driver=throttle,throttle-group=tg0,node-name=t0,file.driver=raw,'
        'file.file.driver=file,file.file.filename=%s -device virtio-blk-pci,drive=t0 '
        '-append virtio_blk.timeout=2' % img))
    r = run("blkio", "sum:/dev/vda:0:512", "sum:/dev/vda:0:1048576", "sum:/dev/vda:0:512",
            verbose=True, options=["--qemu", wrapper])
    want = "/dev/vda 0 512 %s\nFAIL read /dev/vda: EIO\nFAIL read /dev/vda: EIO\n" % crc(data[:512])
    assert (r.status, r.stdout.decode()) == (1, want), r.diff(want)
    assert "vda: a request got no answer in 2 s: the device is reset" in r.stderr.decode(), \
        r.describe()
    assert r.seconds < 30, r.describe()


def test_qemu_arguments(tmp_path):
    """What --disk gives QEMU and the kernel, read by a --qemu wrapper that
    records its arguments and stops: the drives, each disk's device (a
    queue per vCPU on PCI, NVMe, virtio-mmio on microvm), and mount=
    naming virtio and NVMe disks apart, in order."""
    a, b, c = (tmp_path / n for n in ("a.img", "b.img", "c.img"))
    for p in (a, b, c):
        p.write_bytes(bytes(MIB))
    log = tmp_path / "argv"
    wrapper = qemu_wrapper(tmp_path, body='printf "%%s\\n" "$@" > %s; exit 1' % log)
    prog = os.path.join("build", "progs", "blkio")
    r = run_argv([AMPHI, "run", "--qemu", wrapper, "--smp", "3", "--disk", "%s:/a" % a,
                  "--disk", "%s:/b,if=nvme,ro" % b, "--disk", str(c), prog])
    assert r.status == 125, r.describe()
    got = log.read_text().splitlines()
    drives = [got[i + 1] for i, x in enumerate(got) if x == "-drive"]
    devices = [got[i + 1] for i, x in enumerate(got) if x == "-device"][1:]	# after isa-debug-exit
    assert drives == ["file=%s,if=none,id=disk%d,format=raw,cache=writeback,discard=unmap%s"
                      % (p, i, ",readonly=on" if i == 1 else "") for i, p in enumerate((a, b, c))]
    assert devices == ["virtio-blk-pci,drive=disk0,num-queues=3", "nvme,serial=amphi1,drive=disk1",
                       "virtio-blk-pci,drive=disk2,num-queues=3"]
    assert got[got.index("-append") + 1] == "mount=vda:/a mount=nvme0n1:/b:ro blk.ro=nvme0n1"
    r = run_argv([AMPHI, "run", "--qemu", wrapper, "--machine", "microvm", "--offload", "off",
                  "-p", "8080:80", "--disk", "%s:/data" % c, prog])
    got = log.read_text().splitlines()
    assert "virtio-blk-device,drive=disk0" in got
    assert got[got.index("-append") + 1] == "net.offload=off mount=vda:/data"


def test_image_in_use(tmp_path):
    """An image a QEMU has open (its OFD locks) is refused, ro too."""
    img = tmp_path / "d.img"
    img.write_bytes(bytes(MIB))
    q = subprocess.Popen(["qemu-system-x86_64", "-display", "none", "-nodefaults", "-S",
                          "-drive", "file=%s,format=raw,if=none,id=d0" % img,
                          "-device", "virtio-blk-pci,drive=d0", "-qmp", "stdio"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert b"QMP" in q.stdout.readline()	# QEMU is up: the image is open and locked
        for d in (str(img), str(img) + ",ro"):
            refused([AMPHI, "run", "--disk", d, os.path.join("build", "progs", "blkio")],
                    "in use by another amphi or QEMU")
    finally:
        q.kill()
        q.wait()


def test_disk_create(tmp_path):
    """An ext4 image from a folder that e2fsck finds clean and whose files
    debugfs reads; ext2 too; bad usage refused, leaving no file."""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "file").write_text("hello from the host\n")
    (src / "sub" / "deep").write_bytes(bytes(range(256)) * 100)
    for kind in ("ext4", "ext2"):
        img = tmp_path / ("%s.img" % kind)
        r = subprocess.run([AMPHI, "disk", "create", str(img), "16M", "--from", str(src),
                            "--type", kind], cwd=ROOT, capture_output=True)
        assert (r.returncode, r.stdout, r.stderr) == (0, b"", b""), r
        assert img.stat().st_size == 16 * MIB
        fsck = subprocess.run(["e2fsck", "-fn", str(img)], capture_output=True)
        assert fsck.returncode == 0, fsck.stdout + fsck.stderr
        for path, want in (("/file", b"hello from the host\n"), ("/sub/deep", bytes(range(256)) * 100)):
            cat = subprocess.run(["debugfs", "-R", "cat %s" % path, str(img)], capture_output=True)
            assert cat.stdout == want, cat
        sb = subprocess.run(["dumpe2fs", "-h", str(img)], capture_output=True, text=True).stdout
        assert ("has_journal" in sb) == (kind == "ext4"), sb
    exists = tmp_path / "ext4.img"
    refused([AMPHI, "disk", "create", str(exists), "16M"], "File exists")
    new = str(tmp_path / "new.img")
    refused([AMPHI, "disk", "create", new, "16Q"], "SIZE wants")
    refused([AMPHI, "disk", "create", new, "16M", "--from", str(tmp_path / "nope")],
            "No such file or directory")
    refused([AMPHI, "disk", "create", new, "16M", "--type", "xfs"], "--type wants ext4 or ext2")
    refused([AMPHI, "disk", "create", new], "wants FILE SIZE")
    refused([AMPHI, "disk", "remove", new], "not a disk command")
    big = tmp_path / "big"
    big.mkdir()
    (big / "blob").write_bytes(random.Random(3).randbytes(3 * MIB))
    refused([AMPHI, "disk", "create", new, "2M", "--from", str(big)], "mke2fs failed")
    assert not os.path.exists(new)


HOTPLUG_READER = ("while dd if=%s of=/dev/null bs=65536 count=128 2>/dev/null; do :; done; "
                  "echo the disk left; dd if=%s of=/dev/null bs=512 count=1 2>&1 | head -1")


def hotplug_wrapper(tmp_path, img, device, native=True, qmp=None):
    """q35 with a PCIe root port (native hot-plug, as amphi's NIC port, or
    the firmware's ACPI hot-plug, QEMU's default) holding the disk."""
    return qemu_wrapper(tmp_path, body=(
        'exec qemu-system-x86_64 "$@" %s -device pcie-root-port,id=hp0,chassis=9,slot=9 '
        '-blockdev driver=raw,node-name=d0,file.driver=file,file.filename=%s -device %s%s' % (
            "-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off" if native else "",
            img, device, " -qmp unix:%s,server=on,wait=off" % qmp if qmp else "")))


def test_disk_on_an_acpi_hotplug_port(tmp_path):
    """A disk behind a root port whose hot-plug the firmware (ACPI) owns --
    QEMU's q35 default, and how libvirt lays out devices: the slot does not
    report the device, so it must not be taken for one that vanished; the
    disk stays usable."""
    img = tmp_path / "acpi.img"
    data = random_image(img)
    wrapper = hotplug_wrapper(tmp_path, img, "virtio-blk-pci,bus=hp0,drive=d0", native=False)
    r = run("blkio", "sum:/dev/vda:4096:4096", machine="q35", verbose=True, options=["--qemu", wrapper])
    want = "/dev/vda 4096 4096 %s\n" % crc(data[4096:8192])
    assert (r.status, r.stdout.decode()) == (0, want), r.describe()
    assert "(ACPI hot-plug): not watched" in r.stderr.decode(), r.describe()


QEMU_CRASHED = "qemu was killed by signal 11"


def removed_mid_io(tmp_path, device):
    """One run of the removal: (status, output, amphi's stderr)."""
    from netserver import Qmp, wait_for
    img, qmp = tmp_path / "hp.img", tmp_path / "qmp"
    random_image(img)
    extra = ",serial=hp" if device == "nvme" else ""
    wrapper = hotplug_wrapper(tmp_path, img, "%s,bus=hp0,drive=d0,id=disk0%s" % (device, extra), qmp=qmp)
    node = "/dev/nvme0n1" if device == "nvme" else "/dev/vda"
    argv = amphi_argv(BUSYBOX, "sh", "-c", HOTPLUG_READER % (node, node) + "; read line; echo $line",
                      machine="q35", verbose=True, options=["--qemu", wrapper])
    p = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        q = Qmp(qmp)
        wait_for("the guest reading the disk", lambda: any(
            s["stats"]["rd_operations"] > 100 for s in q.cmd("query-blockstats")), timeout=120)
        q.cmd("device_del", id="disk0")
        wait_for("QEMU's removal of the disk", lambda: "disk0" not in [
            c["name"] for c in q.cmd("qom-list", path="/machine/peripheral")], timeout=60)
        q.close()
        out, err = p.communicate(b"removed\n", timeout=120)
    except OSError:  # QMP's socket went with QEMU: the run's end says why
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, 9)
            p.wait()
    return p.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("device", ["virtio-blk-pci", "nvme"])
def test_disk_removed_mid_io(tmp_path, device):
    """A disk on a native hot-plug port taken away (QMP device_del) while
    a program reads it in a loop: the reads fail with EIO from then on, the
    program goes on, and the guest powers the slot off so QEMU finishes the
    removal (the disk leaves QEMU's device tree while the program waits for
    its stdin) -- no hang, no panic.  QEMU 7.2 itself sometimes dies with
    SIGSEGV while it unplugs a virtio-blk (seen in about one run of four,
    on main before any change here): such a run says nothing of amphi and
    is tried again, up to three times."""
    for attempt in range(3):
        (tmp_path / str(attempt)).mkdir()
        status, out, err = removed_mid_io(tmp_path / str(attempt), device)
        if QEMU_CRASHED not in err:
            break
    else:
        pytest.skip("QEMU crashed in each of three hot-unplugs: " + err[-300:])
    assert status == 0 and out.startswith("the disk left\n") and out.endswith("removed\n"), out + err
    assert "Input/output error" in out, out + err
    said = "nvme0: the device is removed" if device == "nvme" else "vda: the device left"
    assert "leaves bus 01" in err and said in err and "panic" not in err, err
