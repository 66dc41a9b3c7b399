"""Pipes, poll/select, epoll, eventfd and timerfd, on one CPU and on four:
the blocking checks have one thread sleep and another wake it."""

import os

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

SMP = [1, 2, 4]


def expect(r, lines):
    want = "".join(line + "\n" for line in lines).encode()
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()


@pytest.mark.parametrize("smp", SMP)
def test_pipe_basics(smp):
    expect(run("pipe_basic", smp=smp), [
        "data in order ok", "stat and flags ok", "nonblocking ok", "nonblock set later ok",
        "end of file ok", "broken pipe ok", "200 pipes ok", "pipe_basic ok"])


@pytest.mark.parametrize("smp", SMP)
def test_pipe_between_threads(smp):
    expect(run("pipe_threads", 8, 500, 2000, smp=smp), [
        "transfer 8 MiB ok",
        "atomic 500 x 4096-byte writes from 4 threads ok",
        "atomic 500 x 1000-byte writes from 4 threads ok",
        "atomic 500 x 1000-byte writevs from 4 threads ok",
        "pingpong 2000 ok", "eof wakes reader ok", "epipe wakes writer ok",
        "pipe_threads ok"])


def test_sigpipe_kills_the_writer():
    r = run("pipe_sigpipe", "kill")
    assert (r.status, r.stdout) == (141, b"before write\n"), r.describe()


def test_sigpipe_handler_runs_in_the_writer():
    expect(run("pipe_sigpipe", "handler", smp=2), ["handler ok"])


@pytest.mark.parametrize("smp", SMP)
def test_poll_and_select(smp):
    expect(run("poll_select", smp=smp), [
        "pipe events ok", "full pipe ok", "bad descriptors ok", "timeouts ok",
        "select sets ok", "nfds 2048 ok", "woken by another thread ok", "two pollers ok",
        "100 descriptors ok", "poll_select ok"])


def test_select_descriptor_above_1024():
    expect(run("poll_select", "high"), ["descriptor 1500 ok"])


@pytest.mark.parametrize("smp", SMP)
def test_eventfd_and_timerfd(smp):
    expect(run("eventfd_timerfd", smp=smp), [
        "eventfd counter ok", "eventfd semaphore ok", "eventfd overflow ok",
        "eventfd across threads ok", "timerfd one-shot ok", "timerfd periodic ok",
        "timerfd absolute ok", "timerfd errors ok", "timerfd across threads ok",
        "eventfd_timerfd ok"])


@pytest.mark.parametrize("smp", SMP)
def test_epoll_semantics(smp):
    expect(run("epoll_semantics", smp=smp), [
        "errors ok", "level-triggered ok", "edge-triggered ok", "one-shot ok", "maxevents ok",
        "nested ok", "closed descriptor ok", "timeouts ok", "woken by another thread ok",
        "signals ok", "multiplex 8 writers ok", "epoll_semantics ok"])


@pytest.mark.parametrize("smp", [2, 4])
def test_epoll_under_concurrency(smp):
    expect(run("epoll_threads", 20000, smp=smp), ["churn ok", "workers ok", "epoll_threads ok"])


# tests/progs/epoll_limits.c run natively (Linux 6.18, musl, static).
EPOLL_LIMITS = """chain of 501 built top down: step 4 ELOOP
  eventfd in the deepest: ok; a write: woken
chain of 501 built bottom up: step 4 ELOOP
  eventfd in the deepest: ok; a write: woken
a in b: ok
b in a: ELOOP
b in c, c in a: ELOOP ok
a in a: EINVAL
fan-out 40 wide: level 1 epoll 12 taking epoll 20: EINVAL
  a write reaches the highest epoll linked: woken
fan-out 10 wide: level 2 epoll 1 taking epoll 0: EINVAL
  a write reaches the highest epoll linked: woken
fan-out 4 wide: level 3 epoll 0 taking epoll 3: EINVAL
  a write reaches the highest epoll linked: woken
fan-out 3 wide: level 3 epoll 1 taking epoll 2: EINVAL
  a write reaches the highest epoll linked: woken
fan-out 2 wide: level 4 epoll 0 taking epoll 1: EINVAL
  a write reaches the highest epoll linked: woken
paths through one epoll from one eventfd: link 500 EINVAL
epoll_limits done
"""


@pytest.mark.parametrize("smp", [1, 2])
def test_epoll_nesting_limits(smp):
    """Chains of epolls end at 5 whichever end they are built from (ELOOP),
    loops are refused, and graphs whose wake-ups would fan out are refused
    with EINVAL where Linux refuses them; what was built still wakes its
    top.  (Chains built from the top were unbounded, and the write at the
    bottom overflowed the kernel stack.)"""
    r = run("epoll_limits", smp=smp, mem="256M")
    assert (r.status, r.stdout.decode(), r.stderr) == (0, EPOLL_LIMITS, b""), r.describe()


def test_poll_and_select_on_stdin():
    data = os.urandom(100000)
    total = 0
    for b in data:
        total = (total * 31 + b) & 0xffffffff
    expect(run("poll_select", "stdin", stdin=data),
           ["stdin %d bytes, sum %d" % (len(data), total)])


def test_fifo_reader_sees_hangup_only_after_a_writer():
    expect(run("pipe_fifo"), ["fifo ok"])
