"""Signals: handlers and what they are told, masks, timers, faults turned
into signals, default actions (the exit statuses a shell would see)."""

import pytest

from conftest import PROGS, run

pytestmark = pytest.mark.usefixtures("amphi_works")

BASIC = ["kill siginfo", "ucontext", "raise siginfo", "sigqueue siginfo",
         "blocked stays pending", "delivered on unblock", "SA_RESETHAND",
         "SA_NODEFER nests", "deferred without SA_NODEFER",
         "real-time signals queue in order", "sigtimedwait poll", "sigtimedwait timeout",
         "sigtimedwait pending", "sigsuspend", "ignored signals",
         "SIGKILL cannot be caught", "bad signal number", "kill pid checks",
         "bad pointer EFAULT"]


def expect_lines(checks, last):
    return "".join("%s ok\n" % c for c in checks + [last]).encode()


@pytest.mark.parametrize("smp", [1, 2])
def test_basic(smp):
    r = run("signals_basic", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(BASIC, "signals_basic"), b""), \
        r.describe()


FAULT = ["SIGSEGV unmapped, si_addr", "SIGSEGV read-only, SEGV_ACCERR",
         "SIGSEGV twice after siglongjmp", "SIGFPE integer division by zero", "SIGILL on ud2",
         "SIGTRAP on int3, handler returns", "sigaltstack set",
         "SA_ONSTACK handler on the alternate stack",
         "stack overflow caught on the alternate stack", "FPU registers kept across a handler",
         "handler starts with a clean FPU state"]


@pytest.mark.parametrize("smp", [1, 2])
def test_faults_handled(smp):
    r = run("signals_fault", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(FAULT, "signals_fault"), b""), \
        r.describe()


TIMER = ["alarm returns 0 when none was set", "alarm returns the seconds left",
         "pause woken by alarm", "getitimer", "setitimer periodic ticks, then disarmed",
         "nanosleep EINTR with the time left", "futex wait EINTR without SA_RESTART",
         "futex wait restarted with SA_RESTART", "FPU kept across asynchronous handlers"]


@pytest.mark.parametrize("smp", [1, 2])
def test_timers_and_interrupted_sleeps(smp):
    r = run("signals_timer", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(TIMER, "signals_timer"), b""), \
        r.describe()


THREADS = ["tgkill runs the handler in that thread",
           "process signal goes to a thread that does not block it", "tkill to itself",
           "sigwaitinfo in another thread",
           "handler in a thread asleep in pthread_cond_wait, which goes on",
           "tgkill of no such thread"]


@pytest.mark.parametrize("smp", [1, 2])
def test_threads(smp):
    r = run("signals_threads", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(THREADS, "signals_threads"), b""), \
        r.describe()


# mode: (status, signal name in the one-line report or None when it goes on)
DEFAULTS = {
    "abort": (134, "SIGABRT"), "term": (143, "SIGTERM"), "kill": (137, "SIGKILL"),
    "usr1": (138, "SIGUSR1"), "alarm": (142, "SIGALRM"), "rtmin": (163, "signal 35"),
    "segv-blocked": (139, "SIGSEGV"), "thread-term": (143, "SIGTERM"),
    "no-restorer": (139, "SIGSEGV"), "altstack-overflow": (139, "SIGSEGV"),
    "chld": (0, None), "winch": (0, None),
}


@pytest.mark.parametrize("mode", sorted(DEFAULTS))
@pytest.mark.parametrize("smp", [1, 2])
def test_default_action(mode, smp):
    status, name = DEFAULTS[mode]
    r = run("signals_default", mode, smp=smp)
    assert r.status == status, r.describe()
    if name is None:
        assert (r.stdout, r.stderr) == (b"before\nafter\n", b""), r.describe()
        return
    assert r.stdout == b"before\n", r.describe()
    text = r.stderr.decode("utf-8", "replace")
    assert text.count("\n") == 1 and name in text, r.describe()
    assert "kernel panic" not in text.lower(), r.describe()


EINTR = ["pipe read EINTR without SA_RESTART", "pipe read restarted with SA_RESTART",
         "poll EINTR even with SA_RESTART", "ppoll mask lets a blocked signal in, then is undone",
         "ppoll that did not wait undoes its mask without delivering",
         "delivered once unblocked", "SIGPIPE handler and EPIPE"]


@pytest.mark.parametrize("smp", [1, 2])
def test_interrupted_calls(smp):
    r = run("signals_eintr", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(EINTR, "signals_eintr"), b""), \
        r.describe()


FRAME = ["handler changes rip and registers", "IOPL from a frame is ignored",
         "bad frame at rt_sigreturn gives SIGSEGV", "sigaltstack SS_AUTODISARM",
         "disarmed in the handler, back after it"]


@pytest.mark.parametrize("smp", [1, 2])
def test_frame(smp):
    r = run("signals_frame", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(FRAME, "signals_frame"), b""), \
        r.describe()


SIGNALFD = ["signalfd", "nothing pending: EAGAIN", "not readable", "readable",
            "two records in one read", "short buffer EINVAL", "epoll wakes for a signal",
            "read after epoll", "blocked read woken by another thread's kill",
            "mask changed in place", "signal outside the mask not read", "it stays pending",
            "not a signalfd: EINVAL"]


@pytest.mark.parametrize("smp", [1, 2])
def test_signalfd(smp):
    r = run("signals_fd", smp=smp)
    assert (r.status, r.stdout, r.stderr) == (0, expect_lines(SIGNALFD, "signals_fd"), b""), \
        r.describe()


def test_next_program_starts_without_the_signals_of_the_last():
    """amphi run --before: a program's alarm, pending signal and ignored
    signal do not reach the next program, as for a new process."""
    r = run("signals_default", "fresh",
            options=["--before", PROGS + "/signals_default leftovers"])
    assert (r.status, r.stdout, r.stderr) == (0, b"before\nleft\nbefore\nfresh\n", b""), \
        r.describe()


@pytest.mark.parametrize("smp", [1, 4])
def test_stress(smp):
    """8 threads queue 2000 real-time signals each at each other and the
    process under a 1 ms SIGALRM timer: each delivered exactly once, FPU
    results unchanged."""
    r = run("signals_stress", 8, 2000, smp=smp)
    want = b"sent=16000 received=16000 ok\nfpu ok\nsignals_stress ok\n"
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()
