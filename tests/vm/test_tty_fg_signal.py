"""^C typed at amphi's terminal reaches the guest terminal's foreground
process group, as Linux's line discipline sends it, not only the first
process (a shell that gave the terminal to a job): tty_fg_signal's child
leads a group the parent made the foreground, and ^C written to the pty
must end its wait while the parent sees none.  Linux's transcript is the
same program's, built with the host's compiler and driven the same way."""

import pytest

from conftest import amphi_argv
from ptys import typed_at

pytestmark = pytest.mark.usefixtures("amphi_works")

EXPECTED = """\
ready
^Cthe foreground group got SIGINT
child: exit 0
the session leader: no SIGINT
"""


def test_ctrl_c_reaches_the_foreground_group():
    out, status = typed_at(amphi_argv("tty_fg_signal"), [(b"ready\n", b"\x03")])
    assert (status, out) == (0, EXPECTED), out
