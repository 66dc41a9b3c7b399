"""membarrier(2) (tests/progs/membarrier_calls.c).  "calls" matches Linux
6.18's transcript for the same program built with musl, except QUERY's
mask: 639 here against the host's 1023, whose two more bits are the rseq
commands, which a Linux without CONFIG_RSEQ leaves out too (amphi has no
rseq).  "order" runs the store-buffering pattern membarrier exists for on
2 and 4 CPUs: with a compiler barrier in membarrier's place both sides
read 0 in 581 of 20000 rounds; with it, never.  Before, membarrier was
ENOSYS."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

CALLS = (
    "QUERY: 639\n"
    "GLOBAL: 0\n"
    "PRIVATE_EXPEDITED unregistered: EPERM\n"
    "GLOBAL_EXPEDITED: 0\n"
    "REGISTER_PRIVATE_EXPEDITED: 0\n"
    "PRIVATE_EXPEDITED: 0\n"
    "SYNC_CORE unregistered: EPERM\n"
    "REGISTER_SYNC_CORE: 0\n"
    "SYNC_CORE: 0\n"
    "REGISTER_GLOBAL_EXPEDITED: 0\n"
    "GET_REGISTRATIONS: 84\n"
    "flags 1: EINVAL, command 3: EINVAL, command 1<<12: EINVAL, -1: EINVAL\n"
    "QUERY with flags: EINVAL\n"
    "forked child: GET_REGISTRATIONS 84, PRIVATE_EXPEDITED 0\n"
    "after exec: GET_REGISTRATIONS 0, PRIVATE_EXPEDITED EPERM\n")


def test_membarrier_calls():
    expect(run("membarrier_calls", "calls"), CALLS)


@pytest.mark.parametrize("smp", [2, 4])
def test_membarrier_orders(smp):
    expect(run("membarrier_calls", "order", smp=smp), "20000 rounds, both read 0: 0 times\n")
