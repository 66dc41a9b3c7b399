"""The console's terminal ioctls as a careless or hostile program uses
them (tty_ioctls, run on a pty as the session leader, as
ptys.typed_at does): bad addresses give EFAULT, unknown ioctls
ENOTTY, a process of another session gets ENOTTY for the controlling
terminal's group and session and EPERM for TIOCSCTTY, tcsetattr from a
background group stops it with SIGTTOU (from an orphaned one, the
caller's own, EIO, and tcsetpgrp ENOTTY), and TCGETS writes no more than the
kernel's 36-byte struct termios (glibc's tcgetattr, so isatty(), passes
exactly that much on its stack), TCGETS2 no more than the 44-byte
termios2 (newer C libraries' tcgetattr).  The transcript is Linux's: the same
program built with the host's compiler and run the same way.  And FIONREAD
on standard input that is a pipe (stdin_fionread) counts the bytes
waiting, as on Linux.  tty_calls: the calls C libraries make through
ioctls (tcdrain, tcsendbreak, tcflow, tcflush dropping input typed ahead,
TIOCSWINSZ and its SIGWINCH), against Linux's transcript likewise."""

import pytest

from conftest import amphi_argv, expect, run
from ptys import typed_at

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
TCGETS2 into 44 bytes, TCSETS2 back: ok
TCSETS2 from a bad address: EFAULT
tcgetattr: ok
tcsetattr with what tcgetattr gave: ok
another session: exit 0
background tcsetattr: stopped 22
background tcsetattr, SIGTTOU ignored: exit 0
orphaned background tcsetpgrp: ENOTTY
orphaned background tcsetattr: EIO
orphaned background read: EIO
tty_ioctls done
"""


TTY_CALLS = """\
tcdrain: ok
tcsendbreak: ok
tcflow TCOON: ok
tcflow 9: EINVAL
tcflush 7: EINVAL
type junk
junk
tcflush TCIFLUSH: ok
left after the flush: 0
TIOCSWINSZ: ok
size 40x120, pixels 640x480, SIGWINCH yes
TIOCSWINSZ: ok
size 40x120, pixels 640x480, SIGWINCH no
TIOCSWINSZ from a bad address: EFAULT
tty_calls done
"""


def test_terminal_calls_as_linux():
    out, status = typed_at(amphi_argv("tty_calls"), [(b"type junk\n", b"junk\n")])
    assert (status, out) == (0, TTY_CALLS), out


def test_terminal_ioctls_as_linux():
    out, status = typed_at(amphi_argv("tty_ioctls"))
    assert (status, out) == (0, TTY_IOCTLS), out


def test_fionread_on_piped_stdin():
    expect(run("stdin_fionread", stdin=b"hello\n"), "waiting: some\nread took them: yes\n")
