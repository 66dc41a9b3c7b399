"""SO_RCVBUF and SO_SNDBUF of odd values on AF_UNIX, TCP and UDP sockets
(tests/progs/sockbuf_sizes.c) against Linux 6.18's lines, as a user and as
root (the FORCE options).  Before, a negative value gave an AF_UNIX socket
a 2 GiB buffer and a TCP or UDP one the minimum (Linux reads it as
unsigned: the most), AF_UNIX's receive minimum was the send one's, and
root's SO_RCVBUFFORCE and SO_SNDBUFFORCE were ENOPROTOOPT on TCP and UDP."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

AS_USER = (
    'unix stream rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'unix stream sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
    'unix dgram rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'unix dgram sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
    'tcp rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'tcp sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
    'udp rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'udp sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
)

AS_ROOT = (
    'unix stream rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'unix stream rcvbuf force: -1 gives 2304, INT_MAX gives 2147483646\n'
    'unix stream sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
    'unix stream sndbuf force: -1 gives 4608, INT_MAX gives 2147483646\n'
    'unix dgram rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'unix dgram rcvbuf force: -1 gives 2304, INT_MAX gives 2147483646\n'
    'unix dgram sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
    'unix dgram sndbuf force: -1 gives 4608, INT_MAX gives 2147483646\n'
    'tcp rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'tcp rcvbuf force: -1 gives 2304, INT_MAX gives 2147483646\n'
    'tcp sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
    'tcp sndbuf force: -1 gives 4608, INT_MAX gives 2147483646\n'
    'udp rcvbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 2304, 1 gives 2304, 3000 gives 6000\n'
    'udp rcvbuf force: -1 gives 2304, INT_MAX gives 2147483646\n'
    'udp sndbuf: -1 same as INT_MAX 1, INT_MIN same 1, 0 gives 4608, 1 gives 4608, 3000 gives 6000\n'
    'udp sndbuf force: -1 gives 4608, INT_MAX gives 2147483646\n'
)


@pytest.mark.parametrize("user", [True, False], ids=["user", "root"])
def test_buffer_sizes_match_linux(user):
    r = run("sockbuf_sizes", options=(["--user", "65534"] if user else []) + ["--net", "user"])
    expect(r, AS_USER if user else AS_ROOT)
