"""kill -9 of QEMU in the middle of a write-heavy run on an ext4 disk, 20
times on the same image (docs/storage.md, "The journal").  The workload
(tests/progs/fs_crash.c) prints a record's number only after its fsync
returned.  After each kill, on a copy of the image, e2fsck replays the
journal and must find nothing else to fix, and every printed record must
be there with its bytes; the next boot of amphi replays the journal
itself and goes on read-write from where the last run stopped.

The moment of each kill comes from a seeded generator; the seed is
printed (run with AMPHI_CRASH_SEED=N to repeat a run)."""
import os
import random
import select
import shutil
import signal
import subprocess
import time

from conftest import ROOT, amphi_argv, run

RUNS = 20
REC = 512

# What e2fsck -fy prints when replaying the journal is all it did.
FSCK_PURE = ("recovering journal", "Pass 1: ", "Pass 2: ", "Pass 3: ", "Pass 4: ", "Pass 5: ")


def record(n):
    head = b"record %d\n" % n
    return head + bytes(32 - len(head)) + bytes((n * 31 + i * 7) & 0xff for i in range(32, REC))


def complete_lines(out):
    """The lines of a killed program's output that it finished writing (a
    kill may cut the last one short: "rec " with its number missing)."""
    return out.decode(errors="replace").split("\n")[:-1]


def printed_records(out):
    return [int(l.split()[1]) for l in complete_lines(out) if l.startswith("rec ")]


def run_until_killed(img, delay):
    """fs_crash on the image, QEMU killed with SIGKILL `delay` seconds
    after the workload started.  Returns its output."""
    argv = amphi_argv("fs_crash", "/data", 1000000, options=["--disk", img + ":/data"])
    p = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    out, deadline, started = b"", time.monotonic() + 60, None
    while time.monotonic() < deadline:
        if started is not None and time.monotonic() >= started + delay:
            break
        ready, _, _ = select.select([p.stdout], [], [], 0.02)
        if ready:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            if started is None and b"start " in out:
                started = time.monotonic()
    os.killpg(p.pid, signal.SIGKILL)  # amphi and its QEMU, at once
    rest, err = p.communicate()
    return out + rest, err


def check_copy(img, tmp_path, printed, why):
    copy = str(tmp_path / "copy.img")
    shutil.copyfile(img, copy)
    fix = subprocess.run(["e2fsck", "-fy", copy], capture_output=True)
    text = fix.stdout.decode()
    assert fix.returncode == 0, why + text
    for line in text.replace(copy + ": ", "").splitlines():
        assert line.startswith(FSCK_PURE) or " files (" in line, why + text
    fsck = subprocess.run(["e2fsck", "-fn", copy], capture_output=True)
    assert fsck.returncode == 0, why + fsck.stdout.decode()
    data = subprocess.run(["debugfs", "-R", "cat /records", copy], capture_output=True).stdout
    have = len(data) // REC
    assert not printed or have > max(printed), why + "%d records, printed up to %d" % (have, max(printed))
    for n in range(have):
        assert data[n * REC:(n + 1) * REC] == record(n), why + "record %d is wrong" % n
    return have


def test_ext4_kill9_journal(tmp_path):
    seed = int(os.environ.get("AMPHI_CRASH_SEED", random.randrange(1 << 30)))
    print("kill -9 test seed", seed)
    rng = random.Random(seed)
    img = str(tmp_path / "crash.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-E", "root_owner=0:0", img, "32M"], check=True)
    have = 0
    for k in range(RUNS):
        why = "seed %d, run %d: " % (seed, k)
        out, err = run_until_killed(img, rng.uniform(0, 2.5))
        lines = complete_lines(out)
        starts = [int(l.split()[1]) for l in lines if l.startswith("start ")]
        # The boot replayed the last kill's journal and mounted read-write:
        # the workload opened its file and found every record there.
        assert starts and starts[0] >= have, why + out.decode() + err.decode()[-2000:]
        assert not any(l.startswith("fs_crash:") for l in lines), why + out.decode()
        printed = printed_records(out)
        have = check_copy(img, tmp_path, printed, why)
        print(why, "started at", starts[0], "printed", len(printed), "records on disk", have)
    # A run that ends normally leaves the journal empty, as an unmount.
    r = run("fs_crash", "/data", 5, options=["--disk", img + ":/data"])
    assert r.status == 0 and r.stdout.endswith(b"rec %d\ndone\n" % (have + 4)), r.describe()
    head = subprocess.run(["dumpe2fs", "-h", img], capture_output=True).stdout.decode()
    assert "needs_recovery" not in head and "Journal start:            0" in head, head
    assert subprocess.run(["e2fsck", "-fn", img], capture_output=True).returncode == 0


ORPHAN = ("exec 3>/data/held; echo held data >&3; rm /data/held; "
          "mkdir /data/cwd; cd /data/cwd; rmdir /data/cwd; sync; echo ready; sleep 100")


def test_orphans_after_a_kill(tmp_path):
    """A file unlinked while open and a removed current directory, made
    durable by sync, then QEMU killed: they are on the orphan list, so the
    next mount frees them (one line) and e2fsck -fn finds the file system
    clean.  Without the list, their inodes would stay with no name and no
    deletion time."""
    img = str(tmp_path / "orphan.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", img, "32M"], check=True)
    argv = amphi_argv("/bin/busybox", "sh", "-c", ORPHAN, options=["--disk", img + ":/data"])
    p = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    out, deadline = b"", time.monotonic() + 60
    while b"ready" not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], 0.1)
        chunk = os.read(p.stdout.fileno(), 4096) if ready else b""
        if ready and not chunk:
            break
        out += chunk
    os.killpg(p.pid, signal.SIGKILL)
    p.communicate()
    assert b"ready" in out, out
    for _ in range(100):  # the killed QEMU may hold the image's lock a moment longer
        r = run("/bin/busybox", "ls", "/data", verbose=True, options=["--disk", img + ":/data"])
        if b"in use by another" not in r.stderr:
            break
        time.sleep(0.1)
    assert (r.status, r.stdout) == (0, b"lost+found\n"), r.describe()
    assert "ext4: vda: 2 orphan inodes freed" in r.stderr.decode(), r.describe()
    fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True)
    assert fsck.returncode == 0, fsck.stdout.decode()
