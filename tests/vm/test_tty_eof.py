"""^D typed at amphi's terminal ends one read of the program's, not its
standard input, as on Linux: tty_eof reads a line, meets the ^D (0
bytes), then reads the line typed after it.  amphi used to stop reading
its terminal at the first ^D and the guest to answer every later read
with 0 (an interactive shell ended when a program it ran took a ^D).
The transcript is Linux's: the same program, built with the host's
compiler, on a pty typed to the same way."""

import pytest

from conftest import amphi_argv
from ptys import typed_at

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


def test_ctrl_d_ends_one_read():
    out, status = typed_at(amphi_argv("tty_eof"), TYPED)
    assert (status, out) == (0, EXPECTED), out
