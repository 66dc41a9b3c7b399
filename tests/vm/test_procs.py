"""Processes: fork and copy-on-write, vfork, wait, SIGCHLD, groups and
sessions (proc_fork); execve of every kind and its errors (proc_exec);
user and group ids, PR_SET_DUMPABLE, O_ASYNC and F_SETOWN (proc_ids);
POSIX timers (ptimers);
file mappings private and shared, across fork, and shared futexes in
them (proc_mmap) -- each against
Linux's transcript (proc_expected.py); a fork bomb ending in EAGAIN
(proc_bomb); static-pie and dynamic programs started from a shell in the
guest; Debian's dynamically linked programs as the program itself; and a
busybox shell script (pipelines, command substitution, subshells,
background jobs and wait, xargs, find -exec) whose output must equal the
same script's on the host."""

import os
import shutil
import subprocess

import pytest

import proc_expected
from conftest import PROGS, ROOT, amphi_argv, expect, run
from ptys import typed_at

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.parametrize("smp", [1, 2])
def test_fork_wait_and_signals(smp):
    expect(run("proc_fork", smp=smp), proc_expected.PROC_FORK)


# /proc/PID/stat's state and /proc/PID/status's, as ps reads them: a
# process waiting (here in nanosleep) is S, the reader itself R (all were
# R before).  The host's /proc gives the same lines.
STATES = ('sleep 5 & sleep 1; cut -d" " -f3 /proc/$!/stat; grep State /proc/$!/status; '
          'cut -d" " -f3 /proc/self/stat; kill $!')


@pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="busybox-static is not installed")
def test_proc_state_of_a_sleeping_process():
    expect(run(BUSYBOX, "sh", "-c", STATES, env=["PATH=/bin"]),
           "S\nState:\tS (sleeping)\nR\n")


def test_exec():
    expect(run("proc_exec", "/tmp"), proc_expected.PROC_EXEC)


@pytest.mark.parametrize("smp", [1, 2])
def test_posix_timers(smp):
    expect(run("ptimers", smp=smp), proc_expected.PTIMERS)


def test_ids_dumpable_and_async_flags():
    expect(run("proc_ids"), proc_expected.PROC_IDS)


@pytest.mark.parametrize("smp", [1, 2])
def test_file_mappings(smp):
    expect(run("proc_mmap", "/tmp", smp=smp), proc_expected.PROC_MMAP)


BOMB = ("fork failed with EAGAIN\nafter more than 64 processes: yes\n"
        "every one killed and reaped: yes\nfork works again: yes\nproc_bomb ok\n")


@pytest.mark.parametrize("mem", [None, "16M"])
def test_fork_bomb_ends_with_eagain(mem):
    """The process limit comes before memory runs out, however little the
    VM has: EAGAIN, never a hang, ENOMEM or a panic."""
    expect(run("proc_bomb", mem=mem), BOMB)


def test_out_of_memory_kills_the_largest_process():
    """proc_oom: B runs out of memory while A holds more; A is killed and
    named on stderr, B goes on until it is the largest and is killed too;
    their parent, small, is untouched.  (Not compared with a host run: it
    would take the host's memory.)"""
    r = run("proc_oom", mem="64M")
    want = "A (pid 2): killed by 9\nB (pid 3): killed by 9\nproc_oom ok\n"
    assert (r.status, r.stdout.decode()) == (0, want), r.describe()
    lines = [l for l in r.stderr.decode().splitlines() if "out of memory" in l]
    assert len(lines) == 2 and "killed process 2 (proc_oom)" in lines[0] and \
        "killed process 3 (proc_oom)" in lines[1], r.describe()


def test_exec_of_static_pie_and_dynamic_programs(tmp_path):
    """A shell in the guest runs a static, a static-pie and a dynamically
    linked (musl) program; amphi brings the last one's loader with it."""
    for name in ("hello", "hello-pie", "hello-dyn"):
        shutil.copy(os.path.join(ROOT, PROGS, name), str(tmp_path / name))
    r = run(BUSYBOX, "sh", "-c", "/t/hello; /t/hello-pie; /t/hello-dyn; echo $?",
            options=["--files", "%s:/t" % tmp_path])
    assert (r.status, r.stdout) == (0, b"hello from amphi\n" * 3 + b"0\n"), r.describe()


def test_dynamic_program_as_the_program():
    r = run("hello-dyn")
    assert (r.status, r.stdout) == (0, b"hello from amphi\n"), r.describe()


def test_debian_dynamic_programs():
    """Debian's glibc programs, unmodified: env starting env again (a
    dynamic exec in the guest), and bash with a substitution and a pipe."""
    r = run("/usr/bin/env", "-i", "A=1", "/usr/bin/env")
    assert (r.status, r.stdout) == (0, b"A=1\n"), r.describe()
    script = 'x=$(echo a b | (read p q; echo $q$p)); echo "$x"; (exit 3); echo $?'
    host = subprocess.run(["/bin/bash", "-c", script], capture_output=True)
    r = run("/bin/bash", "-c", script)
    assert (r.status, r.stdout) == (host.returncode, host.stdout), r.describe()


@pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="busybox-static is not installed")
@pytest.mark.parametrize("smp", [1, 2])
def test_busybox_shell_script_as_on_the_host(smp, tmp_path):
    script = os.path.join(HERE, "data", "shell_processes.sh")
    shutil.copy(script, str(tmp_path / "s.sh"))
    host = subprocess.run([BUSYBOX, "sh", script], capture_output=True, cwd="/")
    assert host.returncode == 0 and host.stdout, host
    r = run(BUSYBOX, "sh", "/s/s.sh", smp=smp, options=["--files", "%s:/s" % tmp_path])
    assert (r.status, r.stdout.decode()) == (0, host.stdout.decode()), r.describe()


@pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="busybox-static is not installed")
def test_busybox_job_control_as_on_the_host(tmp_path):
    """A shell stops and continues a background job (kill -STOP/-CONT),
    sees it stopped in /proc, and ends it with TERM (held until CONT) and
    KILL: tests/vm/data/shell_jobctl.sh, the same output as on the host."""
    script = os.path.join(HERE, "data", "shell_jobctl.sh")
    shutil.copy(script, str(tmp_path / "s.sh"))
    host = subprocess.run([BUSYBOX, "sh", script], capture_output=True, cwd="/")
    assert host.returncode == 0 and host.stdout, host
    r = run(BUSYBOX, "sh", "/s/s.sh", options=["--files", "%s:/s" % tmp_path])
    assert (r.status, r.stdout.decode()) == (0, host.stdout.decode()), r.describe()


@pytest.mark.parametrize("smp", [1, 2])
def test_job_control(smp):
    """Stop signals stop every thread, SIGCONT continues, and wait4,
    waitid and SIGCHLD report both, against Linux's transcript."""
    expect(run("proc_jobctl", smp=smp), proc_expected.PROC_JOBCTL)


def test_terminal_job_control():
    """amphi on a terminal: the console is the controlling terminal, whose
    foreground group tcsetpgrp moves; background reads and tcsetpgrp stop
    their group (SIGTTIN, SIGTTOU) or fail or pass as Linux's rules say,
    against Linux's transcript (tty_jobctl run natively the same way)."""
    out, status = typed_at(amphi_argv("tty_jobctl"))
    assert (status, out) == (0, proc_expected.TTY_JOBCTL), out
