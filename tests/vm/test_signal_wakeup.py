"""A signal that comes while its thread is on its way to sleep wakes it.

A timer's or the console's interrupt may land on the CPU of the very
thread it signals, after that thread's last look for signals and before
it sleeps.  The interrupt used to leave the thread be, counting on it to
see the signal on its way out of the kernel; it slept instead, until
something else woke it (a CI run once hung so on SIGWINCH).  The window
is a few instructions wide: each VM here sleeps and is woken by a timer
20000 times, and three VMs at once on this machine's CPUs make the
vCPUs' host threads preempted at random points, which is what drew it
out.  The kernel before the fix failed this test 3 times of 3 (a VM
asleep at the limit); since the window is narrow, a kernel with the bug
may still pass it now and then."""

from concurrent.futures import ThreadPoolExecutor

from conftest import amphi_argv, spawn

ROUNDS = 20000
VMS = 3


def test_timer_signals_wake_a_sleeping_read_every_time():
    argv = amphi_argv("sig_lostwake", ROUNDS, smp=1)
    with ThreadPoolExecutor(VMS) as pool:
        results = list(pool.map(lambda _: spawn(argv, limit=240), range(VMS)))
    for r in results:
        assert r.status is not None, "a wake-up was lost: the program slept for good\n" + \
            r.describe()
        assert (r.status, r.stdout, r.stderr) == (0, b"%d wake-ups\n" % ROUNDS, b""), r.describe()
