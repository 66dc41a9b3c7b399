"""UDP through `amphi run -p HOST:GUEST/udp`: datagrams from a host socket
to net_udpecho in the guest come back byte for byte."""

import os
import socket
import time

import pytest

from conftest import free_port
from netvm import Guest, check_stopped

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_udp_echo():
    hp = free_port(socket.SOCK_DGRAM)
    with Guest("net_udpecho", 7000, options=["-p", "%d:7000/udp" % hp]) as g:
        g.wait_for(b"listening")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        # The first datagram may be lost while the guest resolves slirp's
        # address; retry that one only.
        for _ in range(10):
            s.sendto(b"ping", ("127.0.0.1", hp))
            try:
                assert s.recvfrom(65536)[0] == b"ping"
                break
            except socket.timeout:
                continue
        else:
            raise AssertionError("no UDP echo\n" + g.describe())
        sizes = [0, 1, 100, 1472, 1473, 4000, 8192, 30000] + [512] * 50
        for n in sizes:
            d = os.urandom(n)
            s.sendto(d, ("127.0.0.1", hp))
            got, _ = s.recvfrom(65536)
            assert got == d, "%d-byte datagram came back as %d bytes" % (n, len(got))
        # A burst: every datagram is numbered, all that come back are exact
        # (UDP may drop, but under no load slirp does not).
        burst = {i: os.urandom(200) + i.to_bytes(4, "big") for i in range(100)}
        for d in burst.values():
            s.sendto(d, ("127.0.0.1", hp))
        back = 0
        deadline = time.monotonic() + 10
        while back < len(burst) and time.monotonic() < deadline:
            try:
                d, _ = s.recvfrom(65536)
            except socket.timeout:
                break
            assert burst.get(int.from_bytes(d[-4:], "big")) == d
            back += 1
        assert back == len(burst), "%d of %d datagrams back" % (back, len(burst))
        s.close()
        check_stopped(g)
