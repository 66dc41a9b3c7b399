"""Debian's own dynamically linked programs, unmodified, their output
compared with the same command's on the host: python3 running a script
that imports C and Python modules, starts threads, subprocesses (python
again, a shell) and a multiprocessing pool of two, and keeps a sqlite3
database in a file; bash running a script of pipelines, substitutions,
jobs and traps over Debian's coreutils, find, grep, sed and mawk.  The
interpreter's standard library comes in with
--files; amphi brings the program's loader and libraries, and those of
the extension modules in the tree."""

import glob
import os
import shutil
import subprocess

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
STDLIB = sorted(glob.glob("/usr/lib/python3.[0-9]*"))
BUSYBOX = "/bin/busybox"


@pytest.mark.skipif(not os.path.exists(PYTHON) or not STDLIB or not os.path.exists(BUSYBOX),
                    reason="needs Debian's python3 and busybox-static")
def test_python3_threads_subprocesses_sqlite_multiprocessing(tmp_path):
    lib = STDLIB[-1]
    shutil.copy(os.path.join(HERE, "data", "python_processes.py"), str(tmp_path / "p.py"))
    shutil.copy(BUSYBOX, str(tmp_path / "busybox"))
    os.symlink("busybox", str(tmp_path / "sh"))
    host = subprocess.run([PYTHON, str(tmp_path / "p.py"), "/bin/sh"], capture_output=True)
    assert host.returncode == 0, host
    r = run(PYTHON, "/app/p.py", "/app/sh", mem="512M",
            options=["--files", "%s:%s" % (lib, lib), "--files", "%s:/app" % tmp_path])
    assert (r.status, r.stdout.decode()) == (0, host.stdout.decode()), r.describe()


# Debian's programs the bash script runs, copied into one folder that is
# first in PATH on both sides (sh is dash, awk is mawk).
BASH_TOOLS = ("bash", "dash", "find", "xargs", "sort", "cat", "basename", "seq", "sed", "ls",
              "wc", "grep", "yes", "head", "tr", "cut", "pwd", "sleep", "mkdir", "rm", "mawk",
              "echo")


def tool_folder(dest):
    os.mkdir(dest)
    for name in BASH_TOOLS:
        shutil.copy(os.path.realpath(shutil.which(name)), os.path.join(dest, name))
    os.symlink("dash", os.path.join(dest, "sh"))
    os.symlink("mawk", os.path.join(dest, "awk"))


@pytest.mark.skipif(not all(shutil.which(n) for n in BASH_TOOLS),
                    reason="needs Debian's bash, dash, coreutils, findutils, grep, sed, mawk")
@pytest.mark.parametrize("smp", [1, 2])
def test_bash_and_debian_tools_as_on_the_host(smp, tmp_path):
    """Debian's bash (dynamic) running tests/vm/data/bash_processes.sh:
    pipelines with pipefail, process substitution, here strings, $(<file),
    a coprocess, background jobs with wait -n and wait, a killed job, a
    trap, bash within bash, then shell_processes.sh -- all with Debian's
    coreutils, find, xargs, grep, sed and mawk as the commands."""
    for name in ("bash_processes.sh", "shell_processes.sh"):
        shutil.copy(os.path.join(HERE, "data", name), str(tmp_path / name))
    tool_folder(str(tmp_path / "bin"))
    env = {"PATH": str(tmp_path / "bin"), "HOME": "/"}
    host = subprocess.run(["bash", str(tmp_path / "bash_processes.sh")], capture_output=True,
                          cwd="/", env=env)
    assert host.returncode == 0 and host.stdout, host
    r = run("/bin/bash", "/t/bash_processes.sh", smp=smp, mem="256M", env=["PATH=/t/bin"],
            options=["--files", "%s:/t" % tmp_path])
    assert (r.status, r.stdout.decode()) == (0, host.stdout.decode()), r.describe()
