"""SO_LINGER (600 s) with unsent data: a close that a signal interrupts,
and the exit of a process killed by SIGKILL, end at once as on Linux
(net_linger_signal).  amphi once spun in the linger wait while the signal
waited, until the whole time was spent: the run did not finish (or the
lockup detector ended it)."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

WANT = """close with SIGALRM coming: 0, handler ran: yes
killed child: SIGKILL
net_linger_signal done
"""


def test_linger_ends_on_signal():
    expect(run("net_linger_signal"), WANT)
