"""^D typed at amphi's terminal ends one read of the program's, not its
standard input, as on Linux: tty_eof reads a line, meets the ^D (0
bytes), then reads the line typed after it.  amphi used to stop reading
its terminal at the first ^D and the guest to answer every later read
with 0 (an interactive shell ended when a program it ran took a ^D).
The transcript is Linux's: the same program, built with the host's
compiler, on a pty typed to the same way."""

import os
import pty
import select
import time

import pytest

from conftest import amphi_argv

pytestmark = pytest.mark.usefixtures("amphi_works")

EXPECTED = """\
first line?
abc
read 4
end?
read 0
the rest?
more
read 5
"""

TYPED = [(b"first line?\n", b"abc\n"), (b"end?\n", b"\x04"), (b"the rest?\n", b"more\n")]


def typed_at(argv, script, limit=60):
    """argv as a session leader on a new pty, each (prompt, keys) of script
    typed once the output holds prompt: (output with \\r dropped, status
    or None if it hung)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(argv[0], argv)
    out, step, deadline = b"", 0, time.monotonic() + limit
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
            while step < len(script) and script[step][0] in out.replace(b"\r", b""):
                os.write(fd, script[step][1])
                step += 1
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return out.replace(b"\r", b"").decode(), None
        return out.replace(b"\r", b"").decode(), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    finally:
        os.close(fd)


def test_ctrl_d_ends_one_read():
    out, status = typed_at(amphi_argv("tty_eof"), TYPED)
    assert (status, out) == (0, EXPECTED), out
