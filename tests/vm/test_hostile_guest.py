"""The host tool against a hostile guest: everything on the serial line is
the guest's to say, so a --qemu stand-in (fake_qemu.py) says what a
compromised kernel could.  No VM boots: amphi run reads the bytes as they would read QEMU's.

amphi must show the program's output exactly however the frames are cut,
end with a clear status, keep what it holds bounded, never let the guest
pass off a malformed exit frame as a status (docs/protocol.md)."""

import os
import random
import struct
import sys

from conftest import amphi_argv, spawn

SYNC = b"\x01AMPHI1\n"
FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_qemu.py")


def frame(kind, payload=b""):
    return kind.encode() + struct.pack("<H", len(payload)) + payload


def exit_frame(status):
    return frame("X", struct.pack("<i", status))


def fake(tmp_path, data, chunk=4096, sleep=0.2):
    """A --qemu wrapper that writes data, chunk bytes at a time, then
    stays sleep seconds and exits 0."""
    (tmp_path / "guest.bin").write_bytes(data)
    path = tmp_path / "qemu-fake"
    path.write_text("#!/bin/sh\nexec %s %s %s %d %s\n"
                    % (sys.executable, FAKE, tmp_path / "guest.bin", chunk, sleep))
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
