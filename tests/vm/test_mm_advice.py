"""Memory calls whose answers another party relies on, against Linux's
transcripts (tests/progs/mm_advice.c run natively as an ordinary user):
memfd write seals that a live or later writable mapping could get around,
the fork advice (MADV_WIPEONFORK, MADV_DONTFORK) that was accepted and
ignored, so a child inherited memory its parent had asked to keep from it,
MADV_FREE throwing away a file mapping's private copy, and mmap flags
accepted where Linux refuses them or ignored (MAP_32BIT), and mremap's
second mapping of shared pages (old_len 0), which was refused; mincore,
which was missing (ENOSYS)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

SEAL = """\
seal write, writable map: EBUSY
seal write, read-only map of O_RDWR: EBUSY
seal write, private map: ok
seals now: 0x8
shared writable map after: EPERM
mprotect sealed read-only map writable: EACCES
file byte: 0
seal future write: ok
mprotect future-sealed map writable: EACCES
"""

FORK = """\
wipeonfork: ok
dontfork: ok
wipeonfork shared: EINVAL
wipeonfork private file: EINVAL
dontfork shared: ok
dofork shared: ok
child: a a 0 a
child: b b, now b's page not forked:
child killed by Segmentation fault
parent: a a, b b
keeponfork: ok
dofork: ok
child: a a a a
child: b b, now b's page not forked:
child: read b
child exit 0
wipeonfork over a hole: ENOMEM
a[0] still a
"""

FREE = """\
free private file copy: EINVAL, reads X
free shared memory: EINVAL, reads S
free private memory: ok
dontneed private file copy: ok, reads f
"""

FLAGS = """\
shared_validate anonymous: EINVAL
shared growsdown anonymous: EINVAL
private growsdown anonymous: ok
MAP_32BIT below 2 GiB: yes
"""

DUP = """\
shared memory: ok
  reads x, its write seen at the original: y
without MREMAP_MAYMOVE: ENOMEM
MREMAP_FIXED: ok, at the target
  reads x
MREMAP_DONTUNMAP: EINVAL
private memory: EINVAL
shared file: ok
  reads ile, the file then File
shared mapping still xy
"""

MINCORE = """\
touched 0 and 2: 1 0 1 0
0 dropped, 2 PROT_NONE: 0 0 1 0
a length not whole pages: 1 0
length 0:
unaligned: EINVAL
past a hole: ENOMEM
kernel address: ENOMEM
bad vector: EFAULT
"""


def test_write_seal_cannot_be_got_around():
    """F_SEAL_WRITE was added while a writable shared mapping still wrote
    the memfd, and a read-only shared mapping of a sealed memfd could be
    mprotect'ed writable: a receiver trusting the seal saw the bytes
    change."""
    expect(run("mm_advice", "seal"), SEAL)


def test_fork_advice_is_kept():
    """MADV_WIPEONFORK (a random generator's state) and MADV_DONTFORK were
    accepted and ignored: the child got the parent's bytes."""
    expect(run("mm_advice", "fork"), FORK)


def test_madv_free_keeps_a_file_mappings_copy():
    """MADV_FREE dropped a private file mapping's copy (the program's
    writes gone, the file's bytes back) where Linux refuses it."""
    expect(run("mm_advice", "free"), FREE)


def test_mmap_flags_as_linux():
    expect(run("mm_advice", "flags"), FLAGS)


def test_mremap_maps_shared_pages_again():
    """mremap(old, 0, len, MREMAP_MAYMOVE) of a shared mapping was EINVAL
    (the comment said there were no shared areas)."""
    expect(run("mm_advice", "dup"), DUP)


def test_mincore():
    expect(run("mm_advice", "mincore"), MINCORE)
