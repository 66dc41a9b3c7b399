"""Debian's own dynamically linked programs, unmodified, their output
compared with the same command's on the host: python3 running a script
that imports C and Python modules, starts threads, subprocesses (python
again, a shell) and a multiprocessing pool of two, and keeps a sqlite3
database in a file; bash running a script of pipelines, substitutions,
jobs and traps over Debian's coreutils, find, grep, sed and mawk; nginx
with a master and two workers serving curl and wrk.  The
interpreter's standard library comes in with
--files; amphi brings the program's loader and libraries, and those of
the extension modules in the tree."""

import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import run
from netvm import Guest, free_port, http_ready

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


NGINX = "/usr/sbin/nginx"
NGINX_CONF = """user root;
worker_processes 2;
daemon off;
master_process on;
pid /tmp/nginx.pid;
error_log stderr notice;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path /tmp/nginx-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    server {
        listen 8080;
        root /ng/www;
    }
}
"""


@pytest.mark.skipif(not os.path.exists(NGINX) or not shutil.which("wrk"),
                    reason="needs Debian's nginx and wrk")
def test_nginx_master_and_two_workers(tmp_path):
    """Debian's nginx as it ships: a master that forks two workers (each
    setting its ids, groups and dumpability), which serve --files files to
    curl and to wrk; SIGTERM makes the master stop both and end with 0."""
    www = tmp_path / "www"
    www.mkdir()
    files = {"index.html": b"hello from nginx in amphi\n", "big.bin": os.urandom(300000)}
    for name, data in files.items():
        (www / name).write_bytes(data)
    (tmp_path / "nginx.conf").write_text(NGINX_CONF)
    hp = free_port()
    with Guest(NGINX, "-c", "/ng/nginx.conf",
               options=["-p", "%d:8080" % hp, "--files", "%s:/ng" % tmp_path]) as g:
        url = "http://127.0.0.1:%d" % hp
        try:
            code, _, body = http_ready("127.0.0.1", hp, timeout=60)
        except Exception as e:
            raise AssertionError("nginx never answered: %s\n%s" % (e, g.describe()))
        assert (code, body) == (200, files["index.html"]), g.describe()
        for name, data in files.items():
            r = subprocess.run(["curl", "-sS", "--max-time", "20", url + "/" + name],
                               capture_output=True)
            assert (r.returncode, r.stdout) == (0, data), g.describe()
        r = subprocess.run(["curl", "-s", "--max-time", "20", "-o", "/dev/null", "-w",
                            "%{http_code}", url + "/nothing"], capture_output=True)
        assert r.stdout == b"404", g.describe()
        w = subprocess.run(["wrk", "-t2", "-c8", "-d3s", url + "/"], capture_output=True,
                           timeout=60)
        out = w.stdout.decode()
        assert w.returncode == 0 and " requests in " in out, out
        assert "Non-2xx" not in out and "Socket errors" not in out, out + g.describe()
        assert g.stop() == 0, g.describe()
    log = g.err.decode("utf-8", "replace")
    assert len(re.findall(r"start worker process \d+\n", log)) == 2, log
    assert log.count("exited with code 0") == 2, log
    assert "[alert]" not in log and "[emerg]" not in log, log
