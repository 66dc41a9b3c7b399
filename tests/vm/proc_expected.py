"""What the proc_* test programs print on Linux.  Each transcript was taken
by running the program natively (musl, static) on a Debian host (Linux 6.1)
as root: proc_fork and proc_exec as the init of a new pid namespace, as they
are the init of the VM (`unshare --pid --fork ./proc_fork`,
`unshare --pid --fork ./proc_exec DIR`), proc_mmap in a fresh directory
(`./proc_mmap DIR`), proc_ids and proc_jobctl as init too, ptimers as it is
(`./ptimers`), tty_jobctl as a session leader on a pty (test_procs.py's
typed_at(["./tty_jobctl"])).  One line per check (tests/vm/test_procs.py).
"""

PROC_FORK = r"""child wrote its copies: ok
parent's copies unchanged: ok
MAP_SHARED anonymous memory is shared: ok
parent's write stays after the child writes the same page: ok
child saw the page as it was at fork: ok
32 children at once, each with its own status: ok
no child left: ECHILD: ok
the parent's page untouched: ok
exit(0): exit 0
exit(1): exit 1
exit(42): exit 42
exit(255): exit 255
killed by 15: signal 15
killed by 9: signal 9
killed by 10: signal 10
killed by 11: signal 11
WNOHANG while the child runs: 0: ok
kill(pid) from the parent: ok
waiting again: ECHILD: ok
not a child: ECHILD: ok
bad options: EINVAL: ok
waitid WNOWAIT sees the zombie: ok
and it is still there for wait4 (with rusage): ok
waitid WNOHANG with nothing ready: si_pid 0: ok
waitid P_PGID: killed by SIGKILL: ok
waitid without WEXITED: EINVAL: ok
clone without SIGCHLD: ok
plain wait does not see it: ok
__WALL does: ok
__WCLONE finds one that sends SIGUSR1: ok
SIGCHLD handler: CLD_EXITED, status, pid: ok
SA_NOCLDWAIT: the handler still runs: ok
SA_NOCLDWAIT: no zombie to wait for: ok
SIGCHLD ignored: no zombie either: ok
pipe: ok
child's getppid is the parent: ok
the orphan's new parent is the subreaper: ok
PR_SET_PDEATHSIG: SIGTERM when the parent ended: ok
parent locks bytes 0-9: ok
the child is refused: the lock was not inherited: ok
F_GETLK names the parent: ok
after the parent closed another fd: the child gets it: ok
lock checks in the child: ok
setpgid: the child leads a group of its own: ok
the parent's group is unchanged: ok
kill(-pgid): ok
it reached the leader: ok
and not the process outside the group: ok
and its member, killed too, came to init (us) as an orphan: ok
setpgid of a stranger: ESRCH: ok
a negative group: EINVAL: ok
kill of an empty group: ESRCH: ok
setsid: a new session it leads; again, or setpgid, EPERM: ok
getsid: ok
vfork: the child ran first, in the parent's memory: ok
vfork child's status: ok
proc_fork ok
"""

PROC_EXEC = r"""missing file: ENOENT
empty path: ENOENT
a directory: EACCES
through a file: ENOTDIR
no x bit: EACCES
text without #!: ENOEXEC
empty file: ENOEXEC
32-bit ELF: ENOEXEC
aarch64 ELF: ENOEXEC
#! to a missing interpreter: ENOENT
#! with no interpreter: ENOEXEC
#! name past 256 bytes: ENOEXEC
#! loop: ELOOP
PT_INTERP missing: ENOENT
ELF cut inside its program headers: ENOEXEC
ELF cut inside its code: ran, exit 139
one argument over 128 KiB: E2BIG
3.8 MB of arguments: E2BIG
argc 5: [SELF] [show-args] [DIR/s1] [x1] [x 2]
env [A=1]
env [B=two words]
#! with an argument: ran, exit 0
argc 5: [SELF] [show-args  two] [DIR/s2] [x1] [x 2]
env [A=1]
env [B=two words]
#! argument with spaces: ran, exit 0
argc 4: [SELF] [DIR/s3] [x1] [x 2]
env [A=1]
env [B=two words]
#! without a newline: ran, exit 0
argc 5: [x] [show-args] [a] [] [c]
env [A=1]
env [B=two words]
argv and envp: ran, exit 0
argv[0] is ""
empty argv: ran, exit 3
SIGUSR1 default, SIGUSR2 ignored, SIGINT blocked, SIGHUP pending
fd 10 closed, fd 11 open
same pid 1, tid is pid 1, Threads:	1
exec from the main thread: exit 0
SIGUSR1 default, SIGUSR2 ignored, SIGINT blocked, SIGHUP not pending
fd 10 closed, fd 11 open
same pid 1, tid is pid 1, Threads:	1
exec from a second thread: exit 0
vfork parent goes on after the exec
vfork+exec child: exit 6
posix_spawn: ok
posix_spawn child: exit 4
proc_exec ok
"""

PROC_MMAP = r"""two private mappings: ok
they show the file: ok
the last page past the end reads zeros: ok
a private store stays private: ok
a write() shows in a page not yet stored to: ok
MADV_DONTNEED: the private copy goes, the file shows again: ok
a child's private store stays its own: ok
two shared mappings (one at an offset): ok
a shared store reaches read() and the other: ok
write() reaches both mappings: ok
a child's shared store reaches the parent: ok
msync: ok
MADV_DONTNEED on a shared mapping keeps the data: ok
/proc/self/maps names the file, rw-s: ok
touching the last page: exit 0
touching past the end of the file: signal 7
after the file grows: exit 0
mprotect of one page in the middle: ok
writing it: signal 11
writing its neighbour: exit 0
munmap of one page in the middle: ok
reading the hole: signal 11
the part after the hole is still the file at its offset: ok
a futex in shared anonymous memory wakes a child: ok
a futex in a shared file page wakes through another mapping: ok
bad fd: EBADF: ok
shared writable of a read-only fd: EACCES: ok
private writable of a read-only fd: fine: ok
a write-only fd: EACCES: ok
a pipe: ENODEV: ok
a directory: ENODEV: ok
mprotect to writable of a shared read-only fd: EACCES: ok
MAP_SHARED of /dev/zero is shared with children: ok
proc_mmap ok
"""

PROC_IDS = r"""setgroups(0): 0
getgroups(0): 0
setgroups(3): 0
getgroups: 3: 5 6 7
getgroups(1) too small: EINVAL
setgroups(70000): EINVAL
setgroups from a bad pointer: EFAULT
setuid(-1): EINVAL
dumpable: 1
PR_SET_DUMPABLE 0: 0
dumpable: 0
PR_SET_DUMPABLE 2: EINVAL
child at start: uid 0 0 0 gid 0 0 0 (getuid 0 geteuid 0 getgid 0 getegid 0)
setresgid(100, 100, 100): 0
setresuid(1000, 1000, 0): 0
after dropping: uid 1000 1000 0 gid 100 100 100 (getuid 1000 geteuid 1000 getgid 100 getegid 100)
setgroups as 1000: EPERM
setuid(7): EPERM
setgid(7): EPERM
setreuid(-1, 5): EPERM
setresuid(-1, 0, -1): 0
effective 0 again (the saved id): uid 1000 0 0 gid 100 100 100 (getuid 1000 geteuid 0 getgid 100 getegid 100)
setuid(1000) with effective 0: 0
all 1000: uid 1000 1000 1000 gid 100 100 100 (getuid 1000 geteuid 1000 getgid 100 getegid 100)
setuid(0) now: EPERM
setreuid(1000, 1000): 0
setgid(100) as a group held: 0
dumpable in the child: 0
grandchild: uid 1000 1000 1000 gid 100 100 100 (getuid 1000 geteuid 1000 getgid 100 getegid 100)
the child ended: ok
the parent's after the child's changes: uid 0 0 0 gid 0 0 0 (getuid 0 geteuid 0 getgid 0 getegid 0)
F_SETFL O_ASYNC: ok
F_GETFL shows O_ASYNC: ok
FIOASYNC 0 clears it: ok
FIOASYNC 1 sets it: ok
F_GETOWN at first: 0: ok
F_SETOWN then F_GETOWN: ok
FIOASYNC off again: ok
proc_ids ok
"""

PTIMERS = r"""timer_create, SIGEV_SIGNAL: ok
a one-shot of 20 ms: ok
its signal came: ok
SI_TIMER, the value and the id: ok
disarmed after it fired: ok
periodic every 10 ms: ok
three expiries, interval kept: ok
disarmed, the old one returned: ok
timer_delete: ok
a CLOCK_REALTIME timer: ok
TIMER_ABSTIME 30 ms ahead fires: ok
timer_gettime counts down: ok
a fork's child has no timers: ok
SIGEV_NONE: ok
it sends nothing: ok
two timers, two ids: ok
clock 99: EINVAL
CLOCK_MONOTONIC_RAW: EOPNOTSUPP
notify 99: EINVAL
signal 0: EINVAL
signal 65: EINVAL
SIGEV_THREAD_ID of no thread: EINVAL
a bad sigevent pointer: EFAULT
tv_nsec 1e9: EINVAL
flags 2: 0
a bad new value pointer: EFAULT
settime of a deleted timer: EINVAL
gettime of a deleted timer: EINVAL
delete again: EINVAL
getoverrun of a deleted timer: EINVAL
ptimers ok
"""

PROC_JOBCTL = """\
raise(SIGSTOP) seen by WUNTRACED: stopped 19
SIGCHLD on the stop: hits 1, code CLD_STOPPED, status 19
reported once: nothing
plain wait does not see a stop: nothing
SIGCONT seen by WCONTINUED: continued
SIGCHLD on the continue: sent, code CLD_CONTINUED, status 18
then it runs to its end: exit 7
a two-thread process stops: stopped 19
neither thread runs while stopped: yes
SIGTERM waits while it is stopped: nothing
and ends it once continued: signal 15
SIGKILL ends a stopped process: signal 9
SIGTSTP with a handler does not stop: nothing
SIGTSTP by default stops: stopped 20
SIGTTIN by default stops: stopped 21
a read cut by the stop goes on: exit 42
waitid WSTOPPED|WNOWAIT: code CLD_STOPPED, status 19
WNOWAIT left it to report: code CLD_STOPPED, pid right
then nothing more: 0, pid 0
waitid WCONTINUED: code CLD_CONTINUED, status 18
child's end: exit 3
SIGCONT to a running process runs its handler: 1
SA_NOCLDSTOP: still reported: stopped 19
SA_NOCLDSTOP: no SIGCHLD for stop and continue: hits 0
the end still sends one: hits 1
proc_jobctl done
"""

TTY_JOBCTL = """\
foreground is our group: yes
tcgetsid is our session: yes
tcsetpgrp -1: EINVAL
tcsetpgrp to no group: ESRCH
tcsetpgrp to our own: ok
background read: stopped 21
background read, SIGTTIN ignored: exit 5
background tcsetpgrp: stopped 22
background tcsetpgrp, SIGTTOU ignored: exit 8
the foreground is the child's group: yes
taken back: ok
foreground is ours again: yes
background write
background write: exit 0
tty_jobctl done
"""
