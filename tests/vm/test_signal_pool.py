"""The siginfos queued for signals are one pool for the whole machine
(1024, signal.c): what is sent to a process whose last thread is ending
must not stay in it."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_signals_sent_to_an_ending_process_do_not_leak():
    """A child floods its parent with kill(SIGRTMIN) while the parent's
    teardown runs.  Before the fix, signals queued after the last thread
    had emptied the queue were never freed: after three rounds a fresh
    process could queue no real-time signal at all (sigqueue: EAGAIN)."""
    r = run("sig_exiting_leak")
    assert r.status == 0 and r.stderr == b"", r.describe()
    counts = dict(line.split(": ") for line in r.stdout.decode().splitlines())
    assert int(counts["room before"]) > 0, r.describe()
    assert counts["room after"] == counts["room before"], r.describe()
