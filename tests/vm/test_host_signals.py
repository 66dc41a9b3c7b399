"""Ctrl-C on the host reaches the program: amphi's first SIGINT (or SIGTERM,
SIGHUP) is sent on to it as on Linux; a second one, or the VM still running
--stop-timeout seconds later, stops the VM; and QEMU never outlives amphi."""

import os
import signal
import subprocess
import time

import pytest

from conftest import ROOT, amphi_argv, qemu_wrapper

pytestmark = pytest.mark.usefixtures("amphi_works")


def start(*args):
    p = subprocess.Popen(amphi_argv("sigint_wait", *args), cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    assert p.stdout.readline() == b"ready\n"
    return p


def finish(p):
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        raise
    return p.returncode, out, err


def test_a_program_catches_ctrl_c():
    p = start("catch")
    p.send_signal(signal.SIGINT)
    status, out, _ = finish(p)
    assert (status, out) == (0, b"got SIGINT\n")


def test_ctrl_c_ends_a_program_that_does_not_catch_it():
    p = start()
    p.send_signal(signal.SIGINT)
    status, out, err = finish(p)
    assert (status, out) == (130, b"") and b"SIGINT" in err


def test_a_second_signal_stops_the_vm():
    """The program ignores SIGINT: the first Ctrl-C changes nothing, the
    second stops the VM."""
    p = start("ignore")
    p.send_signal(signal.SIGINT)
    time.sleep(1)
    assert p.poll() is None
    p.send_signal(signal.SIGINT)
    status, out, _ = finish(p)
    assert (status, out) == (130, b"")


def children(pid):
    """The pids whose parent is pid (amphi's: its QEMU)."""
    kids = []
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % d) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return kids


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_program_that_outlives_the_stop_timeout_is_stopped():
    """The first ^C goes to the program, which ignores it; --stop-timeout 1
    later amphi stops the VM itself (as docker stop does)."""
    p = subprocess.Popen(amphi_argv("sigint_wait", "ignore", options=["--stop-timeout", "1"]),
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True)
    assert p.stdout.readline() == b"ready\n"
    p.send_signal(signal.SIGINT)
    status, out, err = finish(p)
    assert (status, out) == (130, b""), err
    assert b"did not end within 1 seconds of signal 2" in err, err


def test_sigterm_to_amphi_on_a_hung_kernel_ends_qemu(tmp_path):
    """What timeout(1) does to amphi when the kernel hangs where nothing
    answers (CPU 0 stopped with interrupts off, the lockup detector off):
    SIGTERM, then the default 10 s --stop-timeout, and QEMU is gone."""
    q = qemu_wrapper(tmp_path, "amphi.crash=hang amphi.watchdog=0")
    p = subprocess.Popen(amphi_argv("hello", options=["--qemu", q]), cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    qemu = []
    for _ in range(100):
        qemu = children(p.pid)
        if qemu:
            break
        time.sleep(0.1)
    assert qemu, "amphi started no QEMU"
    time.sleep(3)	# well into the hang
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    status, out, err = finish(p)
    assert status == 143 and out == b"", err
    assert time.monotonic() - t0 < 30, "SIGTERM took %.1f s" % (time.monotonic() - t0)
    assert not any(alive(q) for q in qemu), "QEMU outlived amphi"


def test_qemu_dies_with_amphi():
    """amphi killed outright (SIGKILL: no chance to clean up) takes QEMU
    along: its parent-death signal."""
    p = subprocess.Popen(amphi_argv("sigint_wait"), cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    assert p.stdout.readline() == b"ready\n"
    qemu = children(p.pid)
    assert qemu, "amphi started no QEMU"
    p.kill()
    p.wait()
    for _ in range(100):
        if not any(alive(q) for q in qemu):
            break
        time.sleep(0.1)
    assert not any(alive(q) for q in qemu), "QEMU outlived amphi"
