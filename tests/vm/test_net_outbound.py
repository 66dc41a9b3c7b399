"""A guest program as a client: net_connect reaches a server on the host
through QEMU's user networking, where the host is 10.0.2.2."""

import os
import socket
import threading

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


def serve_once(srv, reply, seen):
    """Accepts one connection, reads the client's line until its EOF, and
    answers with `reply` + the line."""
    srv.settimeout(60)
    try:
        c, _ = srv.accept()
    except socket.timeout:
        return
    with c:
        c.settimeout(30)
        data = b""
        while True:
            b = c.recv(4096)
            if not b:
                break
            data += b
        seen.append(data)
        c.sendall(reply + data)


@pytest.mark.parametrize("options", [["--net", "user"],
                                     ["--net", "user", "--ip", "10.0.2.20/24",
                                      "--gw", "10.0.2.2"]],
                         ids=["dhcp", "static"])
def test_connect_to_host(options):
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    reply = os.urandom(32768).hex().encode()	# 64 KiB of text
    seen = []
    t = threading.Thread(target=serve_once, args=(srv, reply, seen))
    t.start()
    try:
        r = run("net_connect", "10.0.2.2", port, "hello from the guest", options=options,
                mem="128M")
    finally:
        t.join(70)
        srv.close()
    assert seen == [b"hello from the guest\n"], r.describe()
    assert (r.status, r.stdout) == (0, reply + b"hello from the guest\n"), r.describe()
