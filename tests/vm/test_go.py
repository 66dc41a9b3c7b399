"""A program written in Go: go_httpd (tests/progs/go_httpd.go), Go's own
net/http file server built static by Debian's Go 1.19, the same binary the
scaling benchmark runs in amphi and in the Linux VM.  The Go runtime brings
its own threads (one per vCPU it finds), futexes, epoll, signals for
goroutine preemption, and sendfile for file bodies."""

import os
import threading

import pytest

from conftest import ROOT, free_port
from netvm import Guest, check_stopped, curl

pytestmark = pytest.mark.usefixtures("amphi_works")

GO_HTTPD = os.path.join(ROOT, "build", "progs", "go_httpd")


@pytest.mark.parametrize("smp", [1, 2])
def test_go_net_http_serves_files_to_parallel_clients(tmp_path, smp):
    """Each of 8 clients at once gets the 1 MiB file byte for byte (Go
    sends it with sendfile), on 1 and 2 vCPUs; the runtime sees them all."""
    root = tmp_path / "www"
    root.mkdir()
    files = {"hello.txt": b"hello from the host\n", "big.bin": os.urandom(1 << 20)}
    for name, data in files.items():
        (root / name).write_bytes(data)
    hp = free_port()
    with Guest(GO_HTTPD, "8080", "/www", smp=smp,
               options=["-p", "%d:8080" % hp, "--files", "%s:/www" % root]) as g:
        g.wait_for(b"listening on port 8080 (%d CPUs)" % smp, timeout=60)
        url = "http://127.0.0.1:%d" % hp
        assert curl(url + "/hello.txt", timeout=60) == (200, files["hello.txt"]), g.describe()
        assert curl(url + "/missing", timeout=60)[0] == 404
        got = [None] * 8

        def fetch(i):
            got[i] = curl(url + "/big.bin", timeout=60)
        clients = [threading.Thread(target=fetch, args=(i,)) for i in range(len(got))]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        for i, (code, body) in enumerate(got):
            assert code == 200 and body == files["big.bin"], \
                "client %d: status %d, %d bytes, first difference at %s" % (
                    i, code, len(body),
                    next((j for j, (a, b) in enumerate(zip(body, files["big.bin"])) if a != b),
                         "the end"))
        check_stopped(g)
