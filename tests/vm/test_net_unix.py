"""AF_UNIX sockets and the socket system calls: each program prints one
line per step, compared with what it prints on Linux (net_unix_expected.py
holds the native transcripts).  Every run is a fresh VM."""

import pytest

import net_unix_expected
from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [1, 2])
def test_unix_stream(smp):
    """socketpair with 1 MiB each way between threads, peek/waitall,
    shutdown, EPIPE/SIGPIPE, ECONNRESET, path and abstract names,
    listen/accept with a backlog, options."""
    expect(run("net_unix_stream", "/tmp", smp=smp), net_unix_expected.NET_UNIX_STREAM)


def test_unix_dgram_and_rights():
    """Datagram boundaries, MSG_TRUNC, addresses, connected datagram
    sockets; SCM_RIGHTS passing a pipe end, MSG_CMSG_CLOEXEC, MSG_CTRUNC."""
    expect(run("net_unix_dgram", "/tmp"), net_unix_expected.NET_UNIX_DGRAM)


def test_socket_api_edges():
    """Bad descriptors, non-sockets, bad pointers, families, limits,
    sendmmsg/recvmmsg, readv/writev/sendfile, poll/epoll/select mixed with
    pipes and eventfds, EMFILE."""
    expect(run("net_socket_api"), net_unix_expected.NET_SOCKET_API)


def test_release_of_a_chain_of_sockets():
    """4000 socket pairs (files in flight stop at RLIMIT_NOFILE, at most
    4096 here), each one's queue holding (SCM_RIGHTS) an end of the
    next: closing the first releases them all, one after another, not one
    call inside the other (which ran off the kernel stack), and the program
    goes on."""
    r = run("release_chain", 4000, mem="128M")
    assert (r.status, r.stdout, r.stderr) == (
        0, b"chain of 4000 released\nrelease_chain ok\n", b""), r.describe()
