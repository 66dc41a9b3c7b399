"""Internet sockets inside the guest, over lwIP's loopback (127.0.0.1 and
::1; no NIC): each net_inet_* program prints one line per check, and the
transcript must match what the same binary prints on Linux
(net_inet_expected.py)."""

import shutil

import pytest

import net_inet_expected
from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [1, 2])
def test_tcp(smp):
    """connect/accept and their names, refused and non-blocking connects
    with SO_ERROR, 1 MiB echoed and verified, MSG_PEEK, MSG_WAITALL,
    FIONREAD, shutdown and EOF, a close after reading a request whole
    (FIN, not a reset: amphi gives read bytes back to the window in steps,
    and lwIP resets a connection closed with its window not whole),
    SO_LINGER 0's reset, the options; IPv4 then IPv6."""
    expect(run("net_inet_tcp", smp=smp, timeout=120), net_inet_expected.NET_INET_TCP)


@pytest.mark.parametrize("smp", [1, 2])
def test_udp(smp):
    """Names and autobind, sendto/recvfrom and the source, datagram
    boundaries, MSG_TRUNC both ways, MSG_PEEK, connect's filter and
    AF_UNSPEC, EDESTADDRREQ, EMSGSIZE, empty datagrams, recvmsg,
    sendmmsg/recvmmsg, FIONREAD, EAGAIN, SO_RCVTIMEO, readv/writev,
    shutdown (which wakes a blocked recvfrom), bind's errors; IPv4 then
    IPv6."""
    expect(run("net_inet_udp", smp=smp, timeout=120), net_inet_expected.NET_INET_UDP)


@pytest.mark.parametrize("smp", [1, 2])
def test_poll(smp):
    """poll, select and epoll on TCP and UDP sockets with a pipe and an
    eventfd: pending connections, POLLOUT, arriving data, EPOLLET,
    EPOLLONESHOT, hang-ups and the error after a reset."""
    expect(run("net_inet_poll", smp=smp, timeout=120), net_inet_expected.NET_INET_POLL)


@pytest.mark.parametrize("smp", [1, 2])
def test_dual(smp):
    """Dual-stack AF_INET6 (::ffff: peers, IPV6_V6ONLY), SO_REUSEADDR over
    TIME_WAIT, options and their inheritance, errors by level, and lo as
    SIOCGIF* describe it."""
    expect(run("net_inet_dual", smp=smp, timeout=120), net_inet_expected.NET_INET_DUAL)


@pytest.mark.parametrize("smp", [1, 2])
def test_sendfile(smp):
    """sendfile from a 4 MiB file to a TCP socket: every byte arrives as
    the file held it, counts and both offsets as Linux leaves them, a file
    shorter than asked, a count of 0 and 1, a full non-blocking socket (a
    partial count, EAGAIN, the offset moved by exactly what was taken), a
    file with holes (zeros where nothing was written), bytes still queued
    when the file is cut and written again arriving as sendfile found them (at 2 vCPUs they are still unsent: a kernel that
    lent the pages without a reference of their own sends the new bytes),
    and the errors."""
    expect(run("net_sendfile", "/tmp", smp=smp, mem="128M", timeout=120),
           net_inet_expected.NET_SENDFILE)


def test_listen_backlog_up_to_somaxconn():
    """A listener asking for a backlog of 1000 gets it (up to somaxconn,
    4096, which /proc/sys/net/core/somaxconn shows): 600 clients finish
    their handshakes before any accept, over both versions.  lwIP capped
    every backlog at 255 and counted half-open connections in it."""
    expect(run("net_backlog", mem="256M"), net_inet_expected.NET_BACKLOG)


@pytest.mark.skipif(not shutil.which("ifconfig"), reason="needs net-tools' ifconfig")
def test_ifconfig_names_and_mtus():
    """Debian's ifconfig (SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFMTU...) on user
    networking: the NIC is eth0 and lo's MTU Linux's 65536 (they were eth1,
    lwIP's netif number, and 0, lwIP's loopback having none)."""
    r = run(shutil.which("ifconfig"), options=["--net", "user"])
    assert r.status == 0, r.describe()
    heads = [line.split()[:4] for line in r.stdout.decode().splitlines() if line and line[0] != " "]
    assert heads == [["eth0:", "flags=4163<UP,BROADCAST,RUNNING,MULTICAST>", "mtu", "1500"],
                     ["lo:", "flags=73<UP,LOOPBACK,RUNNING>", "mtu", "65536"]], r.describe()
