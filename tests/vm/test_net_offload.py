"""The NIC's offloads, and the switch that turns them all off: TCP data
through the NIC compared byte for byte with what amphi's drivers take from
the device (merged receive buffers, checksums) and with nothing taken
(`amphi run --offload off`, the kernel's net.offload=off), on both NICs.
-v shows what the driver took."""

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import amphi_argv, free_port, network_namespace, qemu_wrapper
from netvm import Guest, check_stopped, echo_clients

pytestmark = pytest.mark.usefixtures("amphi_works")


def echo_through_nic(options, smp=2, clients=8, size=256 << 10):
    hp = free_port()
    opts = ["-v", "-p", "%d:7001" % hp] + list(options)
    with Guest("net_echo", 7001, smp=smp, options=opts) as g:
        g.wait_for(b"listening")
        try:
            assert echo_clients("127.0.0.1", hp, clients, size, timeout=120) == clients * size
        except AssertionError as e:
            raise AssertionError("%s\n%s" % (e, g.describe()))
        check_stopped(g)
        return g.err.decode("utf-8", "replace")


@pytest.mark.parametrize("smp", [1, 2])
@pytest.mark.parametrize("nic", ["virtio", "e1000e"])
def test_offload_off(nic, smp):
    """--offload off: the driver says so and takes no offload; data still
    arrives whole both ways (every checksum is lwIP's)."""
    log = echo_through_nic(["--nic", nic, "--offload", "off"], smp=smp)
    name = "virtio-net0" if nic == "virtio" else "e1000e0"
    assert any(l.startswith(name + ":") and "offloads off (net.offload=off)" in l
               for l in log.splitlines()), log
    if nic == "virtio":
        line = next(l for l in log.splitlines() if l.startswith("virtio-net0:") and "features" in l)
        features = int(line.split("features ")[1].split(",")[0], 16)
        assert features & (1 << 0 | 1 << 1 | 1 << 15) == 0, line


def report_counts(log, name):
    """The numbers of the NIC's -v report at the program's end:
    rx frames, passes, wake-ups, interrupts; tx frames, and those dropped
    because the transmit ring stayed full."""
    line = next((l for l in log.splitlines() if l.startswith(name + ": rx ")), None)
    assert line, log
    words = line.replace(";", "").replace(",", "").split()
    return {"frames": int(words[2]), "passes": int(words[5]), "wakeups": int(words[7]),
            "interrupts": int(words[9]), "tx": int(words[12]),
            "dropped": int(words[words.index("dropped") - 1])}


def test_offloads_on_by_default():
    """Merged receive buffers are taken when QEMU offers them (it does over
    slirp; checksums only over a tap, which has a vnet header)."""
    log = echo_through_nic([], clients=2, size=64 << 10)
    assert "merged rx buffers on (2048 bytes)" in log, log


def appending_wrapper(tmp_path, words):
    """A --qemu wrapper that adds WORDS to the kernel command line amphi
    gives QEMU (-append), keeping the rest."""
    return qemu_wrapper(tmp_path, body='''
for a; do
  shift
  if [ "$prev" = -append ]; then a="$a %s"; fi
  set -- "$@" "$a"
  prev=$a
done
case " $* " in *" -append "*) ;; *) set -- "$@" -append "%s" ;; esac
exec qemu-system-x86_64 "$@"''' % (words, words))


@pytest.mark.parametrize("smp", [1, 2])
def test_frames_over_several_buffers(tmp_path, smp):
    """512-byte receive buffers (virtio_net.rx_buf=512): every full-sized
    frame comes in three or four buffers, which the driver gathers."""
    q = appending_wrapper(tmp_path, "virtio_net.rx_buf=512")
    log = echo_through_nic(["--qemu", str(q)], smp=smp)
    assert "merged rx buffers on (512 bytes)" in log, log


# Run inside the namespace: echo_clients against the guest's address.
ECHO_IN_NS = r"""
import sys
sys.path.insert(0, sys.argv[1])
from netvm import echo_clients
print(echo_clients(sys.argv[2], 7001, int(sys.argv[3]), int(sys.argv[4]), timeout=120))
"""


# Run inside the namespace until SIGINT: the largest frame the guest sent
# through tap0, and the largest it was sent.  A frame of many segments
# passes the tap whole, so a packet socket sees more than 1514 bytes only
# when the guest's device segments (TSO) or takes them whole (GUEST_TSO).
# SIGINT may come ignored from whatever started the tests (a shell's
# background job), and Python then leaves it so: it is taken explicitly.
LARGEST_FRAMES_IN_NS = r"""
import signal
import socket
signal.signal(signal.SIGINT, signal.default_int_handler)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("tap0", 0))
print("ready", flush=True)
largest = [0, 0]
try:
    while True:
        frame, addr = s.recvfrom(1 << 17)
        i = addr[2] == socket.PACKET_OUTGOING
        largest[i] = max(largest[i], len(frame))
except KeyboardInterrupt:
    print(*largest)
"""


def echo_over_tap(ns, smp, options=(), clients=16, size=256 << 10, v6=False, frames=None):
    """Echo over tap0; frames: a list that gets the largest frames the
    guest sent and was sent."""
    ip = "fd00::2" if v6 else "192.168.79.2"
    argv = amphi_argv("net_echo", *(["-6"] if v6 else []), 7001, smp=smp, mem="256M",
                      options=["-v", "--net", "tap=tap0", "--ip", "192.168.79.2/24",
                               "--ip6", "fd00::2/64"] + list(options))
    capture = None
    if frames is not None:
        capture = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c",
                                    LARGEST_FRAMES_IN_NS], stdout=subprocess.PIPE)
        assert capture.stdout.readline() == b"ready\n"
    with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
        g.wait_for(b"listening")
        try:
            r = echo_in_namespace(ns, ip, clients, size)
        finally:
            if capture:
                capture.send_signal(signal.SIGINT)
                frames.extend(int(x) for x in capture.communicate(timeout=30)[0].split())
        assert r.returncode == 0 and int(r.stdout) == clients * size, \
            r.stderr.decode()[-2000:] + g.describe()
        check_stopped(g)
        return g.err.decode("utf-8", "replace")


def echo_in_namespace(ns, ip, clients, size):
    """echo_clients to ip, with retries while the guest's IPv6 address is
    still being checked for uniqueness (DAD)."""
    deadline = time.monotonic() + 15
    while True:
        r = subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", ECHO_IN_NS,
                            os.path.dirname(__file__), ip, str(clients), str(size)],
                           capture_output=True, timeout=200)
        if b"No route to host" not in r.stderr or time.monotonic() > deadline:
            return r
        time.sleep(0.5)


@pytest.mark.parametrize("smp", [2, 4])
def test_multiqueue_tap(smp):
    """A multiqueue tap: QEMU gets queues=N and mq=on, the driver takes a
    queue pair per vCPU (its control queue says how many), checksums both
    ways, and 16 connections' data comes back whole.  Root."""
    with network_namespace("mq", multi_queue=True) as ns:
        log = echo_over_tap(ns, smp)
    qemu = next(l for l in log.splitlines() if l.startswith("amphi: qemu-system"))
    assert ",queues=%d " % smp in qemu and ",mq=on " in qemu, qemu
    want = ("tx checksum on, rx checksum on, tx segmentation on (IPv4, IPv6), "
            "rx segmentation on, merged rx buffers on (2048 bytes), %d queue pairs (device %d)"
            % (smp, smp))
    assert want in log, log
    assert "refused" not in log, log


def test_tap_single_queue():
    """A tap made without multi_queue: QEMU gets no queues=, one pair."""
    with network_namespace("sq") as ns:
        log = echo_over_tap(ns, 2)
    qemu = next(l for l in log.splitlines() if l.startswith("amphi: qemu-system"))
    assert "queues=" not in qemu and "mq=on" not in qemu, qemu
    assert "1 queue pair (device 1)" in log, log


@pytest.mark.parametrize("smp,options,want", [
    (1, [], "1 queue pair (device 2)"),
    (2, ["--offload", "off"], "offloads off (net.offload=off): 1 queue pair"),
], ids=["1cpu", "offload-off"])
def test_multiqueue_tap_one_pair_used(smp, options, want):
    """A multiqueue tap with one vCPU (QEMU needs queues=2 to open it as
    such; the driver uses one pair) and with --offload off (the device
    offers MQ, the driver takes none of it).  Root."""
    with network_namespace("mq1", multi_queue=True) as ns:
        log = echo_over_tap(ns, smp, options)
    qemu = next(l for l in log.splitlines() if l.startswith("amphi: qemu-system"))
    assert ",queues=2 " in qemu and ",mq=on " in qemu, qemu
    assert want in log, log


@pytest.mark.parametrize("v6", [False, True], ids=["ipv4", "ipv6"])
@pytest.mark.parametrize("smp", [1, 2])
def test_segmentation_over_tap(smp, v6):
    """TSO both ways: what the guest echoes leaves as frames of many
    segments, which the host's stack takes whole, what it is sent comes
    whole too (more than one MTU each), and every byte arrives.  Root."""
    frames = []
    with network_namespace("tso", multi_queue=True) as ns:
        log = echo_over_tap(ns, smp, clients=8, v6=v6, frames=frames)
    assert "tx segmentation on (IPv4, IPv6), rx segmentation on" in log, log
    # A frame longer than the MTU exists only by segmentation offload; how
    # many segments one holds depends on how the data came (a loaded host
    # gave 3 MSSes), so no more is asked.
    assert frames[0] > 1514, "the largest frame from the guest: %d bytes" % frames[0]
    assert frames[1] > 1514, "the largest frame to the guest: %d bytes" % frames[1]


@pytest.mark.parametrize("smp", [1, 2])
def test_e1000e_segmentation_over_tap(smp):
    """The e1000e's TSO: over IPv4 what the guest echoes leaves the device
    as frames of many segments (the model hands them to the tap whole),
    sent in place, and every byte arrives; over IPv6, which the driver
    does not offer the device, no frame is longer than one MTU.  Root."""
    options = ["--nic", "e1000e"]
    frames4, frames6 = [], []
    with network_namespace("etso", multi_queue=True) as ns:
        log = echo_over_tap(ns, smp, options, clients=8, frames=frames4)
        echo_over_tap(ns, smp, options, clients=4, v6=True, frames=frames6)
    assert "offloads tx and rx checksums, tx segmentation (IPv4)" in log, log
    c = report_counts(log, "e1000e0")
    assert c["dropped"] == 0, c
    assert frames4[0] > 1514, "the largest IPv4 frame from the guest: %d bytes" % frames4[0]
    assert 0 < frames6[0] <= 1514, "the largest IPv6 frame from the guest: %d bytes" % frames6[0]


def test_no_segmentation_with_offload_off():
    """--offload off: no frame either way is longer than one MTU, and the
    data still arrives whole.  Root."""
    frames = []
    with network_namespace("notso", multi_queue=True) as ns:
        echo_over_tap(ns, 2, ["--offload", "off"], clients=8, frames=frames)
    assert 0 < frames[0] <= 1514 and 0 < frames[1] <= 1514, \
        "the largest frames from and to the guest: %d and %d bytes" % tuple(frames)


def httpd_under_wrk(www, ns_name, httpd_args, wrk_args, path, smp, nic="virtio",
                    multi_queue=False):
    """net_httpd HTTPD_ARGS serving www over a tap in a namespace, under
    `wrk -t1 WRK_ARGS` for PATH, every answer a 2xx; the -v log once the
    program has ended.  Root."""
    argv = amphi_argv("net_httpd", *httpd_args, 8080, "/www", smp=smp, mem="128M",
                      options=["-v", "--nic", nic, "--net", "tap=tap0", "--ip", "192.168.79.2/24",
                               "--files", "%s:/www" % www])
    with network_namespace(ns_name, multi_queue=multi_queue) as ns:
        with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
            g.wait_for(b"listening")
            r = subprocess.run(["ip", "netns", "exec", ns, "wrk", "-t1"] + wrk_args +
                               ["http://192.168.79.2:8080" + path],
                               capture_output=True, timeout=60)
            assert r.returncode == 0 and b"Non-2xx" not in r.stdout, r.stdout + r.stderr
            check_stopped(g)
            return g.err.decode("utf-8", "replace")


@pytest.mark.parametrize("nic", ["virtio", "e1000e"])
def test_few_interrupts_under_load(nic, tmp_path):
    """Interrupt moderation: under wrk's small requests over the tap the
    receive thread keeps polling while frames come and takes an interrupt
    only when it found the ring empty: far fewer interrupts than frames
    (-v reports both when the program ends).  Working moderation took one
    per 500 to 2,000 frames on a quiet host, but one per 8 to 30 on a host
    busy with other VMs and tests: frames then come slower than the guest
    takes them, and the ring is found empty more often.  So the test asks
    only for one interrupt per 4 frames, which an interrupt per frame or
    two fails (moderation undone) whatever the host's load; it no longer
    tells the e1000e's throttling alone (about one in ten) from polling.
    Root."""
    (tmp_path / "small.html").write_bytes(b"x" * 1024)
    log = httpd_under_wrk(tmp_path, "aim", [], ["-c10", "-d2s"], "/small.html", smp=1, nic=nic)
    c = report_counts(log, "virtio-net0" if nic == "virtio" else "e1000e0")
    assert c["frames"] >= 2000 and c["tx"] >= 2000, c
    assert c["interrupts"] * 4 < c["frames"], c
    assert "moderation: adaptive" in log, log


def test_bulk_sends_fill_the_ring_without_drops(tmp_path):
    """Eight connections fetching 1 MiB files by sendfile over the tap put
    more in flight (8 x 128 KiB) than virtio-net's transmit ring holds
    (256 slots of 2 KiB), which QEMU empties in its own thread.  A frame
    that finds the ring full waits for room: dropped, it cost its
    connection a retransmission timeout, a second or more, to resend the
    40 segments of a segmented frame (before, 2 or 3 drops in 5 s).  Root."""
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 4096)
    log = httpd_under_wrk(tmp_path, "ring", ["-s"], ["-c8", "-d3s"], "/big.bin", smp=2,
                          multi_queue=True)
    c = report_counts(log, "virtio-net0")
    assert c["tx"] >= 1000 and c["dropped"] == 0, c


# ---- a lossy link: segments of many MSSes, cut and sent again ---------------

def lost_frames(log):
    """How many frames eth0 lost on purpose (amphi.net_loss), from -v."""
    line = next((l for l in log.splitlines() if l.startswith("eth0: lost ")), None)
    assert line, log
    return int(line.split()[2])


@pytest.mark.parametrize("smp,v6", [(1, False), (2, False), (2, True)],
                         ids=["1-ipv4", "2-ipv4", "2-ipv6"])
def test_echo_over_a_lossy_link(tmp_path, smp, v6):
    """eth0 losing one frame in 30 each way (amphi.net_loss=30) over the
    tap, where bulk sends go as segments of many MSSes that the device
    cuts: losses, retransmissions and segments cut to a shrunken window
    (lwIP patch 14) still bring every echoed byte back.  Root."""
    q = appending_wrapper(tmp_path, "amphi.net_loss=30")
    with network_namespace("loss", multi_queue=True) as ns:
        log = echo_over_tap(ns, smp, ["--qemu", q], clients=8, v6=v6)
    assert "tx segmentation on (IPv4, IPv6)" in log, log
    assert lost_frames(log) > 10, log


def test_sendfile_over_a_lossy_link(tmp_path):
    """A file sent by sendfile (segments that point into its pages, cut
    by reference when the window shrinks) over a link losing one frame in
    30 each way: three downloads of 3 MiB arrive byte for byte.  Root."""
    www = tmp_path / "www"
    www.mkdir()
    data = os.urandom(3 << 20)
    (www / "big.bin").write_bytes(data)
    q = appending_wrapper(tmp_path, "amphi.net_loss=30")
    argv = amphi_argv("net_httpd", "-s", 8080, "/www", smp=2, mem="128M",
                      options=["-v", "--qemu", q, "--net", "tap=tap0",
                               "--ip", "192.168.79.2/24", "--files", "%s:/www" % www])
    with network_namespace("lossf", multi_queue=True) as ns:
        with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
            g.wait_for(b"listening")
            for _ in range(3):
                r = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "--max-time", "120",
                                    "http://192.168.79.2:8080/big.bin"],
                                   capture_output=True, timeout=150)
                assert r.returncode == 0 and r.stdout == data, \
                    "curl %d, %d bytes\n%s" % (r.returncode, len(r.stdout), g.describe())
            check_stopped(g)
            log = g.err.decode("utf-8", "replace")
    assert lost_frames(log) > 10, log
