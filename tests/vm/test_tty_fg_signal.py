"""^C typed at amphi's terminal reaches the guest terminal's foreground
process group, as Linux's line discipline sends it, not only the first
process (a shell that gave the terminal to a job): tty_fg_signal's child
leads a group the parent made the foreground, and ^C written to the pty
must end its wait while the parent sees none.  Linux's transcript is the
same program's, built with the host's compiler and driven the same way."""

import os
import pty
import select
import time

import pytest

from conftest import amphi_argv

pytestmark = pytest.mark.usefixtures("amphi_works")

EXPECTED = """\
ready
^Cthe foreground group got SIGINT
child: exit 0
the session leader: no SIGINT
"""


def ctrl_c_when_ready(argv, limit=60):
    """argv as a session leader on a new pty, ^C typed once it says
    ready: (output with \\r dropped, exit status or None if it hung)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    out, sent, deadline = b"", False, time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            if not select.select([fd], [], [], 1)[0]:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:	# EIO: the other side is closed
                break
            if not data:
                break
            out += data
            if not sent and b"ready\n" in out.replace(b"\r", b""):
                os.write(fd, b"\x03")
                sent = True
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return out.replace(b"\r", b"").decode(), None
        return out.replace(b"\r", b"").decode(), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    finally:
        os.close(fd)


def test_ctrl_c_reaches_the_foreground_group():
    out, status = ctrl_c_when_ready(amphi_argv("tty_fg_signal"))
    assert (status, out) == (0, EXPECTED), out
