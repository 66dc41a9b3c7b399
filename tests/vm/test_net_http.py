"""curl and other host clients against HTTP servers in amphi, through
`amphi run -p` (QEMU's user networking): net_httpd (tests/progs), Debian's
unmodified busybox httpd serving files given with --files, and clients
that misbehave (garbage, resets, thousands of abandoned connections) after
which the server must still answer and the kernel must still be alive."""

import os
import resource
import socket
import time
import struct
import subprocess

import pytest

from conftest import free_port
from netvm import HTTPD_PAGE, Guest, check_stopped, curl, http_get, http_ready

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"


@pytest.fixture
def docroot(tmp_path):
    """A document root: a small text file, a 1 MiB binary one, a
    subdirectory with an index.html."""
    root = tmp_path / "www"
    (root / "sub").mkdir(parents=True)
    files = {"hello.txt": b"hello from the host\n",
             "big.bin": os.urandom(1 << 20),
             "sub/index.html": b"<p>sub</p>\n"}
    for name, data in files.items():
        (root / name).write_bytes(data)
    return str(root), files


@pytest.mark.parametrize("nic,mode", [("virtio", []), ("e1000e", []), ("virtio", ["-s"])],
                         ids=["virtio", "e1000e", "virtio-sendfile"])
def test_curl_page_404_and_files(docroot, nic, mode):
    """On both NICs amphi drives (amphi run --nic), and with file bodies
    sent by sendfile (net_httpd -s)."""
    root, files = docroot
    hp = free_port()
    with Guest("net_httpd", *mode, 8080, "/www",
               options=["--nic", nic, "-p", "%d:8080" % hp, "--files", root + ":/www"]) as g:
        g.wait_for(b"listening")
        url = "http://127.0.0.1:%d" % hp
        assert curl(url + "/") == (200, HTTPD_PAGE), g.describe()
        assert curl(url + "/missing.html") == (404, b"404 Not Found\n")
        assert curl(url + "/hello.txt") == (200, files["hello.txt"])
        assert curl(url + "/sub/") == (200, files["sub/index.html"])
        code, body = curl(url + "/big.bin")
        assert code == 200 and body == files["big.bin"], "big.bin: %d bytes back" % len(body)
        # One connection, several requests (curl reuses it: keep-alive).
        r = subprocess.run(["curl", "-sS", "--max-time", "20", "-w", "%{num_connects}\n",
                            url + "/", url + "/hello.txt", url + "/"], capture_output=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout == (HTTPD_PAGE + b"1\n" + files["hello.txt"] + b"0\n"
                            + HTTPD_PAGE + b"0\n")
        check_stopped(g)


@pytest.mark.skipif(not os.path.isfile(BUSYBOX), reason="needs Debian's busybox-static")
def test_busybox_httpd_serves_files(docroot):
    """busybox httpd forks a child per connection, so this needs fork in
    the guest as well as sockets."""
    root, files = docroot
    hp = free_port()
    with Guest(BUSYBOX, "httpd", "-f", "-v", "-p", "8080", "-h", "/www",
               options=["-p", "%d:8080" % hp, "--files", root + ":/www"]) as g:
        url = "http://127.0.0.1:%d" % hp
        try:
            code, _, body = http_ready("127.0.0.1", hp, timeout=30, path="/hello.txt")
        except Exception as e:
            raise AssertionError("busybox httpd never answered: %s\n%s" % (e, g.describe()))
        assert (code, body) == (200, files["hello.txt"]), g.describe()
        assert curl(url + "/big.bin") == (200, files["big.bin"])
        assert curl(url + "/sub/index.html") == (200, files["sub/index.html"])
        assert curl(url + "/nothing-here")[0] == 404
        check_stopped(g)


def still_serves(g, hp):
    code, _, body = http_get("127.0.0.1", hp)
    assert (code, body) == (200, HTTPD_PAGE), g.describe()
    assert g.alive(), g.describe()


def settle_after_flood(g, hp, within=90):
    """After 2000 connections at once the server still has them to accept
    and close; meanwhile its listen queue (lwIP's backlog is at most 255) can
    be full, and a SYN that finds it full is dropped, as Linux does without
    SYN cookies, and resent by slirp seconds later.  So a request may wait;
    five quick answers in a row show the server is through the flood."""
    deadline, quick = time.monotonic() + within, 0
    while quick < 5:
        assert time.monotonic() < deadline and g.alive(), g.describe()
        try:
            code, _, body = http_get("127.0.0.1", hp, timeout=5)
            assert (code, body) == (200, HTTPD_PAGE), g.describe()
            quick += 1
        except (socket.timeout, ConnectionError):
            quick = 0


def get_from_port(hp, local_port):
    """One GET from a fixed local port, the server closing first."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(30)
        s.bind(("127.0.0.1", local_port))
        s.connect(("127.0.0.1", hp))
        s.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    return reply


def test_reconnect_from_the_same_port():
    """The server closes first, so the guest holds each connection in
    TIME-WAIT; a client that comes back at once from the same port (slirp
    keeps the host client's port) must be served, as Linux serves it
    (RFC 1122 4.2.2.13), not left sending SYNs for minutes."""
    hp, lp = free_port(), free_port()
    with Guest("net_httpd", 8080, options=["-p", "%d:8080" % hp]) as g:
        g.wait_for(b"listening")
        for _ in range(3):
            reply = get_from_port(hp, lp)
            assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(HTTPD_PAGE), \
                (reply, g.describe())
        check_stopped(g)


def test_bad_clients(docroot):
    """Garbage, a reset in the middle of a 1 MiB answer, and 2000
    connections opened and dropped: after each, a normal request works."""
    root, files = docroot
    hp = free_port()
    with Guest("net_httpd", 8080, "/www", mem="256M",
               options=["-p", "%d:8080" % hp, "--files", root + ":/www"]) as g:
        g.wait_for(b"listening")
        still_serves(g, hp)
        for junk in (os.urandom(65536), b"\0" * 100 + b"\r\n\r\n",
                     b"GET " + b"A" * 20000 + b" HTTP/1.1\r\n\r\n", b"\r\n\r\n\r\n",
                     b"GET / HTTP/9.9\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", hp), timeout=20) as s:
                try:
                    s.sendall(junk)
                    s.recv(65536)
                except ConnectionError:
                    pass		# closing on garbage is fine
            still_serves(g, hp)
        for _ in range(3):	# reset mid-transfer
            s = socket.create_connection(("127.0.0.1", hp), timeout=20)
            s.sendall(b"GET /big.bin HTTP/1.1\r\n\r\n")
            s.recv(10000)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        still_serves(g, hp)
        assert curl("http://127.0.0.1:%d/big.bin" % hp) == (200, files["big.bin"])
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
        socks = []
        try:
            for i in range(2000):
                s = socket.create_connection(("127.0.0.1", hp), timeout=20)
                if i % 2:
                    s.sendall(b"GET / HTTP/1.1\r\n\r\n")	# and never read the answer
                socks.append(s)
        finally:
            for s in socks:
                s.close()
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        settle_after_flood(g, hp)
        for _ in range(20):
            still_serves(g, hp)
        check_stopped(g)
