"""POSIX message queues (tests/progs/mq_calls.c), one case per run.  Each
transcript is the same program's (built with musl) on Linux 6.18: every
case but perm as uid 65534 (the program drops to it when root), perm as
root without CAP_SYS_RESOURCE (the program drops it, as the host where
the transcript was taken had no CAP_SYS_RESOURCE), in a fresh IPC
namespace.  Before, the six calls were ENOSYS.

The stress case runs threads sending and receiving at once, with
timeouts and signals cutting their waits short, on 2 and 4 CPUs: every
message must arrive exactly once."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = {
    "open": (
        "empty name: ENOENT\n"
        "slash inside: EACCES\n"
        "leading slash to the call: EACCES\n"
        "dot: EACCES\n"
        "dotdot: EACCES\n"
        "255 bytes: ok\n"
        "unlink it: ok\n"
        "256 bytes: errno 36\n"
        "4999 bytes: errno 36\n"
        "bad pointer: EFAULT\n"
        "bad attr: EFAULT\n"
        "bad attr, no O_CREAT: EFAULT\n"
        'musl "/": ENOENT\n'
        "no such queue: ENOENT\n"
        "create: ok\n"
        "O_EXCL again: EEXIST\n"
        "O_CREAT again: ok\n"
        "O_ACCMODE 3: EINVAL\n"
        "create O_ACCMODE 3: ok\n"
        "O_TRUNC|O_APPEND|O_NOCTTY: ok\n"
        "fstat: ok mode 100755 size 80 uid 65534 nlink 1\n"
        "fcntl F_GETFL: 02\n"
        "fd cloexec: 1\n"
        'read: 60 "QSIZE:0          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'
        "read 8: 8\n"
        "read on: 8\n"
        "lseek 76: 76\n"
        "read at 76: 0\n"
        "read past: 0\n"
        "write: EINVAL\n"
        "read O_WRONLY: EBADF\n"
        "write O_RDONLY: EBADF\n"
        "ftruncate: ok\n"
        "close: ok\n"
        "unlink: ok\n"
        "unlink again: ENOENT\n"
        "unlink slash inside: EACCES\n"
        "unlink empty: ENOENT\n"
        "unlink bad pointer: EFAULT\n"
        "unlink 256 bytes: errno 36\n"
        "mode 0: ok\n"
        "reopen mode 0 O_RDONLY: EACCES\n"
        "reopen mode 0 O_CREAT: EACCES\n"
        "unlink mode 0: ok\n"
        "mode 0400: ok\n"
        "reopen 0400 O_WRONLY: EACCES\n"
        "reopen 0400 O_RDONLY: ok\n"
        "O_CLOEXEC: ok fd flags 1\n"),
    "attr": (
        "default: EINVAL\n"
        "no attr: flags 0 maxmsg 10 msgsize 8192 curmsgs 0\n"
        "1 x 1: flags 0 maxmsg 1 msgsize 1 curmsgs 0\n"
        "10 x 8192: flags 0 maxmsg 10 msgsize 8192 curmsgs 0\n"
        "11 x 8192: EINVAL\n"
        "10 x 8193: EINVAL\n"
        "0 x 10: EINVAL\n"
        "10 x 0: EINVAL\n"
        "-1 x 10: EINVAL\n"
        "10 x -1: EINVAL\n"
        "huge x huge: EINVAL\n"
        "mq_flags and curmsgs ignored: flags 0 maxmsg 3 msgsize 16 curmsgs 0\n"
        "setattr: EINVAL old flags 0\n"
        "after: flags 0 maxmsg 3 msgsize 16 curmsgs 0\n"
        "F_GETFL nonblock: 0\n"
        "setattr 0: ok\n"
        "after: flags 0 maxmsg 3 msgsize 16 curmsgs 0\n"
        "after F_SETFL: flags 04000 maxmsg 3 msgsize 16 curmsgs 0\n"
        "getsetattr NULL NULL: ok\n"
        "getsetattr bad new: EFAULT\n"
        "getsetattr bad old: EFAULT\n"
        "getsetattr bad fd: EBADF\n"
        "getsetattr pipe: EBADF\n"
        "send pipe: EBADF\n"
        "notify pipe: EBADF\n"),
    "order": (
        "full: flags 04000 maxmsg 8 msgsize 16 curmsgs 8\n"
        "send to full: EAGAIN\n"
        'status: 60 "QSIZE:18         NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'
        "small buffer: EMSGSIZE\n"
        'receive: 6 prio 32767 "e32767"\n'
        'receive: 2 prio 5 "b5"\n'
        'receive: 2 prio 5 "c5"\n'
        'receive: 2 prio 5 "f5"\n'
        'receive: 2 prio 1 "d1"\n'
        'receive: 0 prio 1 ""\n'
        'receive: 2 prio 0 "a0"\n'
        'receive: 2 prio 0 "g0"\n'
        "empty: EAGAIN\n"
        "prio 32768: EINVAL\n"
        "prio -1: EINVAL\n"
        "17 bytes: EMSGSIZE\n"
        "huge length: EMSGSIZE\n"
        "bad buffer: EFAULT\n"
        "bad buffer, 0 bytes: ok\n"
        "receive into bad buffer: EFAULT\n"
        "lost: flags 04000 maxmsg 8 msgsize 16 curmsgs 1\n"
        "receive bad prio pointer: EFAULT\n"
        "lost: flags 04000 maxmsg 8 msgsize 16 curmsgs 1\n"
        "receive NULL prio: 2\n"
        "send O_RDONLY: EBADF\n"
        "receive O_WRONLY: EBADF\n"
        "send O_WRONLY: ok\n"
        'receive O_RDONLY: 0 prio 0 ""\n'
        "send bad fd: EBADF\n"
        "send stdout: EBADF\n"),
    "time": (
        "receive, past: errno 110\n"
        "receive, 200 ms: errno 110\n"
        "receive, nsec 1e9: EINVAL\n"
        "receive, nsec -1: EINVAL\n"
        "receive, sec -1: EINVAL\n"
        "receive, bad pointer: EFAULT\n"
        "send, bad timeout, room: EINVAL\n"
        "send, bad pointer, room: EFAULT\n"
        "send, past, room: ok\n"
        "send, past, full: errno 110\n"
        "send, 200 ms, full: errno 110\n"
        "send, nsec 1e9, full: EINVAL\n"
        "receive, bad timeout, a message: EINVAL\n"
        "receive, past, a message: ok\n"
        "nonblocking receive, bad timeout: EINVAL\n"
        "nonblocking receive, past: EAGAIN\n"),
    "wait": (
        'waited for a message: 4 prio 2 "late"\n'
        "waited for room: ok\n"
        'then: 6 prio 0 "second"\n'
        "receive, signal: EINTR\n"
        "send, signal: EINTR\n"
        "SA_RESTART, timed: errno 110\n"
        'SA_RESTART: 9 "restarted"\n'
        'from a child: 5 prio 4 "child"\n'),
    "poll": (
        "empty: poll 1 0x104, select 1 w\n"
        "one: poll 1 0x145, select 2 r w\n"
        "full: poll 1 0x41, select 1 r\n"
        "full, O_RDONLY: poll 1 0x41, select 1 r\n"
        "epoll add: ok\n"
        "epoll empty: 0\n"
        "epoll after a send: 1 0x1\n"
        "epoll again (edge): 0\n"
        "poll waits for room: 1 0\n"),
    "notify": (
        "unregister, none: ok\n"
        "register: ok\n"
        'status: 60 "QSIZE:0          NOTIFY:0     SIGNO:10    NOTIFY_PID:PID"\n'
        "register again: errno 16\n"
        "after a send: sig 10 code -3 value 42 own pid 1 uid 65534\n"
        'status: 60 "QSIZE:1          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'
        "second send: sig 0 code 0 value 0 own pid 0 uid 0\n"
        "register, not empty: ok\n"
        "send to a non-empty queue: sig 0 code 0 value 0 own pid 0 uid 0\n"
        "send once empty: sig 10 code -3 value 42 own pid 1 uid 65534\n"
        "unregister: ok\n"
        "after unregistering: sig 0 code 0 value 0 own pid 0 uid 0\n"
        "child registers: ok\n"
        "after the child ended, register: ok\n"
        "child registers: errno 16\n"
        "child unregisters: ok\n"
        'still mine: 60 "QSIZE:0          NOTIFY:0     SIGNO:10    NOTIFY_PID:PID"\n'
        "a receiver waited: sig 0 code 0 value 0 own pid 0 uid 0\n"
        'status: 60 "QSIZE:0          NOTIFY:0     SIGNO:10    NOTIFY_PID:PID"\n'
        "SIGEV_NONE: ok\n"
        'status: 60 "QSIZE:0          NOTIFY:1     SIGNO:0     NOTIFY_PID:PID"\n'
        "send: sig 0 code 0 value 0 own pid 0 uid 0\n"
        'status: 60 "QSIZE:1          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'
        "signal 0: ok\n"
        'status: 60 "QSIZE:0          NOTIFY:0     SIGNO:0     NOTIFY_PID:PID"\n'
        "send: sig 0 code 0 value 0 own pid 0 uid 0\n"
        'status: 60 "QSIZE:1          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'
        "signal 65: EINVAL\n"
        "sigev_notify 7: EINVAL\n"
        "SIGEV_THREAD_ID: EINVAL\n"
        "bad sigevent: EFAULT\n"
        "bad fd: EBADF\n"
        "SIGEV_THREAD, a pipe: errno 88\n"
        "SIGEV_THREAD, a UDP socket: EINVAL\n"
        "SIGEV_THREAD, bad fd: EBADF\n"
        "SIGEV_THREAD, bad cookie: EFAULT\n"
        'status: 60 "QSIZE:0          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'
        'a dup closed: 60 "QSIZE:0          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'
        'a child closed its copy: 60 "QSIZE:0          NOTIFY:0     SIGNO:10    NOTIFY_PID:PID"\n'
        'closed, opened again: 60 "QSIZE:0          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"\n'),
    "life": (
        "closed and opened: flags 04000 maxmsg 4 msgsize 16 curmsgs 1\n"
        'kept: 4 prio 1 "kept"\n'
        "unlink while open: ok\n"
        "open by name: ENOENT\n"
        'still there: 8 prio 1 "unlinked"\n'
        "new queue by the name: ok\n"
        "new: flags 04000 maxmsg 10 msgsize 8192 curmsgs 0\n"
        "old: flags 04000 maxmsg 4 msgsize 16 curmsgs 1\n"
        'through a dup: 5 prio 1 "again"\n'
        "receive child's: 10\n"),
    "limits": (
        "msg_max: 10\n"
        "msgsize_max: 8192\n"
        "msg_default: 10\n"
        "msgsize_default: 8192\n"
        "queues_max: 256\n"
        "RLIMIT_MSGQUEUE: 819200 819200\n"
        "small queues: 256, then ENOSPC\n"
        "default-sized queues: 9, then EMFILE\n"
        "write to /proc: EACCES\n"
        "after unlinking: 9, then EMFILE\n"
        "kept open: 9, then EMFILE\n"
        "unlinked, still open: 0, then EMFILE\n"
        "closed: 9, then EMFILE\n"
        "RLIMIT_MSGQUEUE 1000, 1 x 800: 1, then EMFILE\n"
        "1 x 905: 0, then EMFILE\n"
        "1 x 904: 1, then EMFILE\n"
        "RLIMIT_MSGQUEUE 0: 0, then EMFILE\n"
        "RLIMIT_NOFILE 5: 2, then EMFILE\n"),
    "perm": (
        "drop CAP_SYS_RESOURCE: ok\n"
        "root makes 0600: ok\n"
        "uid 1000 open O_RDONLY: EACCES\n"
        "uid 1000 open O_WRONLY: EACCES\n"
        "uid 1000 open O_RDWR: EACCES\n"
        "uid 1000 unlink: EPERM\n"
        "uid 1000 musl's unlink: EACCES\n"
        "uid 1000 O_CREAT|O_EXCL: EEXIST\n"
        "root makes 0642: ok\n"
        "uid 1000 open O_RDONLY: EACCES\n"
        "uid 1000 open O_WRONLY: ok\n"
        "uid 1000 open O_RDWR: EACCES\n"
        "uid 1000 unlink: EPERM\n"
        "uid 1000 musl's unlink: EACCES\n"
        "uid 1000 O_CREAT|O_EXCL: EEXIST\n"
        "root 11 x 8192: EINVAL\n"
        "root 65536 x 1: EINVAL\n"
        "root 65537 x 1: EINVAL\n"
        "root 1 x 16777216: EINVAL\n"
        "root 1 x 16777217: EINVAL\n"
        "root 1000 x 16777216: EINVAL\n"
        "root small queues: 256, then ENOSPC\n"),
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_mq(case):
    expect(run("mq_calls", case), LINES[case])


@pytest.mark.parametrize("smp", [2, 4])
def test_mq_stress(smp):
    expect(run("mq_calls", "stress", smp=smp),
           "left: flags 0 maxmsg 5 msgsize 32 curmsgs 0\n"
           "stress: 1600 messages, 0 missing, none twice\n")


def test_mq_notify_thread():
    """musl's SIGEV_THREAD: its helper thread waits on a netlink socket for
    the cookie the kernel sends when the notification fires, and runs the
    function with 7.  Then the cookie itself on a socket of the program's:
    why 1 when fired, 2 when taken away or when its owner closes the
    queue, nothing (and no harm) once the socket is closed.  Linux 6.18's
    transcript, in a fresh IPC namespace.  Before, netlink sockets did not
    exist and mq_notify failed with EAFNOSUPPORT."""
    expect(run("mq_calls", "thread"),
           "SIGEV_THREAD: ok\n"
           'status: 60 "QSIZE:0          NOTIFY:2     SIGNO:0     NOTIFY_PID:PID"\n'
           "the thread ran with 7\n"
           "raw SIGEV_THREAD: ok\n"
           'status: 60 "QSIZE:0          NOTIFY:2     SIGNO:0     NOTIFY_PID:PID"\n'
           'after a send: 32 bytes "cookie" why 1 from pid 0\n'
           "again: ok\n"
           "taken away: ok\n"
           'after taking it away: 32 bytes "cookie" why 2 from pid 0\n'
           "again: ok\n"
           'after closing the queue: 32 bytes "cookie" why 2 from pid 0\n'
           "again: ok\n"
           "send with the socket closed: ok\n")
