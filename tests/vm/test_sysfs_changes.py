"""What a program gets when it tries to change /sys (tests/progs/
sysfs_changes.c): mkdir, mknod, symlink, open with O_CREAT or O_TMPFILE,
link, rename, unlink and rmdir are all refused with Linux 6.x's errno.
Linux's VFS checks the caller's rights first (EACCES for user 65534, the
user half taken on this host), then finds that sysfs makes nothing: EPERM,
EACCES for O_CREAT (lookup_open), EOPNOTSUPP for O_TMPFILE (vfs_tmpfile).
Before, amphi answered ENOENT to every new name (as /proc's lookups do)
and EPERM to user 65534's rename, unlink and rmdir.

Root may give /sys's entries a mode and an owner, as Linux's kernfs keeps
them (udev rules and tmpfiles.d hand attributes to a group); amphi said
EPERM, as for /proc's (Linux's proc_setattr refuses a mode)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

ROOT = (
    "root: mkdir EPERM\n"
    "root: mkdir in /sys EPERM\n"
    "root: mknod fifo EPERM\n"
    "root: symlink EPERM\n"
    "root: open O_CREAT EACCES\n"
    "root: open O_TMPFILE EOPNOTSUPP\n"
    "root: link EPERM\n"
    "root: rename EPERM\n"
    "root: unlink EPERM\n"
    "root: rmdir EPERM\n"
    "root: unlink a directory EISDIR\n"
    "root: rmdir a file ENOTDIR\n"
    "root: chmod 0640 0\n"
    "root: chown 0:4 0\n"
    "root: chmod dir 0750 0\n"
    "root: mode 640, group 4\n")

# `sysfs_changes user` run on the host as user 65534 (Linux 6.x).
USER = (
    "user: mkdir EACCES\n"
    "user: mkdir in /sys EACCES\n"
    "user: mknod fifo EACCES\n"
    "user: symlink EACCES\n"
    "user: open O_CREAT EACCES\n"
    "user: open O_TMPFILE EACCES\n"
    "user: link EPERM\n"
    "user: rename EACCES\n"
    "user: unlink EACCES\n"
    "user: rmdir EACCES\n"
    "user: unlink a directory EACCES\n"
    "user: rmdir a file EACCES\n"
    "user: chmod 0640 EPERM\n"
    "user: chown 0:4 EPERM\n"
    "user: chmod dir 0750 EPERM\n")


def test_sysfs_refuses_changes_as_linux():
    expect(run("sysfs_changes"), ROOT + USER)
