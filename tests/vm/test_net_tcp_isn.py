"""TCP initial sequence numbers cannot be guessed (RFC 6528): the guest's
SYN-ACKs to eight connections from the host, read off the tap, start
anywhere in the 32-bit sequence space, not at a counter's next steps as
lwIP's own generator would give them.  Runs in conftest's network
namespace (root, iproute2)."""

import subprocess
import sys

import pytest

from conftest import amphi_argv
from netvm import Guest, check_stopped

pytestmark = pytest.mark.usefixtures("amphi_works")

# Run inside the namespace: connect N times to ADDR:PORT while reading the
# tap, and print the sequence number of each SYN-ACK that ADDR:PORT sends.
PROBE = r"""
import socket, struct, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
raw.bind(("tap0", 0))
raw.settimeout(10)
want = socket.inet_aton(addr)
for _ in range(n):
    with socket.create_connection((addr, port), timeout=10):
        pass
    while True:
        f = raw.recv(2048)
        ip = f[14:]
        if ip[9] != 6 or ip[12:16] != want:
            continue
        tcp = ip[(ip[0] & 15) * 4:]
        sport, _, seq = struct.unpack(">HHI", tcp[:8])
        if sport == port and tcp[13] & 0x12 == 0x12:
            print(seq)
            break
"""


def test_isns_are_unguessable(netns):
    argv = amphi_argv("net_httpd", 8080, options=["--net", "tap=tap0", "--ip", "192.168.79.2/24"])
    with Guest(None, argv=argv, prefix=["ip", "netns", "exec", netns]) as g:
        g.wait_for(b"listening")
        r = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", PROBE,
                            "192.168.79.2", "8080", "8"], capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr.decode() + g.describe()
        isns = [int(x) for x in r.stdout.split()]
        assert len(isns) == 8, isns
        steps = [(b - a) % (1 << 32) for a, b in zip(isns, isns[1:])]
        # Random ISNs: a step below 2^24 has odds 1 in 256.  A counter's
        # steps are all small.
        assert sum(s >= 1 << 24 for s in steps) >= 4, steps
        check_stopped(g)
