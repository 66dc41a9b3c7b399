"""SO_RCVLOWAT on TCP at its edges, against Linux 6.18's transcript
(tests/progs/rcvlowat_edge.c run natively as uid 65534): a MSG_PEEK
waits for the low mark as a read does, and MSG_PEEK|MSG_WAITALL for the
whole length (Linux's tcp_recvmsg takes its target from both); poll()
says readable only once the mark is queued (tcp_poll); and the mark is
at most half of a receive buffer set with SO_RCVBUF (tcp_set_rcvlowat);
an AF_UNIX stream read waits for the mark too (unix_stream_read_generic),
though a peek or a non-blocking read there takes what is queued.  (A
TCP read under the mark is test_sockopt_common's: Linux's own can sleep
on when the second write joins the first's buffer.)  Before, a peek
returned the first 5 bytes at once, poll() said readable at the first
byte, the mark stayed at half the largest buffer, and an AF_UNIX read
returned at the first byte."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = (
    'lowat 10, peek: poll 0, got 10 "1234567890"\n'
    'lowat 1, peek|waitall: poll 1, got 10 "1234567890"\n'
    'lowat 10, peek, dontwait: poll 0, got 5 "12345"\n'
    'lowat 3, peek: poll 1, got 5 "12345"\n'
    'rcvbuf 4096, rcvlowat 100000: 4096\n'
    'unix lowat 10, read: got 10 "1234567890"\n'
    'unix lowat 10, peek: got 5 "12345"\n'
    'unix lowat 10, dontwait: got 5 "12345"\n'
)


def test_rcvlowat_edges():
    expect(run("rcvlowat_edge", options=["--user", "65534:65534"]), LINUX)
