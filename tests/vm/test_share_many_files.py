"""More files on a 9p share than the VM's memory held inodes for
(tests/progs/ext4_many_files.c on a host folder): 4000 files in a 16 MiB
VM, each written, listed, stat'ed and read back, while a file open but
unlinked, a hard link, a cwd three levels down, an inotify watch and a
/proc/self/fd link stay right; the host sees every file.  A share's
cache gives back cold directories' entries as a disk's does (clunking
their fids); it kept every inode before, capped with tmpfs's limit (1772
inodes in 16 MiB: creates failed with ENOSPC)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
created 4000
checked 4000
link ok
unlinked ok
cwd ok
fd link ok
watch ok
relative ok
"""


def test_more_files_than_cached_inodes_on_a_share(tmp_path):
    expect(run("ext4_many_files", "/data", "3", "1000", "1000", mem="16M",
               options=["--share", "%s:/data" % tmp_path]), LINUX)
    assert len(list((tmp_path / "big").iterdir())) == 1000
    assert (tmp_path / "d2" / "f999").read_text() == "/data/d2/f999"
