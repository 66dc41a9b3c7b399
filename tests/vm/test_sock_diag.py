"""NETLINK_SOCK_DIAG as Linux 6 answers it, so that iproute2's ss lists
sockets from the kernel as it does on Linux (tests/progs/sock_diag.c).

The program makes its own sockets on chosen ports (a TCP listener with a
connection to itself, a TCP6 listener, a dual-stack one on :: with an
IPv4 connection (its accepted end IPv6, v4-mapped), UDP of both
versions, AF_UNIX pairs, a listener with a connection waiting and an
abstract datagram socket, a connection closed into TIME-WAIT) and asks
for them: dumps by family and protocol with the states, ports and
INET_DIAG_BC bytecode filters, the attributes a request's idiag_ext and
udiag_show ask for, one socket by its addresses or inode, bad requests,
and the protocol's multicast groups (32, anyone's).  Its transcript is
Linux 6.18's, run natively as nobody (uid 65534 here too: the mark
attribute and SOCK_DESTROY need CAP_NET_ADMIN); what varies between runs
(ports picked, cookies, cgroup ids, the congestion control's name) is
printed as a word.

Then Debian's ss lists the sockets of tests/progs/net_procnet.c through
netlink: no "Cannot open netlink socket" (before, the socket failed with
EPROTONOSUPPORT and ss fell back to /proc/net), a listener's backlog in
Send-Q as Linux shows it, AF_UNIX peers, -p's processes, a filter
expression (bytecode).  And a hostile client: requests of every length
and kind with garbage inside, and threads dumping while others open and
close sockets, at 1 and 4 vCPUs."""
import re

import pytest

from conftest import expect, run
from test_proc_net import BUSYBOX, TOOLS, guest_tree, has, sections

pytestmark = pytest.mark.usefixtures("amphi_works")

NOBODY = ["--user", "65534"]

LINUX = """\
socket NETLINK_SOCK_DIAG: ok
-- inet dumps
tcp listener: type 20 flags 2 family 2 state 10 timer 0 retrans 0 rq 0 wq 7 uid ours inode as fstat src 127.0.0.1:47101 dst 0.0.0.0:0 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
tcp client: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:client port dst 127.0.0.1:47101 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
tcp accepted: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 5 wq 0 uid ours inode as fstat src 127.0.0.1:47101 dst 127.0.0.1:client port if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
dual client: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:dual client port dst 127.0.0.1:47106 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
tcp4 all: done
tcp client: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:client port dst 127.0.0.1:47101 if 0 cookie set attrs 8,5,21,22,1,7,2,4 shutdown 0 sockopt 5200 cgroup 1 info 280 state 1 cong named tos 0 meminfo 16 skmeminfo 36 rcvbuf as SO_RCVBUF sndbuf as SO_SNDBUF
tcp accepted: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 5 wq 0 uid ours inode as fstat src 127.0.0.1:47101 dst 127.0.0.1:client port if 0 cookie set attrs 8,5,21,22,1,7,2,4 shutdown 0 sockopt 5200 cgroup 1 info 280 state 1 cong named tos 0 meminfo 16 skmeminfo 36 rcvbuf as SO_RCVBUF sndbuf as SO_SNDBUF
dual client: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:dual client port dst 127.0.0.1:47106 if 0 cookie set attrs 8,5,21,22,1,7,2,4 shutdown 0 sockopt 5200 cgroup 1 info 280 state 1 cong named tos 0 meminfo 16 skmeminfo 36 rcvbuf as SO_RCVBUF sndbuf as SO_SNDBUF
tcp4 established with extensions: done
tcp listener: type 20 flags 2 family 2 state 10 timer 0 retrans 0 rq 0 wq 7 uid ours inode as fstat src 127.0.0.1:47101 dst 0.0.0.0:0 if 0 cookie set attrs 8,21,22,2 shutdown 0 sockopt 5200 cgroup 1 info 280 state 10
tcp4 listening with info: done
udp socket: type 20 flags 2 family 2 state 7 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:47103 dst 0.0.0.0:0 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5000 cgroup 1
udp connected: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:udp client port dst 127.0.0.1:47103 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5000 cgroup 1
udp4 all: done
udp socket: type 20 flags 2 family 2 state 7 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:47103 dst 0.0.0.0:0 if 0 cookie set attrs 8,21,22,7 shutdown 0 sockopt 5000 cgroup 1 skmeminfo 36 rcvbuf as SO_RCVBUF sndbuf as SO_SNDBUF
udp connected: type 20 flags 2 family 2 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:udp client port dst 127.0.0.1:47103 if 0 cookie set attrs 8,21,22,7 shutdown 0 sockopt 5000 cgroup 1 skmeminfo 36 rcvbuf as SO_RCVBUF sndbuf as SO_SNDBUF
udp4 with extensions: done
tcp6 listener: type 20 flags 2 family 10 state 10 timer 0 retrans 0 rq 0 wq 3 uid ours inode as fstat src [::1]:47102 dst [::]:0 if 0 cookie set attrs 8,11,21,22 shutdown 0 v6only 1 sockopt 1200 cgroup 1
dual listener: type 20 flags 2 family 10 state 10 timer 0 retrans 0 rq 0 wq 2 uid ours inode as fstat src [::]:47106 dst [::]:0 if 0 cookie set attrs 8,11,21,22 shutdown 0 v6only 0 sockopt 1200 cgroup 1
dual accepted: type 20 flags 2 family 10 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src [::ffff:127.0.0.1]:47106 dst [::ffff:127.0.0.1]:dual client port if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 1200 cgroup 1
tcp6 all: done
udp6 socket: type 20 flags 2 family 10 state 7 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src [::1]:47104 dst [::]:0 if 0 cookie set attrs 8,11,21,22 shutdown 0 v6only 1 sockopt 1000 cgroup 1
udp6 all: done
-- inet filters
tcp4 listening: [tcp listener] done
tcp4 established: [tcp client, tcp accepted, dual client] done
tcp4 no states: [] done
tcp4 sport 47101: [tcp listener, tcp accepted] done
tcp4 dport 47101: [tcp client] done
tcp4 src 1.2.3.4 (ignored): [tcp listener, tcp client, tcp accepted, dual client] done
udp4 unconnected: [udp socket] done
udp4 connected: [udp connected] done
udp4 dport 47103: [udp connected] done
-- bytecode
bc src 127.0.0.1/32:47101: [tcp listener, tcp accepted] done
bc dport 47101..47101: [tcp client] done
bc sport 47101 then jump off: [tcp client, dual client] done
bc auto port: [tcp client, tcp accepted, dual client] done
bc v4 src on tcp6: [dual accepted] done
bc any family port 47102 on tcp6: [tcp6 listener] done
bc dev 0: [tcp listener, tcp client, tcp accepted, dual client] done
bc nop: [tcp listener, tcp client, tcp accepted, dual client] done
bc unknown op: [] error EINVAL
bc 2 bytes: [] error EINVAL
bc yes not a multiple of 4: [] error EINVAL
bc no past the end: [] error EINVAL
bc no into an op: [] error EINVAL
bc port op without its port: [] error EINVAL
bc hostcond family 99: [] error EINVAL
bc prefix 33 on IPv4: [] error EINVAL
bc mark as nobody: [] error EPERM
bc cgroup 0x12345: [] done
tcp time-wait: family 2 state 6 timer 3 retrans 0 rq 0 wq 0 uid 0 inode 0 dst port 47105 attrs []
-- inet look-ups
get tcp listener: type 20 flags 0 family 2 state 10 timer 0 retrans 0 rq 0 wq 7 uid ours inode as fstat src 127.0.0.1:47101 dst 0.0.0.0:0 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
get tcp listener: 1 messages, message type 20
get tcp listener with ack: type 20 flags 0 family 2 state 10 timer 0 retrans 0 rq 0 wq 7 uid ours inode as fstat src 127.0.0.1:47101 dst 0.0.0.0:0 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
get tcp listener with ack: 2 messages, ack
get tcp client: type 20 flags 0 family 2 state 1 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:client port dst 127.0.0.1:47101 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
get tcp client: 1 messages, message type 20
get tcp accepted: type 20 flags 0 family 2 state 1 timer 0 retrans 0 rq 5 wq 0 uid ours inode as fstat src 127.0.0.1:47101 dst 127.0.0.1:client port if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5200 cgroup 1
get tcp accepted: 1 messages, message type 20
get tcp listener, another's cookie: 1 messages, error ENOENT
get tcp port 47199: 1 messages, error ENOENT
get tcp6 listener: type 20 flags 0 family 10 state 10 timer 0 retrans 0 rq 0 wq 3 uid ours inode as fstat src [::1]:47102 dst [::]:0 if 0 cookie set attrs 8,11,21,22 shutdown 0 v6only 1 sockopt 1200 cgroup 1
get tcp6 listener: 1 messages, message type 20
get udp by dst: type 20 flags 0 family 2 state 7 timer 0 retrans 0 rq 0 wq 0 uid ours inode as fstat src 127.0.0.1:47103 dst 0.0.0.0:0 if 0 cookie set attrs 8,21,22 shutdown 0 sockopt 5000 cgroup 1
get udp by dst: 1 messages, message type 20
get udp by src: 1 messages, error ENOENT
get udp, another's cookie: 1 messages, error errno 116
get icmp: 1 messages, error ENOENT
destroy tcp listener as nobody: 1 messages, error EPERM
destroy tcp port 47199: 1 messages, error ENOENT
-- unix
stream pair 0: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 2,4,6 peer stream pair 1 rqlen 0 wq 0 shutdown 2
stream pair 1: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 2,4,6 peer stream pair 0 rqlen 0 wq 0 shutdown 1
dgram pair 0: type 20 flags 2 family 1 socktype 2 state 1 cookie set attrs 2,4,6 peer dgram pair 1 rqlen 0 wq some shutdown 0
dgram pair 1: type 20 flags 2 family 1 socktype 2 state 1 cookie set attrs 2,4,6 peer dgram pair 0 rqlen 3 wq 0 shutdown 0
listener: type 20 flags 2 family 1 socktype 1 state 10 cookie set attrs 0,4,6 name /tmp/sock_diag_probe.sock (26 bytes) rqlen 1 backlog 4 shutdown 0
waiting client: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 2,4,6 peer 0 rqlen 0 wq 0 shutdown 0
abstract dgram: type 20 flags 2 family 1 socktype 2 state 7 cookie set attrs 0,4,6 name @sock_diag.abstract (19 bytes) rqlen 0 wq 0 shutdown 0
unix all, ss's show: done
stream pair 0: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 2,4,5,6,7 peer stream pair 1 rqlen 0 wq 0 meminfo 36 shutdown 2 uid ours
stream pair 1: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 2,4,5,6,7 peer stream pair 0 rqlen 0 wq 0 meminfo 36 shutdown 1 uid ours
dgram pair 0: type 20 flags 2 family 1 socktype 2 state 1 cookie set attrs 2,4,5,6,7 peer dgram pair 1 rqlen 0 wq some meminfo 36 shutdown 0 uid ours
dgram pair 1: type 20 flags 2 family 1 socktype 2 state 1 cookie set attrs 2,4,5,6,7 peer dgram pair 0 rqlen 3 wq 0 meminfo 36 shutdown 0 uid ours
listener: type 20 flags 2 family 1 socktype 1 state 10 cookie set attrs 0,1,3,4,5,6,7 name /tmp/sock_diag_probe.sock (26 bytes) vfs ino as stat dev as stat icons [waiting client] rqlen 1 backlog 4 meminfo 36 shutdown 0 uid ours
waiting client: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 2,4,5,6,7 peer 0 rqlen 0 wq 0 meminfo 36 shutdown 0 uid ours
abstract dgram: type 20 flags 2 family 1 socktype 2 state 7 cookie set attrs 0,4,5,6,7 name @sock_diag.abstract (19 bytes) rqlen 0 wq 0 meminfo 36 shutdown 0 uid ours
unix all, everything: done
stream pair 0: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 6 shutdown 2
stream pair 1: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 6 shutdown 1
dgram pair 0: type 20 flags 2 family 1 socktype 2 state 1 cookie set attrs 6 shutdown 0
dgram pair 1: type 20 flags 2 family 1 socktype 2 state 1 cookie set attrs 6 shutdown 0
listener: type 20 flags 2 family 1 socktype 1 state 10 cookie set attrs 6 shutdown 0
waiting client: type 20 flags 2 family 1 socktype 1 state 1 cookie set attrs 6 shutdown 0
abstract dgram: type 20 flags 2 family 1 socktype 2 state 7 cookie set attrs 6 shutdown 0
unix all, nothing shown: done
unix listening: [listener] done
unix established: [stream pair 0, stream pair 1, dgram pair 0, dgram pair 1, waiting client] done
unix close: [abstract dgram] done
listener: type 20 flags 0 family 1 socktype 1 state 10 cookie set attrs 0,1,3,4,5,6,7 name /tmp/sock_diag_probe.sock (26 bytes) vfs ino as stat dev as stat icons [waiting client] rqlen 1 backlog 4 meminfo 36 shutdown 0 uid ours
get unix listener: 1 messages, message type 20
listener: type 20 flags 0 family 1 socktype 1 state 10 cookie set attrs 0,1,3,4,5,6,7 name /tmp/sock_diag_probe.sock (26 bytes) vfs ino as stat dev as stat icons [waiting client] rqlen 1 backlog 4 meminfo 36 shutdown 0 uid ours
get unix listener with ack: 2 messages, ack
get unix listener, cookie 0: 1 messages, error errno 116
get unix ino 0: 1 messages, error EINVAL
get unix ino 0x7ffffff0: 1 messages, error ENOENT
listener: type 20 flags 0 family 1 socktype 1 state 10 cookie set attrs 0,1,3,4,5,6,7 name /tmp/sock_diag_probe.sock (26 bytes) vfs ino as stat dev as stat icons [waiting client] rqlen 1 backlog 4 meminfo 36 shutdown 0 uid ours
get unix listener, its cookie: 1 messages, message type 20
-- errors
empty body: 1 messages, error EINVAL
one byte: 1 messages, error EINVAL
family 46: 1 messages, error EINVAL
family 255: 1 messages, error EINVAL
family 5: 1 messages, error ENOENT
family 0: 1 messages, error ENOENT
inet 2 bytes: 1 messages, error EINVAL
inet 55 bytes: 1 messages, error EINVAL
inet 55 bytes, get: 1 messages, error EINVAL
inet icmp dump: 1 messages, done ENOENT
unix 23 bytes: 1 messages, error EINVAL
unix destroy: 1 messages, error EOPNOTSUPP
type 16: 1 messages, error EINVAL
type 22: 1 messages, error EINVAL
type 20 without NLM_F_REQUEST: 1 messages, ack
type 3 with ack: 1 messages, ack
TCPDIAG_GETSOCK dump: tcp listener 1 tcp6 listener 1, done
TCPDIAG_GETSOCK 59 bytes: 1 messages, error EINVAL
DCCPDIAG_GETSOCK dump: 1 messages, error EINVAL
protocol attribute UDP over TCP: udp socket 1, done
attribute longer than the message: done
two dumps in one send: first ends error errno 16, then done
-- groups
bind groups ~0: 0, getsockname groups 0xffffffff
add membership 5: 0
add membership 4: 0
list memberships: 0, 4 bytes, 0xffffffff
sock_diag ok
"""


def test_sock_diag_as_on_linux():
    expect(run("sock_diag", options=NOBODY), LINUX)


@pytest.mark.parametrize("smp", [1, 4])
def test_sock_diag_hostile(smp):
    """Requests of every length and kind with garbage inside (each answered:
    an error, a dump, a reply and its ack), the longest filter a request
    holds (16382 ops, each jump checked: Linux walks the program from its
    start for each), then four threads dumping, leaving dumps half read
    and closing sockets mid-dump, while two open and close connections and
    socket pairs.  The kernel still answers afterwards."""
    expect(run("sock_diag", "@hostile", smp=smp, options=NOBODY),
           "socket NETLINK_SOCK_DIAG: ok\nlongest filter: done\n"
           "after: tcp4 listening: [tcp listener] done\nhostile: ok\n")


SS = ["/usr/bin/ss -tuna", "/usr/bin/ss -xa", "/usr/bin/ss -tlnp", "/usr/bin/ss -s",
      "/usr/bin/ss -tunap", "/usr/bin/ss -tan 'sport = :47001'", "/usr/bin/ss -tan dst 127.0.0.1:47001",
      "/usr/bin/ss -tie", "/usr/bin/ss -xp", "/usr/bin/ss -tm"]


@pytest.fixture(scope="module")
def ss(tmp_path_factory):
    import os
    missing = [t for t in TOOLS + [BUSYBOX] if not os.path.exists(t)]
    if missing:
        pytest.skip("needs %s (iproute2, busybox-static)" % " ".join(missing))
    tree = str(tmp_path_factory.mktemp("sockdiag") / "tree")
    guest_tree(tree)
    r = run("net_procnet", *SS, mem="256M", options=["--net", "user", "--files", tree + ":/"])
    assert r.status == 0, r.describe()
    # Not a word on stderr: before, every ss said "Cannot open netlink
    # socket: Protocol not supported" and read /proc/net instead.
    assert r.stderr == b"", r.describe()
    out = r.stdout.decode()
    return sections(out[out.index("net_procnet ok\n") + len("net_procnet ok\n"):])


def test_ss_inet(ss):
    """A listener's Send-Q is its backlog (5), as ss shows from netlink."""
    has(ss["/usr/bin/ss -tuna"],
        r"tcp LISTEN 0 5 127\.0\.0\.1:47001 0\.0\.0\.0:\*",
        r"tcp ESTAB 0 \d+ 127\.0\.0\.1:\d+ 127\.0\.0\.1:47001",
        r"tcp ESTAB 0 \d+ 127\.0\.0\.1:47001 127\.0\.0\.1:\d+",
        r"tcp LISTEN 0 5 \[::1\]:47002 \[::\]:\*",
        r"udp UNCONN 0 0 0\.0\.0\.0:47003 0\.0\.0\.0:\*",
        r"udp UNCONN 0 0 \[::1\]:47004 \[::\]:\*")


def test_ss_listening_processes(ss):
    out = ss["/usr/bin/ss -tlnp"]
    has(out, r'LISTEN 0 5 127\.0\.0\.1:47001 0\.0\.0\.0:\* users:\(\("net_procnet",pid=1,fd=3\)\)',
        r'LISTEN 0 5 \[::1\]:47002 \[::\]:\* users:\(\("net_procnet",pid=1,fd=4\)\)')
    assert "ESTAB" not in out and "udp" not in out, out
    has(ss["/usr/bin/ss -tunap"],
        r'udp UNCONN 0 0 \[::1\]:47004 \[::\]:\* users:\(\("net_procnet",pid=1,fd=6\)\)')


def test_ss_unix(ss):
    """A listener's backlog, an accepted socket's peer (the client's inode)."""
    out = ss["/usr/bin/ss -xa"]
    has(out, r"u_str LISTEN 0 5 /tmp/net_procnet\.sock \d+ \* 0",
        r"u_str ESTAB 0 0 /tmp/net_procnet\.sock \d+ \* \d+",
        r"u_dgr UNCONN 0 0 @net_procnet\.dgram \d+ \* 0")
    peers = {}
    for line in out.splitlines():
        f = line.split()
        if f[:2] == ["u_str", "ESTAB"] and len(f) >= 8:
            peers[f[-3]] = f[-1]
    assert peers and all(peers.get(b) == a for a, b in peers.items()), out
    has(ss["/usr/bin/ss -xp"], r'u_str ESTAB .* users:\(\("net_procnet",pid=1,fd=\d+\)\)')


def test_ss_filters(ss):
    """An expression becomes bytecode, which the kernel runs."""
    out = ss["/usr/bin/ss -tan 'sport = :47001'"]
    has(out, r"LISTEN 0 5 127\.0\.0\.1:47001 0\.0\.0\.0:\*",
        r"ESTAB 0 \d+ 127\.0\.0\.1:47001 127\.0\.0\.1:\d+")
    assert "47002" not in out and not re.search(r":\d+ +127\.0\.0\.1:47001", out), out
    out = ss["/usr/bin/ss -tan dst 127.0.0.1:47001"]
    has(out, r"ESTAB 0 \d+ 127\.0\.0\.1:\d+ 127\.0\.0\.1:47001")
    assert "LISTEN" not in out, out


def test_ss_details(ss):
    """-i: tcp_info (mss, cwnd, windows) and the congestion control; -e:
    inode, cookie, and the retransmission timer while the traffic's end is
    unacknowledged; -m: the memory attribute."""
    has(ss["/usr/bin/ss -tie"],
        r"ESTAB 0 \d+ 127\.0\.0\.1:\d+ 127\.0\.0\.1:47001 (timer:\S+ )?ino:\d+ sk:\S+ .*",
        r"reno mss:\d+ .*cwnd:\d+ .*snd_wnd:\d+")
    has(ss["/usr/bin/ss -tm"], r"skmem:\(r\d+,rb\d+,t\d+,tb\d+,f\d+,w\d+,o\d+,bl\d+,d\d+\)")


def test_ss_summary(ss):
    has(ss["/usr/bin/ss -s"], r"TCP: \d+ \(estab \d+, closed \d+, orphaned \d+, timewait \d+\)")
