"""The host tool against a hostile guest: everything on the serial line is
the guest's to say, so a --qemu stand-in (fake_qemu.py) says what a
compromised kernel could.  No VM boots: amphi run and amphi server start
read the bytes as they would read QEMU's.

amphi must show the program's output exactly however the frames are cut,
end with a clear status, keep what it holds bounded, never let the guest
pass off a malformed exit frame as a status, and never let the guest's
own text (kernel messages) reach the user's terminal or the server's log
with control bytes that a terminal would act on (docs/protocol.md)."""

import os
import random
import struct
import subprocess
import sys

from conftest import AMPHI, ROOT, amphi_argv, spawn

SYNC = b"\x01AMPHI1\n"
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_qemu.py")


def frame(kind, payload=b""):
    return kind.encode() + struct.pack("<H", len(payload)) + payload


def exit_frame(status):
    return frame("X", struct.pack("<i", status))


def fake(tmp_path, data, chunk=4096, sleep=0.2, name="qemu-fake", truncate=False):
    """A --qemu wrapper that writes data, chunk bytes at a time, then
    stays sleep seconds and exits 0 (with truncate, first truncates what
    its network server's slot hands over: fake_qemu.py)."""
    (tmp_path / (name + ".bin")).write_bytes(data)
    path = tmp_path / name
    path.write_text("#!/bin/sh\nexec %s %s %s %d %s%s\n"
                    % (sys.executable, FAKE, tmp_path / (name + ".bin"), chunk, sleep,
                       ' truncate "$@"' if truncate else ""))
    path.chmod(0o755)
    return str(path)


def run_fake(tmp_path, data, chunk=4096, sleep=0.2, verbose=False, timeout=None, limit=30):
    q = fake(tmp_path, data, chunk, sleep)
    r = spawn(amphi_argv("hello", verbose=verbose, timeout=timeout, options=["--qemu", q]),
              limit=limit)
    assert r.status is not None, "amphi hung\n" + r.describe()
    return r


def test_frames_cut_at_every_byte(tmp_path):
    """Random O, E and K frames behind garbage, written a byte at a time
    and seven at a time: stdout and stderr are exactly the O and E bytes."""
    rng = random.Random(7)
    data, out, err = b"\x01AMPHI garbage\x01AMP" + SYNC, b"", b""
    for _ in range(300):
        kind = rng.choice("OEK")
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(50)))
        data += frame(kind, payload)
        out += payload if kind == "O" else b""
        err += payload if kind == "E" else b""
    data += exit_frame(7)
    for chunk in (1, 7):
        r = run_fake(tmp_path, data, chunk)
        assert (r.status, r.stdout, r.stderr) == (7, out, err), r.describe()


def test_a_bad_header_waits_for_the_sync_string(tmp_path):
    """A header of an unknown type or over 4096 bytes: what follows is
    skipped until the sync string comes again."""
    data = (SYNC + frame("O", b"one\n") + b"Z\x01\x00" + frame("O", b"lost\n") + SYNC
            + frame("O", b"two\n") + b"O\x01\x10" + frame("O", b"lost\n") + SYNC
            + exit_frame(0))
    r = run_fake(tmp_path, data)
    assert (r.status, r.stdout) == (0, b"one\ntwo\n"), r.describe()


def test_an_exit_status_out_of_range_is_no_status(tmp_path):
    """The kernel sends 0..255.  An X of 256 must not end the run as a
    success (it did: amphi took the low byte), nor -1 as 255: the VM ended
    without a status, 125, and amphi says the frame was malformed.  So is
    an X of the wrong size."""
    for x in (exit_frame(256), exit_frame(-1), exit_frame(0x10000), frame("X", b"\x00\x00")):
        r = run_fake(tmp_path, SYNC + frame("O", b"hi\n") + x)
        text = r.stderr.decode("utf-8", "replace")
        assert r.status == 125 and r.stdout == b"hi\n", r.describe()
        assert "without an exit status" in text and "malformed" in text, r.describe()
    r = run_fake(tmp_path, SYNC + exit_frame(255))
    assert (r.status, r.stderr) == (255, b""), r.describe()


HOSTILE = b"boot \x1b]0;owned\x07 \x1b[2J\x1b[H\r\x00\x7f done\n"
ESCAPED = b"boot \\x1b]0;owned\\x07 \\x1b[2J\\x1b[H\\x0d\\x00\\x7f done\n"


def test_kernel_messages_are_escaped_on_failure(tmp_path):
    """The kernel's messages amphi prints when the VM fails: control bytes
    escaped (on main they reached the terminal as they were: a window
    title set, the screen cleared)."""
    r = run_fake(tmp_path, SYNC + frame("K", HOSTILE) + frame("P", b"oops\x1b[2J\n"))
    assert r.status == 125, r.describe()
    assert ESCAPED in r.stderr and b"\x1b" not in r.stderr, r.describe()
    assert b"amphi: kernel panic: oops\\x1b[2J\n" in r.stderr, r.describe()


def test_kernel_messages_are_escaped_with_v(tmp_path):
    """The same with -v, where they come as they arrive; the program's own
    standard error stays as the program wrote it."""
    r = run_fake(tmp_path, SYNC + frame("K", HOSTILE) + frame("E", b"\x1b[1mbold\n")
                 + exit_frame(0), verbose=True)
    assert r.status == 0, r.describe()
    assert ESCAPED in r.stderr and r.stderr.count(b"\x1b") == 1, r.describe()
    assert b"\x1b[1mbold\n" in r.stderr, r.describe()


def test_a_kernel_message_flood_is_bounded(tmp_path):
    """16 MiB of kernel messages and no exit status: amphi keeps the last
    64 KiB (docs/amphi.md), so its report is that and no more."""
    line = frame("K", b"k" * 4095 + b"\n")
    r = run_fake(tmp_path, SYNC + line * 4096, limit=60)
    assert r.status == 125, r.describe()
    assert 60000 < len(r.stderr) < 70000, r.describe()


def test_a_guest_that_never_ends_meets_the_timeout(tmp_path):
    """Output and then silence, with QEMU still there: --timeout ends it."""
    r = run_fake(tmp_path, SYNC + frame("O", b"hi\n"), sleep=60, timeout=2)
    assert (r.status, r.stdout) == (124, b"hi\n"), r.describe()


def test_server_start_escapes_the_server_vms_messages(tmp_path):
    """amphi server start -v shows the server VM's messages until it is
    ready, and server.log keeps them: both escaped."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = dict(os.environ, AMPHI_RUNTIME_DIR=str(runtime))
    q = fake(tmp_path, SYNC + frame("K", HOSTILE) + frame("R"), sleep=60)
    argv = [AMPHI, "server", "start", "--accel", "tcg", "-v", "--qemu", q, "hg"]
    try:
        r = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert ESCAPED in r.stderr and b"\x1b" not in r.stderr, r.stderr
        log = (runtime / "hg" / "server.log").read_bytes()
        assert ESCAPED in log and b"\x1b" not in log, log
    finally:
        subprocess.run([AMPHI, "server", "stop", "hg"], cwd=ROOT, env=env, capture_output=True,
                       timeout=60)


def test_a_slots_region_cannot_be_truncated(tmp_path):
    """The app's QEMU holds its slot's region (a memfd of the
    supervisor's).  One gone bad truncated it, and the supervisor, which
    maps it, died of SIGBUS at the next app's attach: every app of the
    server lost it.  The region is sealed against shrinking and growing:
    the next app runs and status answers."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = dict(os.environ, AMPHI_RUNTIME_DIR=str(runtime))
    server = fake(tmp_path, SYNC + frame("R"), sleep=60, name="server")
    hello = SYNC + frame("O", b"hi\n") + exit_frame(0)
    bad = fake(tmp_path, hello, name="bad", truncate=True)
    good = fake(tmp_path, hello, name="good")

    def amphi(*args):
        return subprocess.run([AMPHI] + list(args), cwd=ROOT, env=env, capture_output=True,
                              timeout=60)
    try:
        r = amphi("server", "start", "--accel", "tcg", "--slots", "1", "--qemu", server, "hg")
        assert r.returncode == 0, r.stderr
        for q in (bad, good):
            r = amphi("run", "--accel", "tcg", "--server", "hg", "--qemu", q, "build/progs/hello")
            assert (r.returncode, r.stdout) == (0, b"hi\n"), r.stderr
        r = amphi("server", "status", "hg")
        assert r.returncode == 0 and b"server hg" in r.stdout, r.stderr
    finally:
        amphi("server", "stop", "hg")
