"""Signals from the host reach the program: every SIGINT, SIGTERM, SIGHUP,
SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH amphi gets (or amphi kill sends) goes
on to it, each time, as on Linux, SIGWINCH with the terminal's size.  Two
SIGINTs within a second, the VM still running --stop-timeout seconds after
a SIGINT, SIGTERM or SIGQUIT, or amphi stop, stop the VM whatever the
program does; and QEMU never outlives amphi."""

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from conftest import AMPHI, ROOT, amphi_argv, qemu_wrapper, refused

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


def test_ctrl_c_twice_stops_the_vm():
    """The program ignores SIGINT: the first Ctrl-C changes nothing, a
    second within a second stops the VM."""
    p = start("ignore")
    p.send_signal(signal.SIGINT)
    time.sleep(0.2)
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


def named(name, *args, stdout=subprocess.PIPE):
    p = subprocess.Popen(amphi_argv("sig_record", *args, options=["--name", name]), cwd=ROOT,
                         stdout=stdout, stderr=subprocess.PIPE, start_new_session=True)
    return p


def vm_name():
    return "sig-%d-%d" % (os.getpid(), time.monotonic_ns() % 100000)


def amphi_cmd(*args):
    return subprocess.run([AMPHI] + list(args), capture_output=True, timeout=60)


def test_every_signal_reaches_the_program_each_time():
    """Each signal, sent to amphi or with amphi kill, reaches the program
    once per sending, in order (each waits for the line before): SIGHUP
    twice, as nginx takes a reload, and SIGTERM after it still ends the
    program, not the VM."""
    name = vm_name()
    p = named(name)
    try:
        assert p.stdout.readline() == b"ready\n"
        sent = [("HUP", None), ("USR1", None), ("HUP", "kill"), ("USR2", "kill"),
                ("QUIT", None), ("WINCH", None), ("INT", "kill"), ("TERM", None)]
        for sig, how in sent:
            if how == "kill":
                r = amphi_cmd("kill", "--signal", sig, name)
                assert r.returncode == 0 and r.stdout == r.stderr == b"", r
            else:
                p.send_signal(getattr(signal, "SIG" + sig))
            want = b"got SIGWINCH, no terminal\n" if sig == "WINCH" else b"got SIG%s\n" % sig.encode()
            assert p.stdout.readline() == want
        status, out, err = finish(p)
        assert (status, out, err) == (0, b"", b"")
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)


def test_sigwinch_carries_the_terminal_size():
    """On a terminal, SIGWINCH comes with its new size, as TIOCGWINSZ then
    tells the program."""
    master, slave = pty.openpty()
    p = named(vm_name(), stdout=slave)
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        def until(text):
            nonlocal seen
            while text not in seen.replace(b"\r", b"") and time.monotonic() < deadline:
                if not select.select([master], [], [], deadline - time.monotonic())[0]:
                    break	# a read would wait past the deadline
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
            return text in seen.replace(b"\r", b"")
        assert until(b"ready\n"), seen
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        p.send_signal(signal.SIGWINCH)
        assert until(b"got SIGWINCH 33x101\n"), seen
        p.send_signal(signal.SIGTERM)
        assert until(b"got SIGTERM\n"), seen
        assert p.wait(timeout=60) == 0
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        os.close(master)


def test_amphi_stop_ends_a_program_deaf_to_signals():
    """The program ignores every signal: amphi kill reaches it and changes
    nothing; amphi stop ends the VM (status 137, one line) and returns once
    it is gone, leaving the name free again."""
    name = vm_name()
    p = named(name, "deaf")
    try:
        assert p.stdout.readline() == b"ready\n"
        assert amphi_cmd("kill", "-s", "USR1", name).returncode == 0
        time.sleep(0.5)
        assert p.poll() is None
        r = amphi_cmd("stop", name)
        assert (r.returncode, r.stdout, r.stderr) == (0, b"", b""), r
        assert p.poll() == 137, "amphi stop returned before the VM was gone"
        _, out, err = finish(p)
        assert out == b"" and err == b"amphi: stopped by amphi stop\n", err
        r = amphi_cmd("kill", name)
        assert r.returncode == 2 and b"no VM named %s" % name.encode() in r.stderr, r
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)


def test_a_name_runs_once():
    name = vm_name()
    p = named(name, "deaf")
    try:
        assert p.stdout.readline() == b"ready\n"
        refused(amphi_argv("hello", options=["--name", name]), "--name %s" % name, "is running")
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


@pytest.mark.parametrize("argv, words", [
    (["kill"], ["missing APP"]),
    (["kill", "no-such-vm-here"], ["no VM named no-such-vm-here"]),
    (["kill", "--signal", "KILL", "x"], ["--signal", "'KILL'"]),
    (["kill", "-s", "9", "x"], ["--signal", "'9'"]),
    (["kill", "-s"], ["-s needs a value"]),
    (["kill", "a", "b"], ["one APP only"]),
    (["kill", "../x"], ["not an app name"]),
    (["stop"], ["missing APP"]),
    (["stop", "no-such-vm-here"], ["no VM named no-such-vm-here"]),
    (["stop", "--now", "x"], ["unknown option"]),
])
def test_kill_and_stop_usage(argv, words):
    refused([AMPHI] + argv, *words)
