"""SO_RCVLOWAT on TCP at its edges, against Linux 6.18's transcript
(tests/progs/rcvlowat_edge.c run natively as uid 65534): a MSG_PEEK
waits for the low mark as a read does, and MSG_PEEK|MSG_WAITALL for the
whole length (Linux's tcp_recvmsg takes its target from both); poll()
says readable only once the mark is queued (tcp_poll); and the mark is
at most half of a receive buffer set with SO_RCVBUF (tcp_set_rcvlowat).
Before, a peek returned the first 5 bytes at once, poll() said readable
at the first byte, and the mark stayed at half the largest buffer."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = (
    'lowat 10, peek: poll 0, got 10 "1234567890"\n'
    'lowat 1, peek|waitall: poll 1, got 10 "1234567890"\n'
    'lowat 10, read: poll 0, got 10 "1234567890"\n'
    'lowat 10, peek, dontwait: poll 0, got 5 "12345"\n'
    'lowat 3, peek: poll 1, got 5 "12345"\n'
    'rcvbuf 4096, rcvlowat 100000: 4096\n'
)


def test_rcvlowat_edges():
    expect(run("rcvlowat_edge", options=["--user", "65534:65534"]), LINUX)
