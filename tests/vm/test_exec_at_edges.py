"""execveat's edges (tests/progs/exec_at_edges.c) against Linux 6.18's
transcript."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
bad dirfd, relative path: Bad file descriptor
bad dirfd, AT_EMPTY_PATH: Bad file descriptor
bad dirfd, absolute path: ran, status 0x700
fd, AT_EMPTY_PATH: ran, status 0x700
O_PATH fd, AT_EMPTY_PATH: ran, status 0x700
fd, empty path without the flag: No such file or directory
file as dirfd: Not a directory
unknown flag: Invalid argument
AT_SYMLINK_NOFOLLOW, a symlink: Symbolic link loop
AT_SYMLINK_NOFOLLOW, a file: ran, status 0x700
AT_SYMLINK_NOFOLLOW, fd: ran, status 0x700
symlink followed: ran, status 0x700
argv at 8: Bad address
argv[1] at 16: Bad address
after an exec of a descriptor: exe is the file: yes, comm exec_at_edges
exec_at_edges done
"""


def test_execveat_edges_as_linux():
    """On main a bad dirfd gave ENOENT (the path went through
    /proc/self/fd/N), AT_SYMLINK_NOFOLLOW was ignored (the symlink ran),
    and after an exec of a descriptor /proc/self/exe was /proc/PID/fd/N
    and comm "N"."""
    expect(run("exec_at_edges"), LINUX)
