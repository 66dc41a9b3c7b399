"""System V message queues (tests/progs/msg_calls.c), one case per run.
Each line is the same program's (built with musl) on Linux 6.18, run as
root; ids differ between machines, so the program compares them instead
of printing them.  Before these calls existed every line was ENOSYS."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "get": (
        "two private: ok ok, different: yes\n"
        "keyed: ok, again: the same id\n"
        "IPC_CREAT|IPC_EXCL: EEXIST\n"
        "nobody's key: ENOENT\n"),
    "order": (
        'MSG_COPY 2: 3, type 2 "two"\n'
        "MSG_COPY 9: ENOMSG\n"
        "MSG_COPY without IPC_NOWAIT: EINVAL\n"
        'type 2: 3, type 2 "two"\n'
        'type -4: 3, type 1 "one"\n'
        'type -4: 9, type 1 "one again"\n'
        'MSG_EXCEPT 3: 4, type 5 "five"\n'
        "3 bytes: E2BIG\n"
        '3 bytes, MSG_NOERROR: 3, type 3 "thr"\n'
        "empty, IPC_NOWAIT: ENOMSG\n"
        "type 0: EINVAL, -1: EINVAL\n"
        "8193 bytes: EINVAL, -1: EINVAL\n"
        "bad pointer: EFAULT, text past its page: EFAULT\n"
        "0 bytes: 0\n"
        'the empty one: 0, type 1 ""\n'
        "receive into a bad pointer: EFAULT\n"
        "then, IPC_NOWAIT: ENOMSG\n"
        "bad id: EINVAL, negative size: EINVAL\n"),
    "full": (
        "8192: 0\n"
        "8192: 0\n"
        "1 more, IPC_NOWAIT: EAGAIN\n"
        "child's wait for room: 0\n"
        "room made: 1\n"
        "qnum 2, cbytes 8292, qbytes 16384\n"
        "qbytes 8000, under what it holds: 0\n"
        "send, IPC_NOWAIT: EAGAIN\n"
        "child's receive: 5, type 7 \"seven\"\n"
        "send type 7: 0\n"
        "a signal while waiting, SA_RESTART: EINTR\n"
        "child's receive: EIDRM\n"
        "IPC_RMID under it: 0\n"),
    "perm": (
        "1000: msgget 0600: EACCES\n"
        "1000: msgget 0: the id\n"
        "1000: msgsnd: EACCES\n"
        "1000: msgrcv: EACCES\n"
        "1000: IPC_STAT: EACCES\n"
        "1000: IPC_RMID: EPERM\n"
        "IPC_SET uid 1000: 0\n"
        "1000: msgrcv now: 6\n"
        "1000: qbytes 16385: EPERM\n"
        "1000: qbytes 100: 0\n"
        "1000: IPC_RMID as owner: 0\n"),
    "ctl": (
        "mode 640, qbytes 16384, stime 0, ctime set\n"
        "sent: qnum 1 cbytes 3, lspid me: yes, stime set, rtime 0\n"
        'taken: 3, type 1 "abc"\n'
        "received: qnum 0, lrpid me: yes, rtime set\n"
        "IPC_INFO: ok, msgmax 8192 msgmnb 16384 msgssz 16 msgseg 65535\n"
        "MSG_STAT finds it by slot: yes\n"
        "command 99: EINVAL, negative id: EINVAL\n"
        "IPC_STAT to a bad pointer: EFAULT\n"
        "IPC_RMID: 0\n"
        "again: EINVAL\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_sysv_msg(case):
    expect(run("msg_calls", case), LINES[case])
