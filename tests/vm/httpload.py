"""A keep-alive HTTP load that notices every failure, for the switching
tests and bench/switchbench.py.  Run it where the server is reachable (in
the test's network namespace):

    httpload.py HOST PORT PATH CONNECTIONS [--times]

It fetches PATH once to learn the answer, then keeps CONNECTIONS
persistent HTTP/1.1 connections asking for PATH again and again, each
answer checked byte for byte against the first.  A connection is never
made again: one that breaks (reset, closed, a wrong or late answer) is a
failure and stays down.  It runs until its standard input ends, then
prints one JSON object:

    {"requests": N, "connections": C, "alive": A, "failures": ["..."],
     "times": [[t, ...], ...]}

times (with --times): for each connection, the monotonic time of each of
its answers.  bench/switchbench.py uses the Load class itself."""

import json
import socket
import sys
import threading
import time

TIMEOUT = 60	# seconds one answer may take (TCP retransmits across a switch)


def read_answer(sock, buf):
    """One HTTP answer from sock: (status line, body, rest of buf)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("no Content-Length in %r" % lines[0])
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the middle of an answer")
        buf += chunk
    return lines[0], buf[:length], buf[length:]


class Load:
    def __init__(self, host, port, path, n, keep_times):
        self.addr = (host, port)
        self.request = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, host)).encode()
        self.n, self.keep_times = n, keep_times
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.requests, self.alive, self.failures, self.times = 0, 0, [], []
        with socket.create_connection(self.addr, timeout=TIMEOUT) as s:
            s.sendall(self.request)
            self.status, self.body, _ = read_answer(s, b"")

    def one(self, i):
        try:
            s = socket.create_connection(self.addr, timeout=TIMEOUT)
        except OSError as e:
            with self.lock:
                self.failures.append("connection %d: connect: %s" % (i, e))
            return
        with self.lock:
            self.alive += 1
        buf, n, times = b"", 0, []
        try:
            while not self.stop.is_set():
                s.sendall(self.request)
                status, body, buf = read_answer(s, buf)
                if (status, body) != (self.status, self.body):
                    raise ValueError("answer %d differs: %r, %d bytes" % (n, status, len(body)))
                n += 1
                if self.keep_times:
                    times.append(time.monotonic())
        except (OSError, ValueError) as e:
            with self.lock:
                self.alive -= 1
                self.failures.append("connection %d, after %d answers: %s" % (i, n, e))
        finally:
            s.close()
            with self.lock:
                self.requests += n
                if self.keep_times:
                    self.times.append(times)

    def start(self):
        self.threads = [threading.Thread(target=self.one, args=(i,)) for i in range(self.n)]
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(TIMEOUT + 5)
        return {"requests": self.requests, "connections": self.n, "alive": self.alive,
                "failures": self.failures, "times": self.times}


def main():
    host, port, path, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    load = Load(host, port, path, n, "--times" in sys.argv[5:])
    load.start()
    print("ready", flush=True)
    sys.stdin.buffer.read()
    print(json.dumps(load.finish()), flush=True)


if __name__ == "__main__":
    main()
