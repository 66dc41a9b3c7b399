"""Helpers for the tests where real host clients talk to a server in amphi.

Guest: one `amphi run` in the background (its own process group), whose
stdout is collected as it comes so a test can wait for the server's
"listening" line before connecting.  stop() sends SIGTERM, which amphi
passes to the program: a program that dies of it gives status 143, which
proves the kernel was still alive to deliver it (a panic gives 125).

The client functions (http_get, echo_clients...) take a host and port and
check every byte; they work the same against a native run of the program,
which is how the programs themselves are checked (docs/testing.md)."""

import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time

from conftest import ROOT, amphi_argv

# The fixed page net_httpd serves at "/" (tests/progs/net_httpd.c).
HTTPD_PAGE = (b"<!DOCTYPE html>\n<html><head><title>amphi</title></head>\n"
              b"<body><h1>Hello from amphi</h1><p>net_httpd serves this page.</p></body></html>\n")


class Guest:
    """`amphi run OPTIONS PROG ARGS` in the background."""

    def __init__(self, prog, *args, options=(), smp=2, mem="256M", argv=None, cwd=ROOT,
                 prefix=(), env=None):
        self.argv = list(prefix) + (argv or amphi_argv(prog, *args, smp=smp, mem=mem,
                                                       options=options))
        self.out = b""
        self.err = b""
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(self.argv, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True, env=env)
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, "out")),
                        threading.Thread(target=self._read, args=(self.proc.stderr, "err"))]
        for t in self.readers:
            t.daemon = True
            t.start()

    def _read(self, f, name):
        while True:
            b = f.read1(65536)
            with self.cond:
                if b:
                    setattr(self, name, getattr(self, name) + b)
                else:
                    setattr(self, name + "_closed", True)
                self.cond.notify_all()
            if not b:
                return

    def describe(self):
        return ("`%s`: status %s\n--- stdout ---\n%r\n--- stderr ---\n%s"
                % (" ".join(self.argv), self.proc.poll(), self.out[-2000:],
                   self.err.decode("utf-8", "replace")[-3000:]))

    def wait_for(self, text, timeout=30, stream="out"):
        """Waits until stdout (stream "err": stderr) holds `text`; raises
        AssertionError with the run's output if the VM ends or the time runs
        out first.  The two are read by two threads: a line the guest wrote
        to stderr before its stdout's may yet be on its way."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while text not in getattr(self, stream):
                left = deadline - time.monotonic()
                if left <= 0 or getattr(self, stream + "_closed", False):
                    raise AssertionError("no %r from the guest after %.0f s\n%s"
                                         % (text, timeout, self.describe()))
                self.cond.wait(min(left, 0.2))

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout=30):
        """Waits for the run to end by itself; returns its status."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the run did not end within %d s\n%s"
                                 % (timeout, self.describe()))
        for t in self.readers:
            t.join(5)
        return self.proc.returncode

    def stop(self, timeout=20):
        """SIGTERM to amphi (passed on to the program); returns the status."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
        return self.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False


def curl(url, *extra, timeout=20):
    """(HTTP status, body) as curl saw them; fails on a curl error."""
    r = subprocess.run(["curl", "-sS", "--max-time", str(timeout), "-o", "-",
                        "-w", "\n%{http_code}", *extra, url], capture_output=True)
    assert r.returncode == 0, "curl %s: status %d: %s" % (url, r.returncode, r.stderr)
    body, code = r.stdout.rsplit(b"\n", 1)
    return int(code), body


def check_stopped(g, status=128 + signal.SIGTERM):
    """Stops the guest and checks it ended the way a live kernel ends it:
    the program killed by SIGTERM, no panic."""
    got = g.stop()
    assert got == status, g.describe()
    assert b"panic" not in g.err, g.describe()


def http_read_response(f, head_only=False):
    """Reads one HTTP/1.1 response framed by Content-Length from f (a
    socket's makefile("rb"), which keeps what follows for the next one);
    returns (status, headers dict with lower-case names, body)."""
    line = f.readline()
    if not line:
        raise AssertionError("connection closed before a response")
    proto, code = line.decode("latin-1").split(" ", 2)[:2]
    assert proto == "HTTP/1.1", line
    headers = {}
    while True:
        line = f.readline()
        assert line.endswith(b"\r\n"), "bad header line %r" % line
        if line == b"\r\n":
            break
        k, v = line.decode("latin-1").split(":", 1)
        headers[k.strip().lower()] = v.strip()
    length = 0 if head_only else int(headers["content-length"])
    body = f.read(length)
    assert len(body) == length, "closed after %d of %d body bytes" % (len(body), length)
    return int(code), headers, body


def http_get(host, port, path="/", timeout=20):
    """One GET on a fresh connection; (status, headers, body)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n" % path).encode())
        with s.makefile("rb") as f:
            return http_read_response(f)


def http_ready(host, port, timeout=30, path="/"):
    """Retries GET until an answer comes (for servers that print nothing
    when ready).  Returns (status, headers, body)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return http_get(host, port, path, timeout=5)
        except (OSError, AssertionError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def echo_clients(host, port, nclients, size, timeout=120, seed=1):
    """nclients concurrent connections, each sending `size` bytes of its own
    random data while reading the echo, every byte compared.  One thread,
    non-blocking sockets: a client never blocks on sending while its echo
    waits to be read.  Returns the total bytes echoed."""
    pool = os.urandom(2 * size)
    sel = selectors.DefaultSelector()
    clients = []
    for i in range(nclients):
        s = socket.create_connection((host, port), timeout=timeout)
        s.setblocking(False)
        off = (i * 4099 + seed) % size
        c = {"i": i, "s": s, "data": memoryview(pool)[off:off + size], "sent": 0, "got": 0}
        clients.append(c)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    deadline = time.monotonic() + timeout
    done = 0
    while done < nclients:
        if time.monotonic() > deadline:
            raise AssertionError("echo: %d of %d clients done after %d s; received %d bytes"
                                 % (done, nclients, timeout, sum(c["got"] for c in clients)))
        for key, events in sel.select(1):
            c = key.data
            s = c["s"]
            if events & selectors.EVENT_WRITE and c["sent"] < size:
                try:
                    c["sent"] += s.send(c["data"][c["sent"]:c["sent"] + 65536])
                except BlockingIOError:
                    pass
                if c["sent"] == size:
                    s.shutdown(socket.SHUT_WR)
                    sel.modify(s, selectors.EVENT_READ, c)
            if events & selectors.EVENT_READ:
                try:
                    b = s.recv(262144)
                except BlockingIOError:
                    continue
                if not b:
                    assert c["got"] == size, ("client %d: closed after %d of %d bytes"
                                              % (c["i"], c["got"], size))
                    sel.unregister(s)
                    s.close()
                    done += 1
                    continue
                want = c["data"][c["got"]:c["got"] + len(b)]
                if b != want:
                    bad = next(k for k in range(len(b)) if k >= len(want) or b[k] != want[k])
                    raise AssertionError("client %d: byte %d differs" % (c["i"], c["got"] + bad))
                c["got"] += len(b)
    sel.close()
    return sum(c["got"] for c in clients)


# ---- net_stream (tests/progs/net_stream.c) ------------------------------------------------

STREAM_PERIOD = 251     # byte i of a "send" stream is i % 251


def stream_download(host, port, size, timeout=120):
    """Asks net_stream for size bytes; checks every byte; returns how many
    came."""
    period = bytes(range(STREAM_PERIOD))
    want = memoryview(period * (2 + (1 << 20) // STREAM_PERIOD))
    buf = bytearray(1 << 20)
    got = 0
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b"send %d\n" % size)
        while True:
            n = s.recv_into(buf)
            if not n:
                return got
            off = got % STREAM_PERIOD
            if buf[:n] != want[off:off + n]:
                bad = next(i for i in range(n) if buf[i] != want[off + i])
                raise AssertionError("stream byte %d: %d, not %d" % (got + bad, buf[bad],
                                                                    want[off + bad]))
            got += n


# Run in a network namespace: a download of argv[3] bytes from net_stream
# at argv[1]:argv[2], then an upload; prints both counts.
STREAM_IN_NS = r"""
import os, sys
sys.path.insert(0, os.environ["NETVM_DIR"])
from netvm import stream_download, stream_upload
host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print(stream_download(host, port, size), stream_upload(host, port, size))
"""


def stream_in_namespace(ns, host, port, size):
    """stream_download and stream_upload from inside network namespace ns;
    the finished python (its stdout the two counts)."""
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", STREAM_IN_NS, host,
                           str(port), str(size)], capture_output=True, timeout=200,
                          env=dict(os.environ, NETVM_DIR=os.path.dirname(os.path.abspath(__file__))))


def stream_upload(host, port, size, timeout=120):
    """Sends net_stream size bytes; returns the count it answers."""
    chunk = os.urandom(1 << 16)
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b"recv\n")
        for off in range(0, size, len(chunk)):
            s.sendall(chunk[:min(len(chunk), size - off)])
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while not answer.endswith(b"\n"):
            part = s.recv(64)
            if not part:
                break
            answer += part
    return int(answer)
