"""A file's extras at their edges (tests/progs/fs_file_edges.c), against
the transcript of the same static program on the host's Linux 6.18 (on a
tmpfs).

- fallocate(FALLOC_FL_KEEP_SIZE) takes the pages and keeps the size, as
  Linux's tmpfs does, and a truncate to the same size drops the pages past
  the end; amphi refused it with EOPNOTSUPP.  (Punching a hole is
  test_fallocate_punch.py's.)
- The extended attribute calls check their arguments before the file, in
  Linux's order: bad flags EINVAL, a value over 64 KiB E2BIG, an empty or
  256-byte name ERANGE, then a missing file, a NULL path or a bad
  descriptor; a namespace Linux does not know is EOPNOTSUPP for getxattr
  too.  amphi looked the file up first and took any flags, sizes and
  namespaces (EOPNOTSUPP, ENODATA).  amphi's tmpfs keeps no attributes, so
  the program sets none that would succeed on Linux."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

FILE_EDGES = """\
fallocate KEEP_SIZE 0..16 KiB: ok
  after: size 10, blocks 32
  read: 10 bytes, 0123456789
  grown to 8 KiB: read 8192 bytes, zeros past the data: yes
  after: size 8192, blocks 32
fallocate KEEP_SIZE past the end: ok
  after: size 8192, blocks 40
truncated to its own size: size 8192, blocks 16
fallocate KEEP_SIZE past the end again: ok
fallocate KEEP_SIZE, length 0: EINVAL
fallocate KEEP_SIZE overflowing: EFBIG
truncated to 0: size 0, blocks 0
setxattr flags 99: EINVAL
setxattr flags 99, no such file: EINVAL
setxattr 65537 bytes: E2BIG
setxattr 65537 bytes, no such file: E2BIG
setxattr empty name: ERANGE
setxattr 256-byte name: ERANGE
setxattr unknown namespace: EOPNOTSUPP
setxattr no such file: ENOENT
getxattr user.none: ENODATA
getxattr user.none, 2^40 bytes: ENODATA
getxattr unknown namespace: EOPNOTSUPP
getxattr empty name, no such file: ERANGE
getxattr no such file: ENOENT
getxattr NULL path: EFAULT
fgetxattr bad descriptor, empty name: ERANGE
fsetxattr bad descriptor, flags 99: EINVAL
removexattr empty name, no such file: ERANGE
removexattr unknown namespace: EOPNOTSUPP
listxattr: 0
fs_file_edges done
"""


def test_file_edges_as_linux():
    expect(run("fs_file_edges", "/tmp"), FILE_EDGES)
