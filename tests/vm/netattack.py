"""Hostile traffic for the network attack tests, sent with scapy on tap0
inside the test's network namespace (run there with `ip netns exec`):

    python3 netattack.py ATTACK [ARG...]

Each attack sends its packets to the guest (192.168.79.2, fd00::2, MAC
found by ARP) and ends; the test then checks that the guest still answers.
Attacks that need a TCP connection of their own make it from a fake host
(192.168.79.50 and fd00::50, a MAC of its own) that this script answers ARP
and neighbour solicitations for: the namespace's own kernel never sees its
traffic, so it sends no resets of its own.  Exit status 0 when the packets
went out (and, where the attack needs an answer, the guest gave it)."""

import os
import random
import socket
import struct
import sys
import threading
import time

from scapy.all import (ARP, ICMP, IP, IPv6, TCP, UDP, AsyncSniffer, Ether, ICMPv6EchoRequest,
                       ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_Redirect, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptRedirectedHdr, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, Raw, checksum, conf, fragment, get_if_hwaddr, getmacbyip,
                       sendp)

IFACE = "tap0"
GUEST4, GUEST6 = "192.168.79.2", "fd00::2"
HOST4, HOST6 = "192.168.79.1", "fd00::1"
FAKE4, FAKE6, FAKE_MAC = "192.168.79.50", "fd00::50", "02:00:00:00:00:50"
PORT = 8080
REQUEST = b"GET / HTTP/1.1\r\nHost: attack\r\nConnection: close\r\n\r\n"

conf.verb = 0
guest_mac = None


def send(frames):
    """Sends one frame or a list of frames on tap0, to the guest's MAC."""
    if not isinstance(frames, list):
        frames = [frames]
    sendp([f if f.haslayer(Ether) else Ether(dst=guest_mac) / f for f in frames],
          iface=IFACE, verbose=0)


def ether6(dst_mac=None):
    return Ether(src=get_if_hwaddr(IFACE), dst=dst_mac or guest_mac)


# ---- malformed packets -------------------------------------------------------

def ip4_with_options(opts, payload):
    """An IPv4 packet to the guest with these option bytes (padded to a
    word), built by hand: scapy would parse the lies away."""
    opts += b"\x00" * (-len(opts) % 4)
    hlen = 20 + len(opts)
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x40 | hlen // 4, 0, hlen + len(payload), 1, 0, 64,
                                1, 0, socket.inet_aton(HOST4), socket.inet_aton(GUEST4)) + opts)
    hdr[10:12] = struct.pack("!H", checksum(bytes(hdr)))
    return Ether(dst=guest_mac, src=get_if_hwaddr(IFACE), type=0x0800) / Raw(bytes(hdr) + payload)


def runts():
    """Frames shorter than an Ethernet minimum, and headers cut short."""
    me = get_if_hwaddr(IFACE)
    frames = [Ether(dst=guest_mac, src=me, type=t) / Raw(os.urandom(n))
              for t in (0x0800, 0x86dd, 0x0806) for n in range(0, 46, 3)]
    raw = bytes(Ether(dst=guest_mac, src=me, type=0x0800))
    frames += [Raw(raw[:n]) for n in range(1, 14)]
    send(frames)


def bad_headers():
    """IPv4, IPv6, TCP and UDP headers whose lengths and options lie."""
    frames = []
    for ihl in (0, 1, 4, 6, 15):
        frames.append(IP(dst=GUEST4, ihl=ihl) / TCP(dport=PORT))
    for length in (0, 10, 19, 21, 65535):
        frames.append(IP(dst=GUEST4, len=length) / TCP(dport=PORT) / Raw(b"x" * 20))
    for version in (0, 5, 7, 15):
        frames.append(IP(dst=GUEST4, version=version) / ICMP())
    for opt in (b"\x07\x00", b"\x07\x01", b"\x07\x28\x00\x00", b"\x44\x02\x05", b"\x83\xff",
                b"\x94\x04\x00\x00", b"\x01" * 40):
        frames.append(ip4_with_options(opt, bytes(ICMP())))
    for off in (0, 1, 4, 15):
        frames.append(IP(dst=GUEST4) / TCP(dport=PORT, dataofs=off, flags="S"))
    for opts in ([(2, b"")], [("MSS", 0)], [(3, b"\xff\xff\xff")], [(8, b"\x01")],
                 [(1, b"")] * 30, [(255, b"\x00" * 37)]):
        frames.append(IP(dst=GUEST4) / TCP(dport=PORT, flags="S", options=opts))
    for length in (0, 7, 9, 1000):
        frames.append(IP(dst=GUEST4) / UDP(dport=7, len=length) / Raw(b"abc"))
    for plen in (0, 7, 1000, 65535):
        frames.append(ether6() / IPv6(dst=GUEST6, plen=plen) / TCP(dport=PORT, flags="S"))
    frames.append(ether6() / IPv6(dst=GUEST6, nh=0) / Raw(b"\x06\xff" + b"\x00" * 6))
    frames.append(ether6() / IPv6(dst=GUEST6, nh=60) / Raw(b"\x3b\x00"))
    send(frames)


def fragments():
    """Overlapping, tiny and never-completing fragments, both versions."""
    frames = []
    for ident in range(200, 210):     # overlapping: the second rewrites the first's tail
        frames.append(IP(dst=GUEST4, id=ident, flags="MF", frag=0, proto=1) / Raw(b"\x08" * 24))
        frames.append(IP(dst=GUEST4, id=ident, flags=0, frag=1, proto=1) / Raw(b"\x00" * 24))
    for ident in range(300, 340):     # tiny: 8 bytes each, header split
        data = bytes(TCP(dport=PORT, flags="S"))
        for k in range(0, len(data), 8):
            frames.append(IP(dst=GUEST4, id=ident, proto=6, frag=k // 8,
                             flags="MF" if k + 8 < len(data) else 0) / Raw(data[k:k + 8]))
    for ident in range(1000, 1400):   # never completing: only a first fragment
        frames.append(IP(dst=GUEST4, id=ident, flags="MF", proto=17) / Raw(b"y" * 64))
    for ident in range(400, 410):
        frames.append(ether6() / IPv6(dst=GUEST6) / IPv6ExtHdrFragment(id=ident, offset=0, m=1, nh=58)
                      / Raw(b"\x80" + b"\x00" * 23))
        frames.append(ether6() / IPv6(dst=GUEST6) / IPv6ExtHdrFragment(id=ident, offset=1, m=0, nh=58)
                      / Raw(b"\x01" * 24))
    for ident in range(2000, 2300):
        frames.append(ether6() / IPv6(dst=GUEST6) / IPv6ExtHdrFragment(id=ident, offset=0, m=1, nh=17)
                      / Raw(b"z" * 64))
    send(frames)


def ping_of_death():
    """Echo requests whose fragments add up past 65535 bytes, both versions."""
    big4 = IP(dst=GUEST4, id=7777) / ICMP() / Raw(b"A" * 65600)
    frames = fragment(big4, fragsize=1400)
    payload = bytes(ICMPv6EchoRequest(id=1, seq=1) / Raw(b"B" * 65600))
    for k in range(0, len(payload), 1400):
        frames.append(ether6() / IPv6(dst=GUEST6) /
                      IPv6ExtHdrFragment(id=8888, offset=k // 8, m=int(k + 1400 < len(payload)), nh=58)
                      / Raw(payload[k:k + 1400]))
    send(frames)


def ext_headers():
    """IPv6 packets behind 100 extension headers, and headers that lie."""
    pkt = ICMPv6EchoRequest(id=2, seq=1)
    for k in range(100):
        pkt = (IPv6ExtHdrDestOpt() if k % 2 else IPv6ExtHdrHopByHop()) / pkt
    frames = [ether6() / IPv6(dst=GUEST6) / pkt]
    frames.append(ether6() / IPv6(dst=GUEST6) / IPv6ExtHdrDestOpt(len=255) / ICMPv6EchoRequest())
    send(frames)


# ---- a fake host for TCP ----------------------------------------------------

class FakeHost:
    """Answers ARP and neighbour solicitations for FAKE4/FAKE6 and collects
    what the guest sends them."""

    def __init__(self):
        self.got = []
        self.cond = threading.Condition()
        self.sniffer = AsyncSniffer(iface=IFACE, store=False, prn=self.seen,
                                    lfilter=lambda p: p.haslayer(Ether) and p[Ether].src == guest_mac)
        self.sniffer.start()
        time.sleep(0.5)

    def seen(self, p):
        if p.haslayer(ARP) and p[ARP].op == 1 and p[ARP].pdst == FAKE4:
            sendp(Ether(dst=p[Ether].src, src=FAKE_MAC) /
                  ARP(op=2, hwsrc=FAKE_MAC, psrc=FAKE4, hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc),
                  iface=IFACE, verbose=0)
        elif p.haslayer(ICMPv6ND_NS) and p[ICMPv6ND_NS].tgt == FAKE6:
            sendp(Ether(dst=p[Ether].src, src=FAKE_MAC) / IPv6(src=FAKE6, dst=p[IPv6].src) /
                  ICMPv6ND_NA(tgt=FAKE6, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=FAKE_MAC),
                  iface=IFACE, verbose=0)
        elif p.haslayer(TCP):
            with self.cond:
                self.got.append(p)
                self.cond.notify_all()

    def wait(self, match, timeout=10):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for p in self.got:
                    if match(p):
                        self.got.remove(p)
                        return p
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def stop(self):
        self.sniffer.stop()


def ip_to(v6):
    return (Ether(src=FAKE_MAC, dst=guest_mac) /
            (IPv6(src=FAKE6, dst=GUEST6) if v6 else IP(src=FAKE4, dst=GUEST4)))


class Conn:
    """One TCP connection from the fake host to the guest's server."""

    def __init__(self, host, v6=False, mss=1460, window=65535, sport=None):
        self.host, self.v6 = host, v6
        self.sport = sport or random.randint(20000, 60000)
        self.seq = random.randint(0, 1 << 31)
        opts = [("MSS", mss)] if mss is not None else []
        send(ip_to(v6) / TCP(sport=self.sport, dport=PORT, flags="S", seq=self.seq,
                             window=window, options=opts))
        synack = host.wait(lambda p: p[TCP].dport == self.sport and p[TCP].flags & 0x12 == 0x12)
        if synack is None:
            raise SystemExit("no SYN-ACK from the guest")
        self.seq += 1
        self.ack = synack[TCP].seq + 1
        self.guest_window = synack[TCP].window  # our SYN asks for no scaling
        self.segment("A", window=window)

    def frame(self, flags, data=b"", seq=None, ack=None, window=65535, **tcp):
        """A segment of this connection, not sent: by default the next in
        sequence, acknowledging what the guest sent first; tcp: more of
        scapy's TCP fields (options...).  Numbers wrap at 32 bits."""
        seq = self.seq if seq is None else seq
        ack = self.ack if ack is None else ack
        return (ip_to(self.v6) / TCP(sport=self.sport, dport=PORT, flags=flags, seq=seq % (1 << 32),
                                     ack=ack % (1 << 32), window=window, **tcp) / Raw(data))

    def segment(self, flags, data=b"", seq=None, window=65535, ack=None):
        """Sends a segment; without seq, the next in sequence, which the
        data then advances."""
        send(self.frame(flags, data, seq, ack, window))
        if seq is None:
            self.seq += len(data)

    def reset(self):
        """Resets the connection wherever the guest's side of it now is:
        an ACK from far outside its window makes it say what it waits
        for (RFC 9293 3.10.7.4), and the reset goes there.  No answer
        means the guest has dropped the connection already."""
        self.host.got.clear()
        self.segment("A", seq=(self.seq + (1 << 31)) % (1 << 32))
        answer = self.host.wait(lambda p: p[TCP].dport == self.sport and p[TCP].flags & 0x10, 3)
        if answer is not None:
            self.segment("R", seq=answer[TCP].ack)

    def data_from_guest(self, timeout=10):
        return self.host.wait(lambda p: p[TCP].dport == self.sport and len(p[TCP].payload) > 0,
                              timeout)


def out_of_order(count):
    """One connection gets `count` segments, each ahead of what the guest
    waits for and never filled in; then the connection is reset.  The fake
    host stops listening while they go (its sniffer would only fall behind
    reading them back)."""
    for v6 in (False, True):
        host = FakeHost()
        c = Conn(host, v6)
        host.stop()
        batch = []
        for k in range(count):
            off = 2 + (k * 7919) % 200000
            batch.append(c.frame("A", b"o" * 16, seq=c.seq + off))
            if len(batch) == 500:
                send(batch)
                batch = []
        send(batch)
        c.segment("R")


def window_overrun():
    """Segments that fill the guest's receive window from its right edge
    down, each ahead of what the guest waits for until the last; the first
    one sent runs past the edge.  The guest must trim what lies past its
    window (RFC 9293 3.10.7.4) and, once the gap is filled, acknowledge
    exactly up to the edge.  lwIP queued out-of-order segments untrimmed
    and, taking them in, found more data than window: an assertion, so one
    peer could panic the guest."""
    host = FakeHost()
    for v6 in (False, True):
        c = Conn(host, v6)
        edge = c.guest_window
        size = 1400 if edge % 1400 else 1401
        send([c.frame("A", b"w" * size, seq=c.seq + off) for off in reversed(range(0, edge, size))])
        want = (c.seq + edge) % (1 << 32)
        if host.wait(lambda p: p[TCP].dport == c.sport and p[TCP].ack == want) is None:
            raise SystemExit("IPv%d: no ACK of the window's %d bytes" % (6 if v6 else 4, edge))
        c.segment("R", seq=want)
    host.stop()


def fin_past_window():
    """A segment that swallows a queued FIN takes it over, at its own end:
    the last of these, trimmed to end at the window's edge, put its FIN one
    past the window, and taking the queue in failed lwIP's assertion.  Here
    a FIN segment A sits near the edge, B covers it and runs past the edge,
    the gap before them is filled out of order and then closed.  The guest
    must end the stream where A put its FIN and acknowledge exactly that."""
    host = FakeHost()
    for v6 in (False, True):
        c = Conn(host, v6)
        edge, size = c.guest_window, 1400
        fin_at = edge - 1000 + 5
        frames = [c.frame("FA", b"a" * 5, seq=c.seq + edge - 1000),
                  c.frame("A", b"b" * (size + 30), seq=c.seq + edge - size)]
        frames += [c.frame("A", b"f" * min(size, edge - size - off), seq=c.seq + off)
                   for off in reversed(range(0, edge - size, size))]
        send(frames)
        want = (c.seq + fin_at + 1) % (1 << 32)
        if host.wait(lambda p: p[TCP].dport == c.sport and p[TCP].ack == want) is None:
            raise SystemExit("IPv%d: no ACK of the stream up to its FIN" % (6 if v6 else 4))
        c.segment("R", seq=want)
    host.stop()


def mss_shrink():
    """An MSS option on a segment of a live connection (RFC 9293 3.7.1: only
    a SYN may carry one).  lwIP applied it in any state, so answers queued
    at the old size were longer than the new MSS and the next write failed
    an assertion.  The guest queues answers behind a closed window, is told
    a smaller MSS, is asked for more, then the window opens: the answers
    must come."""
    host = FakeHost()
    requests = b"GET / HTTP/1.1\r\nHost: attack\r\n\r\n" * 40
    for v6 in (False, True):
        c = Conn(host, v6)
        c.segment("PA", requests, window=0)
        time.sleep(1)
        send(c.frame("A", window=0, options=[("MSS", 536)]))
        c.segment("PA", requests, window=0)
        time.sleep(1)
        c.segment("A", window=65535)
        if c.data_from_guest(15) is None:
            raise SystemExit("IPv%d: no answer after the window opened" % (6 if v6 else 4))
        c.segment("R")
    host.stop()


def persist_after_ack():
    """The guest's answer is acknowledged by one byte with a closed window,
    so its retransmission timer puts the answer back in the queue and the
    persist timer starts; then all of it is acknowledged.  lwIP kept the
    persist timer ticking with nothing left to send, and its next tick
    failed an assertion.  The connection must go on: a second request
    gets its answer."""
    host = FakeHost()
    request = b"GET / HTTP/1.1\r\nHost: attack\r\n\r\n"
    for v6 in (False, True):
        c = Conn(host, v6)
        c.segment("PA", request)
        answer = c.data_from_guest()
        if answer is None:
            raise SystemExit("IPv%d: no answer" % (6 if v6 else 4))
        start = answer[TCP].seq
        end = (start + len(answer[TCP].payload)) % (1 << 32)
        c.segment("A", ack=(start + 1) % (1 << 32), window=0)
        again = (start, (start + 1) % (1 << 32))
        if host.wait(lambda p: p[TCP].dport == c.sport and p[TCP].seq in again, 20) is None:
            raise SystemExit("IPv%d: no retransmission or window probe" % (6 if v6 else 4))
        c.segment("A", ack=end, window=0)
        time.sleep(2)
        c.segment("PA", request, ack=end)
        if host.wait(lambda p: p[TCP].dport == c.sport and p[TCP].seq == end
                     and len(p[TCP].payload) > 0, 15) is None:
            raise SystemExit("IPv%d: no answer to the second request" % (6 if v6 else 4))
        c.segment("R", ack=end)
    host.stop()


def fuzz_option():
    """One TCP option, well formed or not."""
    kind = random.choice(("MSS", "WScale", "SAckOK", "Timestamp", "SAck", "NOP", "raw"))
    if kind == "MSS":
        return ("MSS", random.choice((0, 1, 88, 536, 1460, 65535)))
    if kind == "WScale":
        return ("WScale", random.randint(0, 20))
    if kind == "SAckOK":
        return ("SAckOK", b"")
    if kind == "Timestamp":
        return ("Timestamp", (random.getrandbits(32), random.getrandbits(32)))
    if kind == "SAck":
        return ("SAck", (random.getrandbits(32), random.getrandbits(32)))
    if kind == "NOP":
        return ("NOP", None)
    return (random.randint(0, 255), os.urandom(random.randint(0, 6)))


def fuzz_segment(c, high):
    """One random segment on connection c; high: how far the guest has sent."""
    edge = c.seq + c.guest_window
    seq = random.choice((c.seq, c.seq + 1, c.seq - 1, edge, edge - 1, edge + 1,
                         c.seq + random.randint(0, 200000), random.getrandbits(32)))
    ack = random.choice((c.ack, c.ack - 1, c.ack + random.randint(1, 3000), high, high,
                         high - random.randint(1, 3000), high + random.randint(1, 3000),
                         c.ack + random.randint(0, 200000), random.getrandbits(32)))
    flags = random.choice(("A", "PA", "FA", "FPA", "UA", "") if random.random() < 0.85
                          else ("SA", "S", "RA", "FSRPAU"))  # these may end it
    opts = [fuzz_option() for _ in range(random.choice((0, 0, 1, 2, 4)))]
    return c.frame(flags, os.urandom(random.choice((0, 1, 5, 536, 1000, 1400))), seq, ack,
                   window=random.choice((0, 1, 512, 65535)), options=opts,
                   urgptr=random.getrandbits(16))


def tcp_fuzz(count, seed):
    """count segments with random flags, options, lengths and window, and
    sequence and acknowledgement numbers around the edges that matter
    (what the guest waits for, its window's right edge, what it has sent)
    on live connections to the guest's server, a new one every 40
    segments; half of them ask for 1 MiB, so that the acknowledgements and
    windows play with a sender.  Nothing is checked here but that the
    guest still answers afterwards (the test does that): a failed
    assertion in the stack is a panic."""
    random.seed(int(seed))
    host = FakeHost()
    # Ports of their own for each seed: a port reused too soon meets the
    # guest's TIME-WAIT, which rightly answers a SYN with an ACK.
    sent, sport = 0, 1024 + int(seed) % 60 * 1000
    while sent < count:
        v6 = random.random() < 0.5
        sport += 1
        path = random.choice(("/", "/big"))  # the guest answers little, or sends 1 MiB
        c = Conn(host, v6, sport=sport,
                 window=65535 if path == "/big" else random.choice((0, 1, 1000, 65535)))
        c.segment("PA", b"GET %s HTTP/1.1\r\nHost: fuzz\r\n\r\n" % path.encode()
                  * random.randint(0, 8))
        for _ in range(4):  # in groups, so that the guest sends in between
            with host.cond:
                high = max((p[TCP].seq + len(p[TCP].payload) for p in host.got
                            if p[TCP].dport == c.sport), default=c.ack)
            send([fuzz_segment(c, high) for _ in range(min(10, count - sent))])
            sent += min(10, count - sent)
            time.sleep(0.02)
        c.reset()
    host.stop()


def tiny_mss():
    """Connections asking for MSS 0 and 1: the guest answers anyway."""
    host = FakeHost()
    for v6 in (False, True):
        for mss in (0, 1):
            c = Conn(host, v6, mss=mss)
            c.segment("PA", REQUEST)
            if c.data_from_guest() is None:
                raise SystemExit("no data with MSS %d" % mss)
            c.segment("R")
    host.stop()


def zero_window():
    """A client that asks for the page while advertising a zero window: the
    guest must hold its answer (probing the window), not fail, and send it
    once the window opens."""
    host = FakeHost()
    for v6 in (False, True):
        c = Conn(host, v6)
        c.segment("PA", REQUEST, window=0)
        time.sleep(2)
        c.segment("A", window=65535)
        if c.data_from_guest(15) is None:
            raise SystemExit("no data after the window opened")
        c.segment("R")
    host.stop()


def guessed_resets():
    """Resets with guessed sequence numbers at a live connection, which must
    go on: its request is answered afterwards."""
    host = FakeHost()
    for v6 in (False, True):
        c = Conn(host, v6)
        frames = [ip_to(v6) / TCP(sport=c.sport, dport=PORT, flags="R",
                                  seq=(c.seq + 70000 + k * 104729) % (1 << 32)) for k in range(500)]
        send(frames)
        c.segment("PA", REQUEST)
        if c.data_from_guest() is None:
            raise SystemExit("the connection did not survive the guessed resets")
        c.segment("R")
    host.stop()


# ---- the three network failures ---------------------------------------------

def unsolicited_na():
    """An unsolicited neighbour advertisement naming the guest's own, valid
    address, as if someone else had it (RFC 4862 5.4.4: only a tentative
    address fails duplicate address detection)."""
    send(ether6("33:33:00:00:00:01") / IPv6(src="fe80::bad", dst="ff02::1", hlim=255) /
         ICMPv6ND_NA(tgt=GUEST6, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:0b:ad"))


def redirect(spoof_src=None, dest=None):
    """An ICMPv6 redirect telling the guest that traffic for dest (the host's
    address) should go to fe80::dead, which nobody answers.  From a node
    that is not the first hop for dest, unless spoof_src says whom to pose
    as."""
    dest = dest or HOST6
    send(ether6() / IPv6(src=spoof_src or "fe80::bad", dst=GUEST6, hlim=255) /
         ICMPv6ND_Redirect(tgt="fe80::dead", dst=dest) /
         ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:de:ad") /
         ICMPv6NDOptRedirectedHdr(pkt=bytes(IPv6(src=GUEST6, dst=dest) / TCP())))


def syn_flood(count, v6=False):
    """count SYNs from addresses nobody answers for, each a new half-open
    connection."""
    frames = []
    for k in range(count):
        if v6:
            src = "fd00::%x:%x" % (1 + k // 60000, 100 + k % 60000)
            frames.append(ether6() / IPv6(src=src, dst=GUEST6) /
                          TCP(sport=1024 + k % 60000, dport=PORT, flags="S", seq=random.getrandbits(32)))
        else:
            src = "10.%d.%d.%d" % (k >> 16 & 255, k >> 8 & 255, k & 255 or 1)
            frames.append(IP(src=src, dst=GUEST4) /
                          TCP(sport=1024 + k % 60000, dport=PORT, flags="S", seq=random.getrandbits(32)))
    send(frames)


def garbage(count):
    """count frames of random bytes and random lengths, some posing as
    IPv4, IPv6 or ARP."""
    me = get_if_hwaddr(IFACE)
    send([Ether(dst=guest_mac, src=me, type=random.choice((0x0800, 0x86dd, 0x0806, 0x88cc)))
          / Raw(os.urandom(random.randint(0, 1500))) for _ in range(int(count))])


def print_guest_ll():
    """Prints the guest's link-local address (EUI-64 from its MAC)."""
    mac = bytes.fromhex(guest_mac.replace(":", ""))
    iid = bytes([mac[0] ^ 2]) + mac[1:3] + b"\xff\xfe" + mac[3:]
    print(socket.inet_ntop(socket.AF_INET6, b"\xfe\x80" + b"\x00" * 6 + iid))


def bad_checksums():
    """SYNs from the fake host with a wrong TCP checksum (IPv4 and IPv6)
    must get no answer: the NIC's checksum report, or the stack's own
    check, drops them.  The same SYN with its right checksum must get a
    SYN-ACK, so silence is not just a dead guest."""
    host = FakeHost()
    try:
        for v6 in (False, True):
            good = ip_to(v6) / TCP(sport=random.randint(20000, 60000), dport=PORT, flags="S",
                                   seq=random.randint(0, 1 << 31))
            right = good.__class__(bytes(good))[TCP].chksum
            bad = good.copy()
            bad[TCP].sport += 1
            bad[TCP].chksum = right ^ 0x5555
            for frame, answered in ((bad, False), (good, True)):
                send(frame)
                sport = frame[TCP].sport
                synack = host.wait(lambda p: p[TCP].dport == sport and p[TCP].flags & 0x12 == 0x12,
                                   timeout=3 if not answered else 10)
                if (synack is not None) != answered:
                    raise SystemExit("IPv%d SYN with a %s checksum %s" % (
                        6 if v6 else 4, "right" if answered else "wrong",
                        "got no SYN-ACK" if answered else "was answered"))
                if synack is not None:
                    send(ip_to(v6) / TCP(sport=sport, dport=PORT, flags="R",
                                         seq=frame[TCP].seq + 1))
    finally:
        host.stop()


# ---- ICMP errors' rate ---------------------------------------------------------

def closed_port_flood(v6, count=20000):
    """count UDP datagrams for a closed port, back to back, from the
    namespace's own stack (what the tap cannot take is dropped there); the
    ICMP port unreachables the guest sends back are counted on a raw
    socket until none came for 0.5 s.  Fails when there are none, or more
    than the guest's limit allows over the time from the first datagram to
    the last answer: 50 at once, 1000 a second (Linux's icmp_msgs_burst and
    icmp_msgs_per_sec), and 5 for a guest clock a little fast."""
    family = socket.AF_INET6 if v6 else socket.AF_INET
    raw = socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    raw.settimeout(0.5)
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.setblocking(False)
    dest, unreachable = ((GUEST6, 9), (1, 4)) if v6 else ((GUEST4, 9), (3, 3))
    first = time.monotonic()
    for _ in range(count):
        try:
            udp.sendto(b"x" * 64, dest)
        except (BlockingIOError, ConnectionRefusedError):
            pass
    answers, last = 0, first
    while True:
        try:
            data = raw.recv(2048)
        except socket.timeout:
            break
        icmp = data if v6 else data[(data[0] & 15) * 4:]	# IPv4 raw sockets keep the IP header
        if (icmp[0], icmp[1]) == unreachable:
            answers, last = answers + 1, time.monotonic()
    allowed = 50 + int(1000 * (last - first)) + 5
    print("closed-port-flood: %d datagrams, %d port unreachables in %.2f s, at most %d allowed"
          % (count, answers, last - first, allowed))
    if not answers or answers > allowed:
        sys.exit(1)


ATTACKS = {
    "runts": runts, "bad-headers": bad_headers, "fragments": fragments,
    "ping-of-death": ping_of_death, "ext-headers": ext_headers,
    "out-of-order": lambda n="2000": out_of_order(int(n)), "tiny-mss": tiny_mss,
    "zero-window": zero_window, "guessed-resets": guessed_resets,
    "window-overrun": window_overrun, "fin-past-window": fin_past_window,
    "mss-shrink": mss_shrink, "persist-after-ack": persist_after_ack,
    "tcp-fuzz": lambda n="2000", seed="1": tcp_fuzz(int(n), seed),
    "unsolicited-na": unsolicited_na,
    "redirect": lambda: redirect(),
    "redirect-from-first-hop": lambda src, dst: redirect(src, dst),
    "syn-flood": lambda n="300", fam="4": syn_flood(int(n), fam == "6"),
    "closed-port-flood": lambda fam: closed_port_flood(fam == "6"),
    "garbage": garbage, "guest-ll": print_guest_ll, "bad-checksums": bad_checksums,
}


def main(argv):
    global guest_mac
    if not argv or argv[0] not in ATTACKS:
        print("usage: netattack.py %s [ARG...]" % "|".join(ATTACKS), file=sys.stderr)
        return 2
    guest_mac = getmacbyip(GUEST4)
    if not guest_mac:
        print("netattack: no ARP answer from %s" % GUEST4, file=sys.stderr)
        return 1
    ATTACKS[argv[0]](*argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
