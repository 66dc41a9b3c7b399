"""TCP and ICMP errors: a connect the network answers with "unreachable"
ends at once with that error, as on Linux 6.18.

The transcript is tests/progs/tcp_unreach's on the host, as root, in a
namespace routed as `routed_namespace()` routes the guest (192.168.79.2,
through 192.168.79.1 to 10.9.9.0/24, nothing beyond): connects to
10.8.8.8, for which the router has no route ("network unreachable"), to
10.9.9.77, where nobody answers the router's ARP ("host unreachable",
after its ARP gives up; blocking, and non-blocking with POLLERR and
SO_ERROR), and to 10.9.9.2's closed port (a reset) for comparison.
Then a connection to an echo server at 10.9.9.2 with IP_RECVERR sends a
byte with TTL 1: the router's "time exceeded" is POLLERR and the next
send's error, and the byte, sent again with TTL 64, comes back; once
more, a blocking recv is woken with the error.  Before,
lwIP ignored the errors: a connect sent its SYN again until it timed out
(ETIMEDOUT after about a minute), and a connection never heard of them."""

import pytest

from conftest import amphi_argv, routed_namespace
from netvm import Guest

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
connect 10.8.8.8:80: ENETUNREACH
connect 10.9.9.77:80: EHOSTUNREACH
non-blocking connect 10.9.9.77:80: EINPROGRESS
 poll: 1 revents POLLOUT POLLERR POLLHUP
 SO_ERROR: EHOSTUNREACH
connect 10.9.9.2:80: ECONNREFUSED
non-blocking connect 10.9.9.2:80: EINPROGRESS
 poll: 1 revents POLLOUT POLLERR POLLHUP
 SO_ERROR: ECONNREFUSED
connected to 10.9.9.2: 0
 send with TTL 1: 1
 poll: 1 revents POLLERR
 send: EHOSTUNREACH
 recv with TTL 64: 1 'x'
 send with TTL 1: 1
 recv: EHOSTUNREACH
 recv with TTL 64: 1 'z'
"""


# An echo server on port 7, in the far namespace.
ECHO = """\
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7))
s.listen(8)
print("ready", flush=True)
def serve(c):
    while True:
        b = c.recv(4096)
        if not b:
            return
        c.sendall(b)
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
"""


def test_icmp_errors_end_a_connect_and_reach_a_connection_as_on_linux():
    with routed_namespace("unreach") as ns:
        with Guest(None, argv=["python3", "-c", ECHO], prefix=["ip", "netns", "exec", ns + "-far"]) as echo:
            echo.wait_for(b"ready")
            argv = amphi_argv("tcp_unreach", "10.9.9.2",
                              options=["--net", "tap=tap0", "--ip", "192.168.79.2/24", "--gw", "192.168.79.1"])
            with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
                assert g.wait(300) == 0, g.describe()
    assert g.out.decode() == LINUX, g.describe()
