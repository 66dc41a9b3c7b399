"""A TCP connection whose peer closed first, then we shut our sending side
(LAST_ACK), read the end and closed (tcp_close_after_last_ack).  Seen once
as a panic in test_netserver_hostile.py (a paused server held back the ACK
of the app's FIN until after its read): lwIP freed the connection on that
ACK without telling its netconn, and close(2) freed it again, "kfree of a
pointer kmalloc did not return".  A read that came after the ACK said
ENOTCONN instead of 0.  Over loopback, with sleeps putting the ACK before
the read or between the read and the close; both failed every run
before the fix (lwIP patch 16, ERR_CLSD in inet_event)."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

ROUNDS = 6


@pytest.mark.parametrize("smp", [2, 4])
def test_close_after_last_ack(smp):
    expect(run("tcp_close_after_last_ack", ROUNDS, smp=smp), "ok %d\n" % ROUNDS)
