"""TOSTOP on the console, as on Linux: tcsetattr keeps it (tcgetattr reads
it back), and then a background group that writes the terminal is
stopped by SIGTTOU, or writes when it ignores SIGTTOU; with TOSTOP clear
the background writes (tty_tostop on a pty, against Linux's transcript
of the same program run the same way).  amphi used to drop every
tcsetattr: TOSTOP read back clear and background writes always went
through."""

import pytest

from conftest import amphi_argv
from ptys import typed_at

pytestmark = pytest.mark.usefixtures("amphi_works")

EXPECTED = """\
TOSTOP set, reads back: 1
background write: stopped 22
background write
background write, SIGTTOU ignored: exit 0
TOSTOP clear, reads back: 0
background write
background write: exit 0
tty_tostop done
"""


def test_tostop_stops_background_writers():
    out, status = typed_at(amphi_argv("tty_tostop"))
    assert (status, out) == (0, EXPECTED), out
