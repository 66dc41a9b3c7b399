"""System V shared memory (tests/progs/shm_calls.c), one case per run.
Each line is the same program's (built with musl) on Linux 6.18, run as
root; ids differ between machines, so the program compares them instead
of printing them.  Before these calls existed every line was ENOSYS."""
import os
import re

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "get": (
        "two private: ok ok, different: yes\n"
        "keyed: ok\n"
        "same key again: the same id\n"
        "smaller: the same id, bigger: EINVAL\n"
        "IPC_CREAT|IPC_EXCL: EEXIST\n"
        "IPC_CREAT alone: the same id\n"
        "size 0: EINVAL\n"
        "size 2^64-1: EINVAL\n"
        "nobody's key: ENOENT\n"
        "1 TiB: ENOMEM\n"
        "1 TiB, SHM_NORESERVE: ok\n"
        "after IPC_RMID, the key: ENOENT\n"),
    "attach": (
        "attach twice: ok ok, apart: yes\n"
        'second sees "hello", nattch 2\n'
        'child sees "hello", nattch 4\n'
        "child: exited\n"
        'parent sees "from the child", nattch 2\n'
        "maps: a line rw-s /SYSV5a1e0001 (deleted)\n"
        'read-only attach: ok, reads "from the child"\n'
        "a store there: killed by SIGSEGV\n"
        "mprotect it writable: EACCES\n"
        "shmdt: 0\n"
        "nattch 2\n"
        "shmdt again: EINVAL\n"
        "shmdt unaligned: EINVAL\n"
        "shmdt of no attach: EINVAL\n"
        "at a free address: there\n"
        "unaligned: EINVAL\n"
        "unaligned, SHM_RND: rounded down\n"
        "over it again: EINVAL\n"
        "SHM_REMAP over it: there\n"
        "SHM_REMAP, no address: EINVAL\n"
        "bad id: EINVAL, negative: EINVAL\n"
        "nattch 3\n"
        "all detached, nattch 0\n"),
    "rmid": (
        "IPC_RMID while attached: 0\n"
        "IPC_STAT: 0\n"
        "key 0, dest yes, nattch 1\n"
        "the key: ENOENT\n"
        "a new one under the key: ok, another id: yes\n"
        'memory: "still here"\n'
        'attach the removed one: ok, "still here"\n'
        "after the last detach, IPC_STAT: EINVAL\n"),
    "perm": (
        "1000: shmget 0600: EACCES\n"
        "1000: shmget 0400: EACCES\n"
        "1000: shmget 0: the id\n"
        "1000: shmat: EACCES\n"
        "1000: IPC_STAT: EACCES\n"
        "1000: IPC_SET: EPERM\n"
        "1000: IPC_RMID: EPERM\n"
        "root's 0600: exited\n"
        "IPC_SET uid 1000, 0440: 0\n"
        "now uid 1000 cuid 0 mode 440\n"
        "1000: shmat read-only: ok\n"
        "1000: shmat: EACCES\n"
        "1000: IPC_RMID as owner: 0\n"
        "then: exited\n"
        "IPC_SET uid -1: EINVAL\n"),
    "ctl": (
        "IPC_INFO: ok, shmmin 1 shmmni 4096 shmseg 4096\n"
        "SHM_STAT finds it by slot: yes\n"
        "size 5000, creator me: yes, mode 640, nattch 0, atime 0\n"
        "attached: atime set, lpid me: yes, dtime 0\n"
        "detached: dtime set\n"
        "SHM_LOCK: 0, mode 2640; SHM_UNLOCK: 0, mode 640\n"
        "command 99: EINVAL, -1: EINVAL\n"
        "negative id: EINVAL, nobody's: EINVAL\n"
        "IPC_STAT to a bad pointer: EFAULT\n"
        "IPC_SET from a bad pointer: EFAULT\n"
        "IPC_RMID: 0\n"
        "again: EINVAL\n"),
    "churn": (
        "rounds done: 200\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_sysv_shm(case):
    expect(run("shm_calls", case), LINES[case])


IPCS = "/usr/bin/ipcs"

# util-linux's ipcs on Linux 6.18 after `shm_calls leave`, ids masked.
IPCS_LISTING = """
------ Message Queues --------
key        msqid      owner      perms      used-bytes   messages    
0x5a1e0001 ID         root       666        5            1           

------ Shared Memory Segments --------
key        shmid      owner      perms      bytes      nattch     status      
0x5a1e0001 ID         root       640        5000       0                       

------ Semaphore Arrays --------
key        semid      owner      perms      nsems     
0x5a1e0001 ID         root       600        3         

"""


def masked_ids(text):
    return re.sub(r"^(0x[0-9a-f]{8}) \d+ *", lambda m: m.group(1) + " ID" + " " * 9, text,
                  flags=re.M)


@pytest.mark.skipif(not os.path.exists(IPCS), reason="needs util-linux's ipcs")
def test_ipcs_lists_what_a_program_left_and_ipcrm_removes_it():
    """Debian's ipcs and ipcrm, unmodified and dynamically linked, find the
    objects through the *_STAT commands (there is no /proc/sysvipc)."""
    r = run(IPCS, options=["--before", "build/progs/shm_calls leave"])
    assert r.status == 0, r.describe()
    assert masked_ids(r.stdout.decode()) == "left: ok ok ok\n" + IPCS_LISTING, r.describe()
    r = run(IPCS, options=["--before", "build/progs/shm_calls leave",
                           "--before", "/usr/bin/ipcrm -M 0x5a1e0001 -S 0x5a1e0001 -Q 0x5a1e0001"])
    assert r.status == 0, r.describe()
    assert "0x5a1e0001" not in r.stdout.decode(), r.describe()
