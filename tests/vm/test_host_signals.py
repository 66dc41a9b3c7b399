"""Ctrl-C on the host reaches the program: amphi's first SIGINT (or SIGTERM,
SIGHUP) is sent on to it as on Linux; a second one stops the VM."""

import os
import signal
import subprocess
import time

import pytest

from conftest import ROOT, amphi_argv

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
