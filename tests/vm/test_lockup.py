"""The lockup detector turns a hung kernel into a report and a panic, so
amphi exits 125 instead of spinning: a CPU stuck with interrupts off, one
running in the kernel without scheduling, a spinlock never released.  The
kernel hangs on purpose with "amphi.crash=hang|spin|deadlock" on its
command line (kernel/init/main.c), added by a --qemu wrapper;
"amphi.watchdog=3" makes the detector wait 3 s instead of 10 (and 6 s for a
CPU that does not schedule).  And what is not a hang is not reported: idle
CPUs, and a program whose reader is slower than the detector's limit."""

import os
import re
import subprocess
import time

import pytest

from conftest import ROOT, amphi_argv, qemu_wrapper, run

pytestmark = pytest.mark.usefixtures("amphi_works")


# A lockup report's list of vectors set in the APIC's ISR or IRR.
VECTORS = r"(?:(?: \d+)+| none)"

REASONS = {
    "hang": "lockup: CPU 0 took no timer interrupt for",
    "spin": "ran in the kernel for",
    "deadlock": "lockup: spinlock",
}


@pytest.mark.parametrize("how", sorted(REASONS))
def test_a_hang_becomes_a_report(tmp_path, how):
    q = qemu_wrapper(tmp_path, "amphi.crash=%s amphi.watchdog=3" % how)
    r = run("sleep", 60000, smp=2, options=["--qemu", q], limit=60)
    err = r.stderr.decode("utf-8", "replace")
    assert r.status == 125, r.describe()
    assert REASONS[how] in err and "amphi: kernel panic: lockup:" in err, r.describe()
    # Every CPU's part: its thread, its APIC's state, and a backtrace.
    for cpu in (0, 1):
        assert re.search(r"CPU %d, thread .*\n  apic: tpr [0-9a-f]{2} ppr [0-9a-f]{2}, "
                         r"in service:%s, waiting:%s\n" % (cpu, VECTORS, VECTORS), err), r.describe()
    assert err.count("backtrace:") >= 3, r.describe()
    if how == "deadlock":
        # The waiter reports itself, with whether it could take interrupts.
        assert "  interrupts on\n" in err, r.describe()


def test_idle_cpus_are_not_stuck(tmp_path):
    """Four CPUs idle for 5 s under a 1 s limit."""
    q = qemu_wrapper(tmp_path, "amphi.watchdog=1")
    r = run("sleep", 5000, smp=4, options=["--qemu", q])
    assert (r.status, r.stdout, r.stderr) == (0, b"slept ok\n", b""), r.describe()


def test_a_slow_reader_is_not_a_hang(tmp_path):
    """amphi's reader takes nothing for 8 s while the program writes: the
    console (and the CPU writing to it) waits on the host, past a 2 s limit."""
    q = qemu_wrapper(tmp_path, "amphi.watchdog=2")
    argv = amphi_argv("/bin/busybox", "yes", smp=2, options=["--qemu", q])
    p = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        time.sleep(8)
        assert p.stdout.read(4) == b"y\ny\n"
        p.stdout.close()
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, 9)
    assert p.returncode == 141, err.decode("utf-8", "replace")
    assert b"lockup" not in err, err.decode("utf-8", "replace")
