"""Names at their edges (tests/progs/fs_path_edges.c).  The first part is
the transcript of the same static program on the host's Linux 6.18 (on a
tmpfs); amphi used to differ in each of these:

- mknod, mkfifo and symlink of "new/" made a file called "new" (Linux:
  ENOENT, nothing made), and link to "new/" said EEXIST afterwards;
- open with O_CREAT of "name/" made "name" through a dangling symlink
  (Linux: EISDIR for any O_CREAT with a trailing slash; amphi said
  ENOTDIR for an existing file);
- O_PATH | O_DIRECTORY opened a file or a symlink (Linux: ENOTDIR);
- getdents64 read the whole 64-bit register as its count, so 2^32 + 64
  was EFAULT (Linux's count is an unsigned int: 64 bytes);
- lseek on a directory from SEEK_END worked (Linux's tmpfs: EINVAL);
- a removed directory listed "." and ".." (Linux: ENOENT).

The second part is amphi's own: /dev and /proc are directories of the
root tmpfs standing in for mounts, where Linux has real mounts.  The
answers are the ones Linux gives for mount points on one file system
(rename(2): EBUSY) and for names on two (EXDEV).  amphi let a program
rename /dev and /proc away, or an empty directory over them, and move
files between them and /tmp: /dev/null was then gone for every program.
"""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

NAMES = """\
mknod new/: ENOENT
  new: ENOENT
mkfifo new/: ENOENT
  new: ENOENT
symlink to new/: ENOENT
  new: ENOENT
mknod f/: EEXIST
symlink to d/: EEXIST
symlink to dangling/: EEXIST
link f to new/: ENOENT
  new: ENOENT
open new/ O_CREAT: EISDIR
  new: ENOENT
open f/ O_CREAT: EISDIR
open d/ O_CREAT: EISDIR
open dangling/ O_CREAT: EISDIR
  nowhere: ENOENT
open O_CREAT through a link to made/: EISDIR
  made: ENOENT
mkdir new/: ok
rmdir new/: ok
open f O_PATH|O_DIRECTORY: ENOTDIR
open lf O_PATH|O_NOFOLLOW|O_DIRECTORY: ENOTDIR
open d O_PATH|O_DIRECTORY: ok
  openat from it: ok
open lf O_PATH|O_NOFOLLOW: ok
getdents64 count 2^32 + 64: 48 bytes
getdents64 count 2^32: ok
lseek directory SEEK_END: EINVAL
lseek directory SEEK_SET: ok
getdents64 of a removed directory: ENOENT
"""

STAND_IN_MOUNTS = """\
rename /dev into /tmp: EBUSY
rename /proc into /tmp: EBUSY
rename /dev to /devx: EBUSY
rename an empty directory over /dev: EBUSY
rename an empty directory over /proc: EBUSY
exchange a file with /dev: EBUSY
exchange a file with /dev/null: EXDEV
rename a file into /dev: EXDEV
link a file into /dev: EXDEV
mknod /dev/x: ok
rename /dev/x into /tmp: EXDEV
rename /dev/x to /dev/y: ok
link /dev/y into /tmp: EXDEV
unlink /dev/y: ok
rmdir /dev: EBUSY
stat /dev/null: ok
stat /proc/self/status: ok
"""


def test_names_as_linux():
    expect(run("fs_path_edges", "/tmp"), NAMES + "fs_path_edges done\n")


def test_dev_and_proc_stay_mount_points():
    expect(run("fs_path_edges", "/tmp", "mounts"), NAMES + STAND_IN_MOUNTS + "fs_path_edges done\n")
