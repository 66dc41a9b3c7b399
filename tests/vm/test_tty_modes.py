"""Terminal modes a program sets reach amphi's terminal
(tests/progs/tty_modes.c, docs/protocol.md frame M): typed at a pty, a
password read with echo off is not shown, a key read with canonical mode
off arrives without its Enter, and after the program puts its modes back
a line is echoed again; amphi leaves the terminal as it found it.  The
transcript is Linux's: the same program, built with the host's compiler,
on a pty typed to the same way.  Before, the password was echoed and the
key waited for an Enter that never came (the run hung)."""

import os
import pty
import termios

import pytest

from conftest import amphi_argv
from ptys import typed_at

pytestmark = pytest.mark.usefixtures("amphi_works")

EXPECTED = "password? \nread 7\nkey? \nkey x\nline? visible\nread 8\n"

TYPED = [(b"password? ", b"secret\n"), (b"key? ", b"x"), (b"line? ", b"visible\n")]


def test_echo_and_line_modes_reach_the_terminal():
    out, status = typed_at(amphi_argv("tty_modes"), TYPED)
    assert (status, out) == (0, EXPECTED)


def test_the_terminal_is_put_back():
    """tty_modes leave: the program ends with its terminal raw; amphi's exit
    puts its terminal back as it found it (a new pty's modes), or the
    shell it was started from would be left without echo."""
    master, slave = pty.openpty()
    fresh = termios.tcgetattr(slave)
    os.close(master)
    os.close(slave)
    pid, fd = pty.fork()
    if pid == 0:
        argv = amphi_argv("tty_modes", "leave")
        os.execv(argv[0], argv)
    out = b""
    try:
        while True:
            data = os.read(fd, 4096)
            if not data:
                break
            out += data
    except OSError:	# EIO: amphi ended
        pass
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    after = termios.tcgetattr(fd)	# a master's modes are its slave's
    os.close(fd)
    assert (status, out.replace(b"\r", b"")) == (0, b"left raw\n")
    assert after[:4] == fresh[:4]
