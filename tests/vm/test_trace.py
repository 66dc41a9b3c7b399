"""amphi run --trace: the system call trace of a known program matches the
transcript strace gave for the same binary on Linux.

The expected transcripts below were taken natively, with
`strace -f -o FILE build/progs/NAME` (Debian's strace 6.1), dropping the
execve line (amphi's kernel loads the program itself) and masking what
differs from run to run: thread and process ids (TID), addresses above
64 KiB (ADDR), the host name.  The same masks are applied to amphi's
trace, so every decoded argument, every result and error name, the
signal line and the end line must agree with Linux's, column for column."""

import re

import pytest

from conftest import amphi_argv, lines, refused, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRACE_CALLS = r"""
TID   arch_prctl(ARCH_SET_FS, ADDR) = 0
TID   set_tid_address(ADDR)         = TID
TID   write(1, "trace me\n", 9)         = 9
TID   openat(AT_FDCWD, "/no/such/file", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
TID   openat(AT_FDCWD, "/tmp/t", O_RDWR|O_CREAT|O_TRUNC, 0640) = 3
TID   write(3, "abc\0\n\t\"x\0", 9)     = 9
TID   lseek(3, 1, SEEK_SET)             = 1
TID   read(3, "bc\0\n\t\"x\0", 16)      = 8
TID   fstat(3, {st_mode=S_IFREG|0640, st_size=9, ...}) = 0
TID   close(3)                          = 0
TID   close(3)                          = -1 EBADF (Bad file descriptor)
TID   uname({sysname="Linux", nodename=HOST, ...}) = 0
TID   mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = ADDR
TID   mprotect(ADDR, 4096, PROT_READ) = 0
TID   munmap(ADDR, 8192)      = 0
TID   pipe2([3, 4], O_NONBLOCK)         = 0
TID   read(3, ADDR, 16)       = -1 EAGAIN (Resource temporarily unavailable)
TID   nanosleep({tv_sec=0, tv_nsec=1000000}, NULL) = 0
TID   rt_sigprocmask(SIG_UNBLOCK, [RT_1 RT_2], NULL, 8) = 0
TID   rt_sigaction(SIGUSR1, {sa_handler=ADDR, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=ADDR}, NULL, 8) = 0
TID   getpid()                          = TID
TID   kill(TID, SIGUSR1)              = 0
TID   --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=TID, si_uid=0} ---
TID   rt_sigreturn({mask=[]})           = 0
TID   exit_group(3)                     = ?
TID   +++ exited with 3 +++
"""

# build/progs/segv: a write through NULL after one line of stdio.
TRACE_SEGV = r"""
TID   arch_prctl(ARCH_SET_FS, ADDR) = 0
TID   set_tid_address(ADDR)         = TID
TID   ioctl(1, TIOCGWINSZ, ADDR) = -1 ENOTTY (Inappropriate ioctl for device)
TID   writev(1, [{iov_base="before fault", iov_len=12}, {iov_base="\n", iov_len=1}], 2) = 13
TID   --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---
TID   +++ killed by SIGSEGV +++
"""


def mask(text):
    """The masks of the module's docstring, on one transcript."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\d+ +", "TID   ", line)
        line = re.sub(r"0x[0-9a-f]{5,}", "ADDR", line)
        line = re.sub(r"nodename=\"[^\"]*\"", "nodename=HOST", line)
        line = re.sub(r"(getpid\(\) +|set_tid_address\(ADDR\) +)= \d+", r"\1= TID", line)
        line = re.sub(r"(kill\(|si_pid=)\d+", r"\1TID", line)
        # strace pads to column 40 counting the real id: padding is not compared
        out.append(re.sub(r" +(= )", r" \1", line))
    return "\n".join(out)


def expected(transcript):
    return mask(transcript.strip("\n"))


def trace_of(path):
    with open(path) as f:
        return mask(f.read().rstrip("\n"))


def test_trace_matches_strace(tmp_path):
    """The whole trace, to a file, against strace's transcript."""
    out = tmp_path / "trace.txt"
    r = run("trace_calls", options=["--trace-file", str(out)])
    assert r.status == 3, r.describe()
    assert r.stdout == b"trace me\n", r.describe()
    assert "write(" not in r.stderr.decode(), "the trace went to stderr too\n" + r.describe()
    assert trace_of(out) == expected(TRACE_CALLS)


def test_trace_to_stderr_and_fatal_signal():
    """Without a file the lines go to standard error, after the program's
    own; a fault shows its siginfo and the end names the signal."""
    r = run("segv", options=["--trace"])
    assert r.status == 139, r.describe()
    assert r.stdout == b"before fault\n", r.describe()
    trace = [l for l in lines(r.stderr) if not l.startswith("amphi: ")]
    assert mask("\n".join(trace)) == expected(TRACE_SEGV)


def test_trace_chosen_calls(tmp_path):
    """--trace=CALL,...: those calls and no others; signals and the end
    still show."""
    out = tmp_path / "trace.txt"
    r = run("trace_calls", options=["--trace=close,openat,kill", "--trace-file", str(out)])
    assert r.status == 3, r.describe()
    want = [l for l in expected(TRACE_CALLS).splitlines()
            if re.match(r"TID   (close|openat|kill)\(|TID   (---|\+\+\+)", l)]
    assert trace_of(out).splitlines() == want


def test_trace_off_prints_nothing():
    r = run("trace_calls")
    assert r.status == 3, r.describe()
    assert r.stderr == b"", r.describe()


@pytest.mark.parametrize("option, words", [
    (["--trace=nosuchcall"], ["nosuchcall", "system call"]),
    (["--trace="], ["--trace"]),
    (["--trace=read,,write"], ["--trace"]),
    (["--trace-file", "/no/such/dir/trace.txt"], ["/no/such/dir/trace.txt"]),
    (["--trace-file"], ["--trace-file", "needs a value"]),
])
def test_trace_bad_usage(option, words):
    """One line and status 2, before anything boots."""
    argv = amphi_argv("hello", options=option)
    if option[-1] == "--trace-file":
        argv = argv[:-1]  # the option's value missing at the end of the line
    refused(argv, *words, prefix="amphi: run: ")


def test_trace_of_hostile_arguments(tmp_path):
    """tests/progs/trace_hostile: strings with no NUL before unmapped
    memory, lengths and counts far past what is mapped, pointers to
    nothing, and newlines in a socket's path and the host name meant to
    forge a line of the trace.  The kernel lives on, every call stays on
    its own line, and the program's bytes are escaped as strace escapes
    them.  Checked to fail on main: the path and the host name went out
    raw, giving a line "4242  forged(...) = 0" no call made."""
    out = tmp_path / "trace.txt"
    r = run("trace_hostile", options=["--trace-file", str(out)])
    assert (r.status, r.stdout) == (0, b"done\n"), r.describe()
    trace = out.read_text().splitlines()
    call = re.compile(r"\d+ +(\w+\(.*\) += .*|--- .* ---|\+\+\+ .* \+\+\+)$")
    assert [l for l in trace if not call.match(l)] == []
    forged = r'"/tmp/x\n4242  forged(\"line\") = 0\n"'
    assert any(("bind(5, {sa_family=AF_UNIX, sun_path=%s}, 110) " % forged) in l for l in trace)
    assert any('nodename="host\\n4242  forged(\\"line\\") = 0\\n"' in l for l in trace)
    assert any(re.search(r"openat\(AT_FDCWD, 0x[0-9a-f]+, O_RDONLY\) += -1 EFAULT", l)
               for l in trace)
