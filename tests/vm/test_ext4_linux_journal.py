"""The journal across kernels: Linux 6.1 (Debian's, from `make bench`'s
deps/linux; skipped without it) replays a journal amphi left by a kill -9,
and amphi replays one Linux left (revoke records, csum v3, 64-bit tags).
Each time the records the killed run printed are there with their bytes
and e2fsck -fn passes with nothing to say.  See docs/storage.md, "The
journal"."""
import glob
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run
from test_ext4_crash import REC, printed_records, record, run_until_killed

sys.path.insert(0, os.path.join(ROOT, "bench"))
import diskbench  # noqa: E402

KERNELS = sorted(glob.glob(os.path.join(ROOT, "deps", "linux", "root", "boot", "vmlinuz-*")))
pytestmark = pytest.mark.skipif(not KERNELS, reason="no Linux kernel in deps/linux (make bench)")
B = "/bin/busybox "


def linux_argv(tmp_path, img, lines):
    initrd = str(tmp_path / "initrd.cpio")
    diskbench.linux_initramfs(initrd, KERNELS[-1], "/bin/busybox", os.path.join(ROOT, "build/progs/fs_crash"),
                              ("virtio_pci", "virtio_blk"), lines)
    return ["qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-cpu", "max", "-smp", "1,maxcpus=2",
            "-m", "256M", "-display", "none", "-nodefaults", "-no-reboot", "-serial", "stdio",
            "-kernel", KERNELS[-1], "-initrd", initrd,
            "-drive", "file=%s,if=none,id=d0,format=raw,cache=writeback" % img,
            "-device", "virtio-blk-pci,drive=d0", "-append", "console=ttyS0 quiet panic=-1"]


def check_image(img, printed):
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    text = fsck.stdout.decode()
    assert fsck.returncode == 0 and "wrong" not in text, text
    data = subprocess.run(["debugfs", "-R", "cat /records", img], capture_output=True).stdout
    assert printed and len(data) // REC > max(printed), "%d records" % (len(data) // REC)
    for n in range(len(data) // REC):
        assert data[n * REC:(n + 1) * REC] == record(n), "record %d" % n


def test_linux_replays_amphis_journal(tmp_path):
    img = str(tmp_path / "a.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", img, "32M"], check=True)
    out, _ = run_until_killed(img, 1.5)
    printed = printed_records(out)
    head = subprocess.run(["dumpe2fs", "-h", img], capture_output=True).stdout.decode()
    assert "needs_recovery" in head and "journal_checksum_v3" in head, head
    r = subprocess.run(linux_argv(tmp_path, img, [
        B + "mount -t ext4 /dev/vda /mnt && echo MOUNTED",
        B + "dmesg | " + B + "grep -c 'EXT4-fs (vda): recovery complete'",
        B + "umount /mnt && echo UNMOUNTED"]), capture_output=True, timeout=300)
    lines = r.stdout.decode(errors="replace").split()
    assert "MOUNTED" in lines and "UNMOUNTED" in lines and "1" in lines, r.stdout.decode()
    check_image(img, printed)


def test_amphi_replays_linuxs_journal(tmp_path):
    img = str(tmp_path / "l.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", img, "32M"], check=True)
    p = subprocess.Popen(linux_argv(tmp_path, img, [
        B + "mount -t ext4 -o commit=1 /dev/vda /mnt && echo MOUNTED", "/fs_crash /mnt 1000000"]),
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    out, deadline = b"", time.monotonic() + 120
    while out.count(b"\nrec ") < 300 and time.monotonic() < deadline:
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
    os.killpg(p.pid, signal.SIGKILL)
    out += p.communicate()[0]
    printed = printed_records(out)
    head = subprocess.run(["dumpe2fs", "-h", img], capture_output=True).stdout.decode()
    assert "needs_recovery" in head and "journal_incompat_revoke" in head, head
    r = run("/bin/busybox", "sh", "-c", "wc -c < /data/records && echo more > /data/after",
            verbose=True, options=["--disk", img + ":/data"])
    assert r.status == 0 and r.stderr.count(b"ext4: vda: journal replayed") == 1, r.describe()
    assert int(r.stdout.split()[0]) // REC > max(printed), r.describe()
    check_image(img, printed)
