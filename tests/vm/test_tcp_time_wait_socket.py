"""A TCP socket whose connection is in TIME-WAIT while the program still
holds it, its end unread (tcp_time_wait_socket): lwIP freed that
connection without a word to the socket when a SYN from the same port
reopened it, when its 2 MSL ran out (a short MSL, amphi.tcp_msl=100,
through a --qemu wrapper) and when the program's SO_LINGER 0 close
aborted it.  The socket then read and closed freed memory, most likely the
new connection's.  The read of the old end must say 0, its close succeed,
and a new connection carry bytes both ways (lwIP patch 17)."""

import pytest

from conftest import expect, qemu_wrapper, run

pytestmark = pytest.mark.usefixtures("amphi_works")

ROUNDS = 4


@pytest.mark.parametrize("mode", ["reopen", "linger"])
def test_time_wait_left(mode):
    expect(run("tcp_time_wait_socket", mode, ROUNDS), "ok %d\n" % ROUNDS)


def test_time_wait_expired(tmp_path):
    wrapper = qemu_wrapper(tmp_path, "amphi.tcp_msl=100")
    expect(run("tcp_time_wait_socket", "expire", 2, options=("--qemu", wrapper)), "ok 2\n")
