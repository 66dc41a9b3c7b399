"""System V semaphores (tests/progs/sem_calls.c), one case per run.  Each
line is the same program's (built with musl) on Linux 6.18, run as root;
ids differ between machines, so the program compares them instead of
printing them.  "mutex" makes four processes share a counter in System V
shared memory under a semaphore: without the lock (checked) amphi's run
ends at 2000 of 8000.  Before these calls existed every line was ENOSYS."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "get": (
        "two private: ok ok, different: yes\n"
        "keyed: ok, values 0 0\n"
        "same key, fewer: the same id\n"
        "same key, more: EINVAL\n"
        "IPC_CREAT|IPC_EXCL: EEXIST\n"
        "none: EINVAL, -1: EINVAL, 32001: EINVAL\n"
        "nobody's key: ENOENT\n"),
    "ops": (
        "SETVAL 1: 0\n"
        "GETVAL 1\n"
        "+2: 0\n"
        "now 3, GETPID me: yes\n"
        "-1: 0\n"
        "-5 IPC_NOWAIT: EAGAIN\n"
        "still 2\n"
        "+1 on 0 with -5 on 1: EAGAIN\n"
        "0 unchanged: 2\n"
        "-2 then +3 on 0 (holding 2): 0\n"
        "now 3\n"
        "wait for zero, IPC_NOWAIT: EAGAIN\n"
        "wait for zero on 1: 0\n"
        "SETVAL 32767: 0\n"
        "+1: ERANGE\n"
        "SETVAL 32768: ERANGE, -1: ERANGE\n"
        "sem 3: EFBIG\n"
        "0 ops: EINVAL, 501: E2BIG\n"
        "500 of wait-for-zero on 1: 0\n"
        "bad pointer: EFAULT, bad id: EINVAL, negative: EINVAL\n"
        "SETALL: 0\n"
        "GETALL: 0 7 8 9\n"
        "SETALL with 40000: ERANGE\n"
        "GETALL to a bad pointer: EFAULT\n"
        "GETVAL of sem 3: EINVAL, -1: EINVAL\n"),
    "wait": (
        "GETNCNT 1, GETZCNT 0\n"
        "child's wait: 0\n"
        "+1: 0\n"
        "after: 0, GETNCNT 0\n"
        "GETZCNT on 1: 1\n"
        "child's wait: 0\n"
        "-2 on 1: 0\n"
        "semtimedop 100 ms: EAGAIN\n"
        "semtimedop, bad timeout: EINVAL\n"
        "a signal, SA_RESTART: EINTR\n"
        "child's wait: EIDRM\n"
        "IPC_RMID under it: 0\n"),
    "undo": (
        "child's op -2: 0\n"
        "while the child lives: 1\n"
        "after it ends: 3\n"
        "child's op +1: 0\n"
        "-1 by the parent: 0\n"
        "its -1 at the end, clamped: 0\n"
        "child's op -1: 0\n"
        "SETVAL 5 while it lives: 0\n"
        "after it ends: 5\n"),
    "perm": (
        "1000: semget 0600: EACCES\n"
        "1000: semget 0: the id\n"
        "1000: semop: EACCES\n"
        "1000: GETVAL: EACCES\n"
        "1000: SETVAL: EACCES\n"
        "1000: IPC_STAT: EACCES\n"
        "1000: IPC_SET: EPERM\n"
        "1000: IPC_RMID: EPERM\n"
        "IPC_SET uid 1000, 0660: 0\n"
        "1000: semop now: 0\n"
        "1000: IPC_RMID as owner: 0\n"),
    "ctl": (
        "nsems 5, mode 640, otime 0, ctime set\n"
        "after a semop, otime set\n"
        "IPC_INFO: ok, semmsl 32000 semopm 500 semvmx 32767 semaem 32767\n"
        "SEM_STAT finds it by slot: yes\n"
        "command 99: EINVAL, negative id: EINVAL\n"
        "IPC_STAT to a bad pointer: EFAULT\n"
        "IPC_RMID: 0\n"
        "again: EINVAL\n"),
    "mutex": (
        "counter 8000, lock 1\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_sysv_sem(case):
    expect(run("sem_calls", case), LINES[case])
