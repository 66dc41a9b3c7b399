"""shutdown() of a listening TCP socket while other threads are in accept
or poll on it (net_listen_shutdown): the kernel once freed lwIP's accept
mailbox under them and panicked, and an accept it woke said ENOTCONN.
Linux's transcript: EINVAL for every accept from then on, POLLHUP."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

ROUNDS = 40

WANT = """blocked accept: EINVAL
accept after shutdown: EINVAL
poll after shutdown: POLLHUP
%d rounds: accept ended with EINVAL, poll with POLLHUP
""" % ROUNDS


@pytest.mark.parametrize("smp", [2, 4])
def test_listen_shutdown_under_accept_and_poll(smp):
    expect(run("net_listen_shutdown", ROUNDS, smp=smp), WANT)
