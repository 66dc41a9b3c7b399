"""Two threads connecting one AF_UNIX stream socket at once
(net_unix_connect_race): one succeeds, the other gets EISCONN, as on Linux.
Before the fix both could succeed, the first connection's server end then
never seeing end of file.  Whether the two overlap is up to the scheduler:
on 4 CPUs the unfixed kernel failed within 77 rounds in each of 8 runs; a
right kernel never fails this."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_concurrent_connects_on_one_unix_socket():
    expect(run("net_unix_connect_race", 200, smp=4), "200 rounds: one connect, one EISCONN\n")
