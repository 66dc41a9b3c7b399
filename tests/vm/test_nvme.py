"""NVMe disks (`amphi run --disk FILE,if=nvme`), as a user sees them: the
guest reads /dev/nvme0n1 where the host wrote, its writes and fsyncs land
in the image byte for byte (large ones too, through PRP lists), two vCPUs
use two queues, partitions of a GPT image are nvme0n1p1.., discard zeroes
the image's range, and a controller that stops answering gives EIO, not a
hang.  The guest side is tests/progs/blkio.c (shared with test_disk.py).
"""

import json
import os
import random
import shutil
import subprocess
import zlib

import pytest

from conftest import PROGS, ROOT, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BLKIO = os.path.join(PROGS, "blkio")
BUSYBOX = "/bin/busybox"
MIB = 1 << 20


def pattern(seed, n):
    """blkio's write pattern: byte i is (i * 131 + seed + i / 4099) & 0xff."""
    return bytes((i * 131 + seed + i // 4099) & 0xff for i in range(n))


def make_image(path, size, seed=1):
    """size bytes of seeded random data, so every offset is told apart."""
    data = random.Random(seed).randbytes(size)
    with open(path, "wb") as f:
        f.write(data)
    return data


def nvme(img):
    return ["--disk", "%s,if=nvme" % img]


def with_blkio(tmp_path):
    """--files putting blkio in the guest's PATH, for busybox sh to run."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shutil.copy(os.path.join(ROOT, BLKIO), bindir / "blkio")
    return ["--files", "%s:/usr/local/bin" % bindir]


def crc_line(dev, data, off, n):
    return "%s %d %d %08x" % (dev, off, n, zlib.crc32(data[off:off + n]))


def test_reads_what_the_host_wrote(tmp_path):
    img = str(tmp_path / "disk.img")
    data = make_image(img, 8 * MIB)
    dev = "/dev/nvme0n1"
    # One sector, odd offsets and sizes (the block layer rounds them), a
    # read over two pages, and one of 1 MiB + 4 KiB (PRP lists, more than
    # one command).
    spans = [(0, 512), (512 * 9, 4096), (4096 - 200, 600), (5 * MIB + 123, 9000),
             (MIB + 512, MIB + 4096), (8 * MIB - 512, 512)]
    steps = ["info:%s" % dev] + ["sum:%s:%d:%d" % (dev, o, n) for o, n in spans]
    steps.append("read:%s:%d:%d" % (dev, 3 * MIB + 17, 70000))
    r = run(BLKIO, *steps, options=nvme(img))
    want = ["%s size %d sectors %d ssz 512 pbsz 512 ro 0 end %d" % (dev, 8 * MIB, 8 * MIB // 512, 8 * MIB)]
    want += [crc_line(dev, data, o, n) for o, n in spans]
    want.append(crc_line(dev, data, 3 * MIB + 17, 70000))
    assert (r.status, r.stdout.decode().splitlines(), r.stderr) == (0, want, b""), r.describe()


def test_writes_land_in_the_image(tmp_path):
    img = str(tmp_path / "disk.img")
    data = bytearray(make_image(img, 8 * MIB, seed=2))
    dev = "/dev/nvme0n1"
    # Sector-aligned and not, and a 1.5 MiB write that starts inside a
    # page: several commands, each with a PRP list.
    writes = [(0, 512, 7), (4096 * 3, 8192, 11), (MIB + 700, 3000, 13),
              (3 * MIB + 512, 3 * MIB // 2, 17)]
    steps = ["write:%s:%d:%d:%d" % (dev, o, n, s) for o, n, s in writes]
    r = run(BLKIO, *steps, options=nvme(img))
    want = ["wrote %s %d %d" % (dev, o, n) for o, n, s in writes]
    assert (r.status, r.stdout.decode().splitlines(), r.stderr) == (0, want, b""), r.describe()
    for o, n, s in writes:
        data[o:o + n] = pattern(s, n)
    with open(img, "rb") as f:
        got = f.read()
    assert len(got) == len(data)
    for o, n, s in writes:
        assert got[o:o + n] == data[o:o + n], "write at %d not in the image" % o
    assert got == bytes(data), "bytes outside the writes changed"


def test_two_cpus_two_queues(tmp_path):
    """--smp 2: a queue pair per CPU, each CPU's requests on its own queue
    and its completions on its own vector; a writer pinned to each CPU."""
    img = str(tmp_path / "disk.img")
    data = bytearray(make_image(img, 8 * MIB, seed=3))
    dev = "/dev/nvme0n1"
    script = ("taskset 1 blkio write:{d}:0:{n}:21 sum:{d}:0:{n} > /tmp/a & "
              "taskset 2 blkio write:{d}:{o}:{n}:23 sum:{d}:{o}:{n} > /tmp/b & "
              "wait; cat /tmp/a /tmp/b").format(d=dev, n=2 * MIB, o=4 * MIB)
    r = run(BUSYBOX, "sh", "-c", script, verbose=True,
            options=nvme(img) + with_blkio(tmp_path))
    data[0:2 * MIB] = pattern(21, 2 * MIB)
    data[4 * MIB:6 * MIB] = pattern(23, 2 * MIB)
    want = ["wrote %s 0 %d" % (dev, 2 * MIB), crc_line(dev, data, 0, 2 * MIB),
            "wrote %s %d %d" % (dev, 4 * MIB, 2 * MIB), crc_line(dev, data, 4 * MIB, 2 * MIB)]
    assert (r.status, r.stdout.decode().splitlines()) == (0, want), r.describe()
    assert b"nvme0: 2 I/O queues on MSI-X" in r.stderr, r.describe()
    with open(img, "rb") as f:
        assert f.read() == bytes(data)


def test_partitions(tmp_path):
    """nvme0n1p1 and p2 of a GPT image, with Linux's numbers (major 259,
    minors in registration order) in /proc/partitions."""
    img = str(tmp_path / "disk.img")
    make_image(img, 16 * MIB, seed=4)
    subprocess.run(["sfdisk", "-q", img], input=b"label: gpt\nstart=2048, size=8M\n,\n",
                   check=True)
    with open(img, "rb") as f:
        data = bytearray(f.read())
    table = json.loads(subprocess.run(["sfdisk", "-J", img], stdout=subprocess.PIPE,
                                      check=True).stdout)["partitiontable"]["partitions"]
    p1, p2 = (p["start"] * 512 for p in table)
    p2_size = table[1]["size"] * 512
    r = run(BUSYBOX, "sh", "-c", "cat /proc/partitions; blkio sum:/dev/nvme0n1p1:0:4096 "
            "sum:/dev/nvme0n1p2:1000:5000 info:/dev/nvme0n1p2 write:/dev/nvme0n1p2:%d:4096:29"
            % MIB, options=nvme(img) + with_blkio(tmp_path))
    data[p2 + MIB:p2 + MIB + 4096] = pattern(29, 4096)
    want = ["major minor  #blocks  name", "",
            " 259        0      16384 nvme0n1",
            " 259        1       8192 nvme0n1p1",
            " 259        2 %10d nvme0n1p2" % (p2_size // 1024),
            crc_line("/dev/nvme0n1p1", data[p1:], 0, 4096),
            crc_line("/dev/nvme0n1p2", data[p2:], 1000, 5000),
            "/dev/nvme0n1p2 size %d sectors %d ssz 512 pbsz 512 ro 0 end %d"
            % (p2_size, p2_size // 512, p2_size),
            "wrote /dev/nvme0n1p2 %d 4096" % MIB]
    assert (r.status, r.stdout.decode().splitlines(), r.stderr) == (0, want, b""), r.diff(
        "\n".join(want) + "\n")
    with open(img, "rb") as f:
        assert f.read() == bytes(data)


def nvme_wrapper(tmp_path, img, drive_opts, append=None):
    """A --qemu wrapper adding an NVMe controller over img with QEMU drive
    options --disk does not give (and the kernel command line append)."""
    wrapper = tmp_path / "qemu-wrapper"
    wrapper.write_text(
        "#!/bin/sh\nexec %s \"$@\" %s-drive if=none,id=d0,file=%s,format=raw,%s "
        "-device nvme,serial=amphi0,drive=d0\n"
        % (shutil.which("qemu-system-x86_64"), "-append %s " % append if append else "",
           img, drive_opts))
    wrapper.chmod(0o755)
    return ["--qemu", str(wrapper)]


def test_discard_deallocates(tmp_path):
    """Dataset Management deallocate, with QEMU passing discards on to the
    image (discard=unmap: QEMU drops them by default)."""
    img = str(tmp_path / "disk.img")
    data = make_image(img, 8 * MIB, seed=5)
    r = run(BLKIO, "discard:/dev/nvme0n1:%d:%d" % (MIB, 2 * MIB),
            options=nvme_wrapper(tmp_path, img, "discard=unmap"))
    assert (r.status, r.stdout, r.stderr) == (0, b"discarded /dev/nvme0n1 %d %d\n" % (MIB, 2 * MIB),
                                              b""), r.describe()
    with open(img, "rb") as f:
        got = f.read()
    assert got[MIB:3 * MIB] == bytes(2 * MIB), "the discarded range does not read as zeroes"
    assert got[:MIB] == data[:MIB] and got[3 * MIB:] == data[3 * MIB:]


def test_stalled_controller_gives_eio(tmp_path):
    """A controller that stops answering (QEMU throttled to 64 bytes a
    second, so a read takes minutes) is switched off after
    nvme.timeout_ms: reads fail with EIO and the program ends."""
    img = str(tmp_path / "disk.img")
    make_image(img, MIB, seed=6)
    r = run(BLKIO, "sum:/dev/nvme0n1:0:4096", verbose=True,
            options=nvme_wrapper(tmp_path, img, "throttling.bps-total=64",
                                 append="nvme.timeout_ms=1500"))
    assert (r.status, r.stdout) == (1, b"FAIL read /dev/nvme0n1: EIO\n"), r.describe()
    assert b"nvme0: a command got no answer in time" in r.stderr, r.describe()


def test_namespaces_and_a_shared_queue(tmp_path):
    """A controller with namespaces 1 and 3 (the second with 4 KiB blocks)
    and one I/O queue pair for two vCPUs: nvme0n1 and nvme0n2, in the
    order of the active namespace list, both on the one queue."""
    imgs = [str(tmp_path / "ns1.img"), str(tmp_path / "ns3.img")]
    data = [make_image(imgs[0], 2 * MIB, seed=7), bytearray(make_image(imgs[1], 3 * MIB, seed=8))]
    wrapper = tmp_path / "qemu-wrapper"
    wrapper.write_text(
        "#!/bin/sh\nexec %s \"$@\" -drive if=none,id=d1,file=%s,format=raw "
        "-drive if=none,id=d3,file=%s,format=raw "
        "-device nvme,id=nvc,serial=amphi0,max_ioqpairs=1 "
        "-device nvme-ns,drive=d1,bus=nvc,nsid=1 "
        "-device nvme-ns,drive=d3,bus=nvc,nsid=3,logical_block_size=4096,physical_block_size=4096\n"
        % (shutil.which("qemu-system-x86_64"), imgs[0], imgs[1]))
    wrapper.chmod(0o755)
    n1, n2 = "/dev/nvme0n1", "/dev/nvme0n2"
    r = run(BLKIO, "info:" + n1, "info:" + n2, "sum:%s:4096:8192" % n1,
            "write:%s:%d:%d:31" % (n2, 5000, MIB + 3000), "sum:%s:0:%d" % (n2, 3 * MIB),
            verbose=True, options=["--qemu", str(wrapper)])
    data[1][5000:5000 + MIB + 3000] = pattern(31, MIB + 3000)
    want = ["%s size %d sectors %d ssz 512 pbsz 512 ro 0 end %d" % (n1, 2 * MIB, 4096, 2 * MIB),
            "%s size %d sectors %d ssz 4096 pbsz 4096 ro 0 end %d" % (n2, 3 * MIB, 6144, 3 * MIB),
            crc_line(n1, data[0], 4096, 8192),
            "wrote %s 5000 %d" % (n2, MIB + 3000),
            crc_line(n2, data[1], 0, 3 * MIB)]
    assert (r.status, r.stdout.decode().splitlines()) == (0, want), r.describe()
    assert b"nvme0: 1 I/O queue on MSI-X" in r.stderr, r.describe()
    with open(imgs[1], "rb") as f:
        assert f.read() == bytes(data[1])


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_nvme_beside_another_disk_boots(tmp_path, machine):
    """An NVMe disk beside a second disk grows the firmware's tables until
    SeaBIOS reserves the RAM where QEMU's loader put the initrd's end: the
    kernel panicked adopting those pages (page_adopt's BUG_ON) before the
    program started.  Now they are copied, and never freed."""
    for name in ("a.img", "b.img"):
        make_image(str(tmp_path / name), 4 * MIB)
    r = run("hello", machine=machine, smp=1,
            options=["--disk", str(tmp_path / "a.img")] + nvme(tmp_path / "b.img"))
    assert (r.status, r.stdout) == (0, b"hello from amphi\n"), r.describe()
