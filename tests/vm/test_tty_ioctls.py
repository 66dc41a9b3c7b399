"""The console's terminal ioctls as a careless or hostile program uses
them (tty_ioctls, run on a pty as the session leader, as
test_procs.on_a_terminal does): bad addresses give EFAULT, unknown ioctls
ENOTTY, a process of another session gets ENOTTY for the controlling
terminal's group and session and EPERM for TIOCSCTTY, tcsetattr from a
background group stops it with SIGTTOU, and TCGETS writes no more than the
kernel's 36-byte struct termios (glibc's tcgetattr, so isatty(), passes
exactly that much on its stack).  The transcript is Linux's: the same
program built with the host's compiler and run the same way.  And FIONREAD
on standard input that is a pipe (stdin_fionread) counts the bytes
waiting, as on Linux."""

import pytest

from conftest import amphi_argv, expect, run
from test_procs import on_a_terminal

pytestmark = pytest.mark.usefixtures("amphi_works")

TTY_IOCTLS = """\
TCGETS to a bad address: EFAULT
TCSETS from a bad address: EFAULT
TCSETSW from a bad address: EFAULT
TIOCGWINSZ to a bad address: EFAULT
TIOCGPGRP to a bad address: EFAULT
TIOCSPGRP from a bad address: EFAULT
TIOCGSID to a bad address: EFAULT
FIONREAD to a bad address: EFAULT
an ioctl no terminal knows: ENOTTY
a socket's ioctl: ENOTTY
TIOCSCTTY by the session leader that has it: ok
TCGETS into 36 bytes: ok
tcgetattr: ok
tcsetattr with what tcgetattr gave: ok
another session: exit 0
background tcsetattr: stopped 22
background tcsetattr, SIGTTOU ignored: exit 0
tty_ioctls done
"""


def test_terminal_ioctls_as_linux():
    out, status = on_a_terminal(amphi_argv("tty_ioctls"))
    assert (status, out) == (0, TTY_IOCTLS), out


def test_fionread_on_piped_stdin():
    expect(run("stdin_fionread", stdin=b"hello\n"), "waiting: some\nread took them: yes\n")
