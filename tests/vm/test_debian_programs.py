"""Debian's own dynamically linked programs, unmodified, their output
compared with the same command's on the host: python3 running a script
that imports C and Python modules, starts threads, subprocesses (python
again, a shell) and a multiprocessing pool of two, and keeps a sqlite3
database in a file.  The interpreter's standard library comes in with
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
