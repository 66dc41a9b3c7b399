"""Running out of sockets gives the program EMFILE, ENFILE or ENOBUFS and
nothing worse; closing them gives the resources back (net_exhaust)."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_socket_exhaustion():
    r = run("net_exhaust", options=["--net", "user"], mem="256M", limit=120)
    assert r.status == 0, r.describe()
    out = r.stdout.decode()
    for kind in ("tcp", "udp", "listen"):
        assert ("net_exhaust: %s: " % kind) in out, r.describe()
    assert out.count("one opens again after closing them") == 3, r.describe()
    assert b"panic" not in r.stderr
