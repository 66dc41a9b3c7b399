"""/proc/net as Linux 6 shows it, and the network tools that read it
(tests/progs/net_procnet.c).  The program listens on TCP over 127.0.0.1
and ::1, connects to itself, binds UDP sockets of both versions and
AF_UNIX ones (a listener with a connection, an abstract datagram), then
finds each in /proc/net's files: its state, its owner, and its inode the
one fstat gives (how `netstat -p` and `ss -p` match sockets to processes
through /proc/PID/fd).  Its transcript is Linux 6.18's, run natively as
nobody; the header lines are printed whole, padding included.

Then Debian's net-tools (netstat -tuna, -xa, -i, -rn, -p, ifconfig, arp,
route), busybox's netstat and iproute2's ss (which asks NETLINK_SOCK_DIAG
now, and reads only /proc/PID/fd for -p; tests/vm/test_sock_diag.py has
more of it) run in the guest beside those sockets, and lo's and
eth0's counters grow with traffic.  Before, /proc/net did not exist: every
one of these tools failed or showed nothing, and no interface counted its
traffic."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"

LINUX = """\
tcp header (149): |  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     |
tcp6 header (144): |  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode|
udp header (127): |   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            |
udp6 header (162): |  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops|
unix header (55): |Num       RefCount Protocol Flags    Type St Inode Path|
raw header (114): |  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops|
raw6 header (162): |  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops|
packet header (63): |sk               RefCnt Type Proto  Iface R Rmem   User   Inode|
route header (127): |Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       |
arp header (78): |IP address       HW type     Flags       HW address            Mask     Device|
dev header (76): |Inter-|   Receive                                                |  Transmit|
/proc/self/net/tcp: read
tcp listener: local as bound state 0A inode as fstat uid ours remote 00000000
tcp client: local as bound state 01 inode as fstat uid ours remote port as connected
tcp accepted: local as bound state 01 inode as fstat uid ours remote port as connected
tcp6 listener: local as bound state 0A inode as fstat uid ours remote 00000000000000000000000000000000
udp socket: local as bound state 07 inode as fstat uid ours remote 00000000
udp6 socket: local as bound state 07 inode as fstat uid ours remote 00000000000000000000000000000000
tcp6 v4 listener: not found
unix listener: flags 00010000 type 0001 state 01 path '/tmp/net_procnet.sock'
unix client: flags 00000000 type 0001 state 03 path ''
unix accepted: flags 00000000 type 0001 state 03 path '/tmp/net_procnet.sock'
unix abstract dgram: flags 00000000 type 0002 state 01 path '@net_procnet.dgram'
lo: rx packets grew, tx packets grew
snmp: Ip InReceives grew, Tcp OutSegs grew, Tcp CurrEstab at least 2
net_procnet ok
"""


def test_proc_net_files_as_on_linux():
    expect(run("net_procnet"), LINUX)


def test_proc_net_long_and_changing_tables():
    """Tables longer than a first guess (200 socket pairs, 50 connections:
    Linux's count of tcp lines also moves with the host's TIME-WAITs), and
    every file read 100 times whole while three threads open and close
    connections and socket pairs."""
    expect(run("net_procnet", "@many", "@churn", smp=2, mem="128M"),
           LINUX + "=== @many\nmany: unix lines +400, tcp lines +100\n"
           "=== @churn\nchurn: every read whole\n")


def test_proc_net_as_another_user():
    """A socket's uid column is its maker's (uid 1000 here), and the
    files are readable by anyone."""
    expect(run("net_procnet", options=["--user", "1000"]), LINUX)


TOOLS = ["/usr/bin/netstat", "/usr/bin/ss", "/usr/sbin/ifconfig", "/usr/sbin/route", "/usr/sbin/arp"]


def guest_tree(dest):
    """busybox as /bin/sh, and the tools with their libraries at their own
    paths (they are dynamically linked)."""
    os.makedirs(os.path.join(dest, "bin"))
    shutil.copy(BUSYBOX, os.path.join(dest, "bin", "busybox"))
    os.symlink("busybox", os.path.join(dest, "bin", "sh"))
    for tool in TOOLS:
        libs = re.findall(r"(/\S+)", subprocess.run(["ldd", tool], capture_output=True,
                                                    text=True).stdout)
        for f in [tool] + libs:
            os.makedirs(os.path.dirname(dest + f), exist_ok=True)
            shutil.copy(f, dest + f)


def sections(out):
    """The tools' outputs by command (the program's "=== CMD" lines)."""
    parts = re.split(r"^=== (.*)\n", out, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def counters(ifconfig_out, kind):
    """(packets, bytes) of net-tools ifconfig's RX or TX line."""
    m = re.search(r"%s packets (\d+)  bytes (\d+)" % kind, ifconfig_out)
    return (int(m.group(1)), int(m.group(2))) if m else None


CMDS = ["/usr/bin/netstat -tuna", "/usr/bin/netstat -xa", "/usr/bin/netstat -i",
        "/usr/bin/netstat -rn", "/usr/bin/netstat -tunap", "busybox netstat -tuna",
        "busybox netstat -xa", "/usr/bin/ss -tuna", "/usr/bin/ss -xa", "/usr/bin/ss -tunap",
        "/usr/sbin/ifconfig lo", "@traffic", "/usr/sbin/ifconfig lo",
        "/usr/sbin/ifconfig eth0", "@eth", "/usr/sbin/ifconfig eth0", "/usr/sbin/route -n",
        "/usr/sbin/arp -n", "/usr/sbin/route -n -A inet6", "/usr/bin/netstat -tno",
        "cat /proc/net/dev"]


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    missing = [t for t in TOOLS + [BUSYBOX] if not os.path.exists(t)]
    if missing:
        pytest.skip("needs %s (net-tools, iproute2, busybox-static)" % " ".join(missing))
    tree = str(tmp_path_factory.mktemp("procnet") / "tree")
    guest_tree(tree)
    r = run("net_procnet", *CMDS, mem="256M", options=["--net", "user", "--files", tree + ":/"])
    assert r.status == 0, r.describe()
    out = r.stdout.decode()
    assert out.startswith(LINUX), r.describe()
    # Nothing on stderr: before NETLINK_SOCK_DIAG, ss said "Cannot open
    # netlink socket: Protocol not supported" here and read /proc/net.
    assert r.stderr == b"", r.describe()
    return out, sections(out[len(LINUX):])


def lines_of(text):
    return [" ".join(line.split()) for line in text.splitlines()]


def has(text, *patterns):
    """Every pattern matches a whole line of text (blanks squeezed)."""
    lines = lines_of(text)
    for p in patterns:
        assert any(re.fullmatch(p, line) for line in lines), "no line like %r in\n%s" % (p, text)


def test_netstat_inet(tools):
    """Send-Q may hold the end of the traffic, not yet acknowledged (the
    reader's delayed ACK)."""
    for cmd, v6 in (("/usr/bin/netstat -tuna", "tcp6"), ("busybox netstat -tuna", "tcp")):
        has(tools[1][cmd],
            r"tcp 0 0 127\.0\.0\.1:47001 0\.0\.0\.0:\* LISTEN",
            r"tcp 0 \d+ 127\.0\.0\.1:\d+ 127\.0\.0\.1:47001 ESTABLISHED",
            r"tcp 0 \d+ 127\.0\.0\.1:47001 127\.0\.0\.1:\d+ ESTABLISHED",
            r"%s 0 0 ::1:47002 :::\* LISTEN" % v6,
            r"udp 0 0 0\.0\.0\.0:47003 0\.0\.0\.0:\*",
            r"udp6? 0 0 ::1:47004 :::\*")


def test_netstat_processes(tools):
    """-p: the sockets' inodes found in /proc/1/fd."""
    has(tools[1]["/usr/bin/netstat -tunap"],
        r"tcp 0 0 127\.0\.0\.1:47001 0\.0\.0\.0:\* LISTEN 1/\S+",
        r"tcp 0 \d+ 127\.0\.0\.1:\d+ 127\.0\.0\.1:47001 ESTABLISHED 1/\S+",
        r"udp6 0 0 ::1:47004 :::\* 1/\S+")


def test_netstat_unix(tools):
    for cmd in ("/usr/bin/netstat -xa", "busybox netstat -xa"):
        has(tools[1][cmd],
            r"unix 1 \[ ACC \] STREAM LISTENING \d+ /tmp/net_procnet\.sock",
            r"unix 2 \[ \] STREAM CONNECTED \d+ /tmp/net_procnet\.sock",
            r"unix 2 \[ \] STREAM CONNECTED \d+",
            r"unix 1 \[ \] DGRAM \d+ @net_procnet\.dgram")


def test_netstat_interfaces_and_routes(tools):
    out = tools[1]
    has(out["/usr/bin/netstat -i"], r"lo 65536 [1-9]\d* 0 0 0 [1-9]\d* 0 0 0 LRU",
        r"eth0 1500 [1-9]\d* 0 0 0 [1-9]\d* 0 0 0 BMRU")
    for cmd in ("/usr/bin/netstat -rn", "/usr/sbin/route -n"):
        has(out[cmd], r"0\.0\.0\.0 10\.0\.2\.2 0\.0\.0\.0 UG .* eth0",
            r"10\.0\.2\.0 0\.0\.0\.0 255\.255\.255\.0 U .* eth0")
    has(out["/usr/sbin/arp -n"], r"10\.0\.2\.2 ether 52:55:0a:00:02:02 C eth0")
    # ipv6_route: lo's ::1, eth0's multicast route, the unreachable one.
    has(out["/usr/sbin/route -n -A inet6"], r"::1/128 :: Un 0 1 0 lo",
        r"ff00::/8 :: U 256 1 0 eth0", r"::/0 :: !n -1 1 0 lo")
    # netstat -o reads tcp's timer columns: nothing pending once idle.
    has(out["/usr/bin/netstat -tno"],
        r"tcp 0 \d+ 127\.0\.0\.1:47001 127\.0\.0\.1:\d+ ESTABLISHED (off|on) \(\S+\)")


def test_ss(tools):
    """From netlink, as on Linux: a listener's Send-Q is its backlog (5), an
    IPv6 wildcard peer is [::]:*, a connected AF_UNIX socket names its peer."""
    out = tools[1]
    has(out["/usr/bin/ss -tuna"],
        r"tcp LISTEN 0 5 127\.0\.0\.1:47001 0\.0\.0\.0:\*",
        r"tcp ESTAB 0 \d+ 127\.0\.0\.1:\d+ 127\.0\.0\.1:47001",
        r"tcp LISTEN 0 5 \[::1\]:47002 \[::\]:\*",
        r"udp UNCONN 0 0 0\.0\.0\.0:47003 0\.0\.0\.0:\*",
        r"udp UNCONN 0 0 \[::1\]:47004 \[::\]:\*")
    has(out["/usr/bin/ss -xa"],
        r"u_str LISTEN 0 5 /tmp/net_procnet\.sock \d+ \* 0",
        r"u_str ESTAB 0 0 /tmp/net_procnet\.sock \d+ \* [1-9]\d*",
        r"u_dgr UNCONN 0 0 @net_procnet\.dgram \d+ \* 0")
    has(out["/usr/bin/ss -tunap"],
        r'tcp LISTEN 0 5 127\.0\.0\.1:47001 0\.0\.0\.0:\* users:\(\("net_procnet",pid=1,fd=3\)\)',
        r'udp UNCONN 0 0 \[::1\]:47004 \[::\]:\* users:\(\("net_procnet",pid=1,fd=6\)\)')


def test_interface_counters_grow(tools):
    """lo counts the program's own connection each way; eth0 the frames
    of a connection tried to the host (a SYN out, a reset in)."""
    out = tools[0]
    lo = re.findall(r"^=== /usr/sbin/ifconfig lo\n(.*?)(?=^===)", out, re.M | re.S)
    eth = re.findall(r"^=== /usr/sbin/ifconfig eth0\n(.*?)(?=^===)", out, re.M | re.S)
    assert len(lo) == 2 and len(eth) == 2, out
    for before, after, what in ((lo[0], lo[1], "lo"), (eth[0], eth[1], "eth0")):
        for kind in ("RX", "TX"):
            b, a = counters(before, kind), counters(after, kind)
            assert b and a and a[0] > b[0] and a[1] > b[1], "%s %s: %s -> %s" % (what, kind, b, a)
    # lo's 256 KiB written and read over TCP: at least that many bytes.
    assert counters(lo[1], "RX")[1] - counters(lo[0], "RX")[1] >= 4 * 65536, out
    assert counters(lo[1], "RX") == counters(lo[1], "TX"), out
