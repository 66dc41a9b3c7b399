"""Attacks from the network, the full set: what test_net_attacks.py does,
bigger (60,000 out-of-order segments on one connection, floods of 20,000
SYNs, thousands of fragments and random frames), and longer (SYN floods
every 20 s while a client keeps connecting; a redirect that passes every
check, sent by someone posing as the first hop, must heal once the node it
names fails to answer).  Minutes, not seconds: `make stress` runs it
(AMPHI_STRESS=1); `make test` skips it."""

import os
import sys
import threading
import time

import pytest

from attackvm import target_fixture

if not os.environ.get("AMPHI_STRESS"):
    pytest.skip("the full attack set runs in `make stress` (AMPHI_STRESS=1)", allow_module_level=True)

pytestmark = pytest.mark.usefixtures("amphi_works")

target = target_fixture("attfull")

ROUNDS = 5


@pytest.mark.parametrize("attack", ["runts", "bad-headers", "fragments", "ping-of-death",
                                    "ext-headers"])
def test_malformed_packets_again_and_again(target, attack):
    """Each family of malformed packets, several rounds: nothing piles up."""
    for k in range(ROUNDS):
        target.attack(attack)
    target.check_alive("%d rounds of %s" % (ROUNDS, attack))


def test_random_frames(target):
    target.attack("garbage", 20000)
    target.check_alive("20,000 frames of random bytes")


def test_sixty_thousand_out_of_order_segments(target):
    target.attack("out-of-order", 60000, timeout=900)
    target.check_alive("60,000 out-of-order segments on one connection")


@pytest.mark.parametrize("seed", range(2, 7))
def test_tcp_fuzz_seeds(target, seed):
    target.attack("tcp-fuzz", 20000, seed, timeout=900)
    target.check_alive("20,000 random TCP segments, seed %d" % seed)


@pytest.mark.parametrize("attack", ["tiny-mss", "zero-window", "guessed-resets"])
def test_tcp_abuse_again_and_again(target, attack):
    for k in range(ROUNDS):
        target.attack(attack)
    target.check_alive("%d rounds of %s" % (ROUNDS, attack))


def test_the_three_failures_again(target):
    """The unsolicited NA, the redirect and a SYN flood, repeated."""
    for k in range(ROUNDS):
        target.attack("unsolicited-na")
        target.attack("redirect")
        target.attack("syn-flood", 300, "4")
        target.attack("syn-flood", 300, "6")
    target.check_alive("%d rounds of the NA, the redirect and two SYN floods" % ROUNDS)


def test_big_syn_floods(target):
    for family in ("4", "6"):
        target.attack("syn-flood", 20000, family, timeout=900)
        target.check_alive("20,000 spoofed SYNs over IPv" + family)


def test_syn_floods_every_20_seconds_while_a_client_connects(target):
    """The pattern that kept every client out: 300 spoofed SYNs every 20 s
    (as long as a half-open connection lived), for a minute, over both
    versions, while a real client connects every few seconds."""
    stop = threading.Event()
    errors = []

    def flood():
        while not stop.is_set():
            try:
                target.attack("syn-flood", 300, "4")
                target.attack("syn-flood", 300, "6")
            except AssertionError as e:
                errors.append(e)
                return
            stop.wait(20)

    t = threading.Thread(target=flood)
    t.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            target.check_alive("SYN floods every 20 s")
            time.sleep(3)
    finally:
        stop.set()
        t.join()
    assert not errors, errors[0]


def test_redirect_from_the_first_hop_heals(target):
    """A redirect posing as the first hop for the host's link-local address
    (which is its own first hop, so the redirect passes every RFC 4861 8.1
    check) sends the guest's traffic for it to fe80::dead, which never
    answers.  Once resolution of fe80::dead fails, the guest finds its
    next hop again (RFC 4861 7.3.3) and the host's link-local address is
    served within half a minute; other traffic never stops."""
    r = target.in_ns("ip", "-6", "-o", "addr", "show", "dev", "tap0", "scope", "link")
    host_ll = r.stdout.split()[3].split(b"/")[0].decode()
    r = target.in_ns(sys.executable, os.path.join("tests", "vm", "netattack.py"), "guest-ll")
    guest_ll = r.stdout.decode().strip()
    url = "http://[%s%%25tap0]:8080/" % guest_ll
    got = target.get(url, "-6", tries=10, max_time=5)
    assert got.returncode == 0, "link-local page before the redirect: %s" % got.stderr.decode()
    target.attack("redirect-from-first-hop", host_ll, host_ll)
    target.check_alive("a redirect for the host's link-local address")
    got = target.get(url, "-6", tries=30, max_time=3)
    assert got.returncode == 0, ("the link-local page did not come back after the redirect: %s\n%s"
                                 % (got.stderr.decode(), target.guest.describe()))
