"""mlock, RLIMIT_MEMLOCK and RLIMIT_DATA (tests/progs/mem_limits.c), one
part per run, each as root and then as user 65534 (the probe's setuid),
where the limits bite: mlock and mlock2 mark mappings locked, bring their
pages in (not with MLOCK_ONFAULT) and count them once in VmLck; a lock
past RLIMIT_MEMLOCK is ENOMEM (EPERM with a limit of 0), MAP_LOCKED and
the growth of a locked mapping or of mlockall(MCL_FUTURE)'s are EAGAIN,
root is not limited; holes, PROT_NONE, wrapping ranges give Linux's
errors; parts of a locked range cut and merge with mprotect, munmap and
mremap; madvise will not drop locked pages; fork's child and exec's image
have no locks; a file's pages past its end fail mlock, a limit lowered
under what is locked refuses more, prlimit reaches another process's
limit at once, MREMAP_DONTUNMAP leaves the lock with the pages; three
threads locking, unlocking, protecting and replacing pages of one area
while a fourth locks and unlocks everything leave nothing locked behind,
and pages locked one in two merge back into one mapping when unlocked.
RLIMIT_DATA holds private writable mappings but stacks
(mmap, mprotect, mremap, MAP_FIXED, brk, a soft limit of 0 meaning the
hard one).  Each transcript is Linux 6.18's for the same static program.
Before, mlock only checked its range, mlockall did nothing, VmLck was
always 0 and RLIMIT_DATA was kept and never applied."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = {
    "ranges": """\
-- ranges as 0
mlock 32K: 0, VmLck 32, present 8
mlock 32K from 16K: 0, VmLck 48
mlock 1 byte at 100K+10: 0, VmLck 52
mlock 128K: 0, VmLck 128
munlock 16K from 8K: 0, VmLck 112
munlock all 256K: 0, VmLck 0
mlock 0 bytes: 0, VmLck 0
mlock2 ONFAULT 32K: 0, VmLck 32, present 0
touched one: present 1
mlock2 flags 2: EINVAL, VmLck 32
mlock the same 32K again: 0, VmLck 32, present 8
munlock 64K: 0, VmLck 0
mlock across a hole: ENOMEM, VmLck 4
munlock across a hole: ENOMEM, VmLck 0
mlock PROT_NONE: ENOMEM, VmLck 8
mprotect it RW: 0, VmLck 8, present 2
mlock unmapped: ENOMEM, VmLck 8
mlock kernel address: ENOMEM, VmLck 8
mlock wrapping: EINVAL, VmLck 8
munlock wrapping: EINVAL, VmLck 8
munlockall: 0, VmLck 0
-- ranges as 65534
mlock 32K: 0, VmLck 32, present 8
mlock 32K from 16K: 0, VmLck 48
mlock 1 byte at 100K+10: 0, VmLck 52
mlock 128K: ENOMEM, VmLck 52
munlock 16K from 8K: 0, VmLck 36
munlock all 256K: 0, VmLck 0
mlock 0 bytes: 0, VmLck 0
mlock2 ONFAULT 32K: 0, VmLck 32, present 0
touched one: present 1
mlock2 flags 2: EINVAL, VmLck 32
mlock the same 32K again: 0, VmLck 32, present 8
munlock 64K: 0, VmLck 0
mlock across a hole: ENOMEM, VmLck 4
munlock across a hole: ENOMEM, VmLck 0
mlock PROT_NONE: ENOMEM, VmLck 8
mprotect it RW: 0, VmLck 8, present 2
mlock unmapped: ENOMEM, VmLck 8
mlock kernel address: ENOMEM, VmLck 8
mlock wrapping: ENOMEM, VmLck 8
munlock wrapping: EINVAL, VmLck 8
munlockall: 0, VmLck 0
""",
    "splits": """\
-- splits as 0
mlock 64K: 0, VmLck 64
mprotect 16K in it RO: 0, VmLck 64
munmap 8K in it: 0, VmLck 56
MADV_DONTNEED on it: EINVAL, VmLck 56
MADV_FREE on it: EINVAL, VmLck 56
MADV_DONTNEED_LOCKED on it: 0, VmLck 56
mremap 16K to 8K: 0, VmLck 48
mremap 16K elsewhere: 0, VmLck 48, present 4
mlock 8K: 0, VmLck 56
mremap it to 56K: 0, VmLck 104
mremap its first 8K to 24K: 0, VmLck 120, present 6
  child: VmLck 0
parent after fork: VmLck 120
-- splits as 65534
mlock 64K: 0, VmLck 64
mprotect 16K in it RO: 0, VmLck 64
munmap 8K in it: 0, VmLck 56
MADV_DONTNEED on it: EINVAL, VmLck 56
MADV_FREE on it: EINVAL, VmLck 56
MADV_DONTNEED_LOCKED on it: 0, VmLck 56
mremap 16K to 8K: 0, VmLck 48
mremap 16K elsewhere: 0, VmLck 48, present 4
mlock 8K: 0, VmLck 56
mremap it to 56K: EAGAIN, VmLck 56
mremap its first 8K to 24K: EAGAIN, VmLck 56, present -1
  child: VmLck 0
parent after fork: VmLck 56
""",
    "zero": """\
-- zero as 0
limit 0, mlock 4K: 0, VmLck 4
limit 0, mlock2 bad flags: EINVAL, VmLck 4
limit 0, munlock 4K: 0, VmLck 0
limit 0, mlockall(MCL_CURRENT): 0
limit 0, munlockall: 0, VmLck 0
limit 0, mlockall(MCL_FUTURE): 0, VmLck 0
limit 0, mlockall(0): EINVAL, VmLck 0
limit 0, mlockall(MCL_ONFAULT): EINVAL, VmLck 0
limit 0, mmap MAP_LOCKED: 0, VmLck 4
limit 0, MAP_FIXED | MAP_LOCKED: 0, VmLck 8
limit 0, MAP_FIXED_NOREPLACE | MAP_LOCKED over it: EEXIST, VmLck 8
limit 0, munlock 4K: 0, VmLck 4
limit 0, munlockall: 0, VmLck 0
-- zero as 65534
limit 0, mlock 4K: EPERM, VmLck 0
limit 0, mlock2 bad flags: EINVAL, VmLck 0
limit 0, munlock 4K: 0, VmLck 0
limit 0, mlockall(MCL_CURRENT): EPERM
limit 0, munlockall: 0, VmLck 0
limit 0, mlockall(MCL_FUTURE): EPERM, VmLck 0
limit 0, mlockall(0): EINVAL, VmLck 0
limit 0, mlockall(MCL_ONFAULT): EINVAL, VmLck 0
limit 0, mmap MAP_LOCKED: ENOMEM, VmLck 0
limit 0, MAP_FIXED | MAP_LOCKED: EPERM, VmLck 0
limit 0, MAP_FIXED_NOREPLACE | MAP_LOCKED over it: EEXIST, VmLck 0
limit 0, munlock 4K: 0, VmLck 0
limit 0, munlockall: 0, VmLck 0
""",
    "map_locked": """\
-- map_locked as 0
MAP_LOCKED 32K: 0, VmLck 32, present 8
MAP_LOCKED 64K more: 0, VmLck 96
MAP_LOCKED shared 16K: 0, VmLck 112, present 4
MAP_FIXED | MAP_LOCKED 32K over the first: 0, VmLck 112
munmap the first: 0, VmLck 80
munlockall: 0, VmLck 0
-- map_locked as 65534
MAP_LOCKED 32K: 0, VmLck 32, present 8
MAP_LOCKED 64K more: EAGAIN, VmLck 32
MAP_LOCKED shared 16K: 0, VmLck 48, present 4
MAP_FIXED | MAP_LOCKED 32K over the first: EAGAIN, VmLck 48
munmap the first: 0, VmLck 16
munlockall: 0, VmLck 0
""",
    "future": """\
-- future as 0
mlockall(MCL_FUTURE): 0, VmLck 0
then mmap 32K: 0, VmLck 32, present 8
then mmap PROT_NONE 16K: 0, VmLck 48
then mmap 64K: 0, VmLck 112
then mremap 32K to 128K: 0, VmLck 208
then brk +64K: moved, VmLck 272
then brk +8K: moved, VmLck 216, present 1
mlockall(MCL_CURRENT) under 64K: 0
munlockall: 0, VmLck 0
then mmap 16K: 0, VmLck 0, present 0
mlockall(MCL_FUTURE | MCL_ONFAULT): 0
then mmap 16K: 0, VmLck 16, present 0
munlockall: 0, VmLck 0
-- future as 65534
mlockall(MCL_FUTURE): 0, VmLck 0
then mmap 32K: 0, VmLck 32, present 8
then mmap PROT_NONE 16K: 0, VmLck 48
then mmap 64K: EAGAIN, VmLck 48
then mremap 32K to 128K: EAGAIN, VmLck 48
then brk +64K: stayed, VmLck 48
then brk +8K: moved, VmLck 56, present 1
mlockall(MCL_CURRENT) under 64K: ENOMEM
munlockall: 0, VmLck 0
then mmap 16K: 0, VmLck 0, present 0
mlockall(MCL_FUTURE | MCL_ONFAULT): 0
then mmap 16K: 0, VmLck 16, present 0
munlockall: 0, VmLck 0
""",
    "current": """\
-- current as 0
mlockall(MCL_CURRENT): 0
VmLck above 0: yes, at most VmSize: yes
then mmap 16K: 0, VmLck grew by 0, present 0
munlockall: 0, VmLck 0
mlockall(MCL_CURRENT | MCL_FUTURE): 0
  after exec: VmLck 0
  then mmap 16K: 0, VmLck 0, present 0
-- current as 65534
mlockall(MCL_CURRENT): 0
VmLck above 0: yes, at most VmSize: yes
then mmap 16K: 0, VmLck grew by 0, present 0
munlockall: 0, VmLck 0
mlockall(MCL_CURRENT | MCL_FUTURE): 0
  after exec: VmLck 0
  then mmap 16K: 0, VmLck 0, present 0
""",
    "data": """\
-- data as 0
data: mmap 128K RW: 0, VmData grew by 128
data: mmap 256K RW: ENOMEM
data: mmap 256K RO: 0
data: mmap 256K RW shared: 0
data: mmap 256K RW growsdown: 0
data: mmap 256K PROT_NONE: 0
data: mprotect 256K RO to RW: ENOMEM
data: mprotect 64K RO to RW: 0
data: mprotect 64K RW to RWX: 0
data: mremap 128K RW to 256K: ENOMEM
data: mremap 256K RO to 512K: 0
data: MAP_FIXED RW over 64K RW: 0
data: munmap 128K: 0
data: mmap 128K RW again: 0
brk: +32K: moved
brk: +64K more: stayed
brk: limit 4K, back to +8K: stayed
brk: back to the start: moved
limit 0 (max +64K): mmap 32K RW: 0
limit 0 (max +64K): mmap 64K RW: ENOMEM
limit 0 (max +64K): brk +4K: stayed
  child: mmap 64K RW: ENOMEM
-- data as 65534
data: mmap 128K RW: 0, VmData grew by 128
data: mmap 256K RW: ENOMEM
data: mmap 256K RO: 0
data: mmap 256K RW shared: 0
data: mmap 256K RW growsdown: 0
data: mmap 256K PROT_NONE: 0
data: mprotect 256K RO to RW: ENOMEM
data: mprotect 64K RO to RW: 0
data: mprotect 64K RW to RWX: 0
data: mremap 128K RW to 256K: ENOMEM
data: mremap 256K RO to 512K: 0
data: MAP_FIXED RW over 64K RW: 0
data: munmap 128K: 0
data: mmap 128K RW again: 0
brk: +32K: moved
brk: +64K more: stayed
brk: limit 4K, back to +8K: stayed
brk: back to the start: moved
limit 0 (max +64K): mmap 32K RW: 0
limit 0 (max +64K): mmap 64K RW: ENOMEM
limit 0 (max +64K): brk +4K: stayed
  child: mmap 64K RW: ENOMEM
""",
    "edges": """\
-- edges as 0
mlock a file's 16K, 4K of it in the file: ENOMEM, VmLck 16, present 1
munlock it: 0, VmLck 0
mlock2 ONFAULT the same: 0, VmLck 16, present 1
mlock 32K: 0, VmLck 32
limit lowered to 16K, mlock 0 bytes: 0, VmLck 32
mlock its first 8K again: 0, VmLck 32
munlock 16K of it: 0, VmLck 16
munlockall: 0, VmLck 0
prlimit MEMLOCK of a child: 0
  child, after the parent's prlimit 8K: mlock 16K: 0, VmLck 16
mlockall(MCL_FUTURE): 0, VmLck 0
  child: mmap 16K: 0, VmLck 0, present -1
MREMAP_DONTUNMAP a locked 16K: 0, present 4, left behind 0
-- edges as 65534
mlock a file's 16K, 4K of it in the file: ENOMEM, VmLck 16, present 1
munlock it: 0, VmLck 0
mlock2 ONFAULT the same: 0, VmLck 16, present 1
mlock 32K: 0, VmLck 32
limit lowered to 16K, mlock 0 bytes: ENOMEM, VmLck 32
mlock its first 8K again: ENOMEM, VmLck 32
munlock 16K of it: 0, VmLck 16
munlockall: 0, VmLck 0
prlimit MEMLOCK of a child: 0
  child, after the parent's prlimit 8K: mlock 16K: ENOMEM, VmLck 0
mlockall(MCL_FUTURE): 0, VmLck 0
  child: mmap 16K: 0, VmLck 0, present -1
MREMAP_DONTUNMAP a locked 16K: 0, present 4, left behind 0
""",
    "threads": """\
-- threads as 0
after 3 threads' mlock, munlock, mprotect, MAP_FIXED: munlockall: 0, VmLck 0
every other page of 1000 locked: VmLck 2000, areas +999
munlock all 1000: 0, VmLck 0
  areas +0
-- threads as 65534
after 3 threads' mlock, munlock, mprotect, MAP_FIXED: munlockall: 0, VmLck 0
every other page of 1000 locked: VmLck 2000, areas +999
munlock all 1000: 0, VmLck 0
  areas +0
""",
}


@pytest.mark.parametrize("part", sorted(LINUX))
def test_mem_limits_match_linux(part):
    expect(run("mem_limits", part), LINUX[part])
