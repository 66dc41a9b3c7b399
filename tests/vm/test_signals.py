"""Signals: handlers and what they are told, masks, timers, faults turned
into signals, default actions (the exit statuses a shell would see)."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

BASIC = ["kill siginfo", "ucontext", "raise siginfo", "sigqueue siginfo",
         "blocked stays pending", "delivered on unblock", "SA_RESETHAND",
         "SA_NODEFER nests", "deferred without SA_NODEFER",
         "real-time signals queue in order", "sigtimedwait poll", "sigtimedwait timeout",
         "sigtimedwait pending", "sigsuspend", "ignored signals",
         "SIGKILL cannot be caught", "bad signal number", "kill pid checks",
         "bad pointer EFAULT"]


def expect_lines(checks, last):
    return "".join("%s ok\n" % c for c in checks + [last]).encode()


@pytest.mark.parametrize("smp", [1, 2])
def test_basic(smp):
    r = run("signals_basic", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(BASIC, "signals_basic"), b""), \
        r.describe()
