"""Attacks from the network, the short set `make test` runs (the full set,
bigger and longer, is test_net_attacks_full.py, in `make stress`): each test
sends one family of hostile packets with scapy from inside the module's
network namespace (attackvm.py, netattack.py), then checks that the guest
still serves its page and answers ping over IPv4 and IPv6.  Needs root,
ip(8) and Debian's python3-scapy.

The first three are the network failures the hardening review found: one
neighbour advertisement made a valid IPv6 address unusable for good, one
redirect sent IPv6 traffic for a peer into a black hole for good, and 300
spoofed SYNs kept every new connection out."""

import pytest

from attackvm import target_fixture

pytestmark = pytest.mark.usefixtures("amphi_works")

target = target_fixture("att")


def test_unsolicited_na_naming_our_address(target):
    """RFC 4862 5.4.4: only a tentative address fails duplicate address
    detection; the guest's own, valid address stays in use."""
    target.attack("unsolicited-na")
    target.check_alive("an unsolicited NA for fd00::2")


def test_redirect_from_a_node_that_is_not_the_first_hop(target):
    """RFC 4861 8.1: a redirect must come from the current first hop for
    its destination; the host's address is on the link, its own first
    hop, so no one may redirect traffic for it."""
    target.check_alive("nothing (the guest must know the host first)")
    target.attack("redirect")
    target.check_alive("a redirect of fd00::1 to fe80::dead")


@pytest.mark.parametrize("family", ["4", "6"])
def test_syn_flood(target, family):
    """1500 SYNs from addresses that never answer fill the listener's
    half-open connections past its backlog (1024): the rest, and real
    clients, get SYN cookies, and the page is served at once."""
    target.attack("syn-flood", 1500, family)
    target.check_alive("1500 spoofed SYNs over IPv" + family)


@pytest.mark.parametrize("attack", ["runts", "bad-headers", "fragments", "ping-of-death",
                                    "ext-headers"])
def test_malformed_packets(target, attack):
    """Runts, headers and options whose lengths lie, overlapping, tiny and
    never-completing fragments, ping of death over both versions, 100
    IPv6 extension headers."""
    target.attack(attack)
    target.check_alive(attack)


@pytest.mark.parametrize("attack", [("out-of-order", 500), ("tiny-mss",), ("zero-window",),
                                    ("guessed-resets",), ("window-overrun",),
                                    ("fin-past-window",), ("mss-shrink",),
                                    ("persist-after-ack",)], ids=lambda a: a[0])
def test_tcp_abuse(target, attack):
    """A connection sent 500 segments ahead of what the guest waits for,
    connections asking for MSS 0 and 1, a client asking with a zero
    window, resets with guessed sequence numbers, out-of-order segments
    running past the receive window, a segment covering a queued FIN at
    the window's edge, an MSS option after the SYN, an ACK emptying what a
    retransmission timeout put back: each connection still gets its answer
    (or is reset), and others are served."""
    target.attack(*attack)
    target.check_alive(attack[0])


def test_tcp_fuzz(target):
    """2,000 segments with random flags, options and lengths, their
    sequence and acknowledgement numbers around the edges that matter, on
    live connections over both versions (seeded, so a failure repeats):
    lwIP's assertions are panics here, and four of them fell to crafted
    segments before (lwIP patches 08-11)."""
    target.attack("tcp-fuzz", 2000, 1)
    target.check_alive("2,000 random TCP segments")


@pytest.mark.parametrize("family", ["4", "6"])
def test_icmp_errors_are_rate_limited(target, family):
    """20000 datagrams for a closed port as fast as the host sends them:
    the guest answers with port unreachables, but no more than 50 at once
    and 1000 a second (RFC 4443 2.4 (f) requires a limit for ICMPv6; these
    are Linux's).  Without the limit it answered 3 to 4 times that."""
    target.attack("closed-port-flood", family)
    target.check_alive("20000 datagrams for a closed port")

