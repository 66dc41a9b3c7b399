"""Debian's own dynamically linked programs, unmodified, their output
compared with the same command's on the host: python3 running a script
that imports C and Python modules, starts threads, subprocesses (python
again, a shell) and a multiprocessing pool of two, and keeps a sqlite3
database in a file; bash running a script of pipelines, substitutions,
jobs and traps over Debian's coreutils, find, grep, sed and mawk; nginx
with a master and two workers serving curl and wrk; perl, lua5.4, ruby
and gawk scripts that fork, pipe and start shells; node serving HTTP; erl
with Erlang processes and a port.  The
interpreter's standard library comes in with
--files; amphi brings the program's loader and libraries, and those of
the extension modules in the tree."""

import glob
import os
import re
import shutil
import subprocess

import pytest

from conftest import free_port, run
from netvm import Guest, http_ready

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


def shell_folder(dest):
    """busybox-static as sh and echo, for what the interpreters start."""
    os.mkdir(dest)
    shutil.copy(BUSYBOX, os.path.join(dest, "busybox"))
    for name in ("sh", "echo"):
        os.symlink("busybox", os.path.join(dest, name))


def script_as_on_the_host(tmp_path, interp, script, folders=(), mem="256M", flags=()):
    """interp (with flags) running tests/vm/data/SCRIPT in the guest, its
    library folders brought at their own paths and busybox as /bin/sh,
    against the same on the host with the same shell first in PATH; the
    guest's run."""
    shutil.copy(os.path.join(HERE, "data", script), str(tmp_path / script))
    shell_folder(str(tmp_path / "bin"))
    host = subprocess.run([interp, *flags, str(tmp_path / script)], capture_output=True, cwd="/",
                          env={"PATH": str(tmp_path / "bin"), "HOME": "/"})
    assert host.returncode == 0 and host.stdout, host
    options = ["--files", "%s:/t" % tmp_path, "--files", "%s:/bin" % (tmp_path / "bin")]
    for f in folders:
        options += ["--files", "%s:%s" % (f, f)]
    r = run(interp, *flags, "/t/" + script, mem=mem, env=["PATH=/bin"], options=options)
    assert (r.status, r.stdout.decode()) == (0, host.stdout.decode()), r.describe()
    return r


PERL = "/usr/bin/perl"
PERL_BASE = "/usr/lib/x86_64-linux-gnu/perl-base"


@pytest.mark.skipif(not os.path.exists(PERL) or not os.path.isdir(PERL_BASE)
                    or not os.path.exists(BUSYBOX), reason="needs Debian's perl and busybox")
def test_perl_as_on_the_host(tmp_path):
    """Debian's perl: fork and waitpid, backticks, pipes both ways, system,
    three workers writing into one pipe, alarm with a handler, a file."""
    r = script_as_on_the_host(tmp_path, PERL, "perl_processes.pl", [PERL_BASE])
    assert r.stderr == b"", r.describe()


LUA = "/usr/bin/lua5.4"


@pytest.mark.skipif(not os.path.exists(LUA) or not os.path.exists(BUSYBOX),
                    reason="needs Debian's lua5.4 and busybox")
def test_lua_as_on_the_host(tmp_path):
    """Debian's lua5.4: io.popen and os.execute (a shell each), a file."""
    r = script_as_on_the_host(tmp_path, LUA, "lua_processes.lua")
    assert r.stderr == b"", r.describe()


GAWK = "/usr/bin/gawk"


@pytest.mark.skipif(not os.path.exists(GAWK) or not os.path.exists(BUSYBOX),
                    reason="needs Debian's gawk and busybox")
def test_gawk_as_on_the_host(tmp_path):
    """Debian's gawk: a command read through a pipe, one written to, system,
    a two-way coprocess (|&), asort, gensub, strftime."""
    r = script_as_on_the_host(tmp_path, GAWK, "gawk_processes.awk", flags=["-f"])
    assert r.stderr == b"", r.describe()


RUBY = "/usr/bin/ruby"
RUBY_LIBS = sorted(glob.glob("/usr/lib/ruby/[0-9]*") + glob.glob("/usr/lib/x86_64-linux-gnu/ruby/[0-9]*"))


@pytest.mark.skipif(not os.path.exists(RUBY) or len(RUBY_LIBS) < 2 or not os.path.exists(BUSYBOX),
                    reason="needs Debian's ruby and busybox")
def test_ruby_as_on_the_host(tmp_path):
    """Debian's ruby: fork with a block, Process.wait, backticks, three
    workers writing into one pipe, a thread, system; its timer thread's
    POSIX timer (SIGEV_THREAD_ID)."""
    r = script_as_on_the_host(tmp_path, RUBY, "ruby_processes.rb", RUBY_LIBS, mem="512M")
    assert r.stderr == b"", r.describe()	# ruby warns when timer_create fails


NODE = "/usr/bin/node"


@pytest.mark.skipif(not os.path.exists(NODE) or not os.path.exists(BUSYBOX),
                    reason="needs node and busybox")
def test_node_http_server(tmp_path):
    """node (dynamic, libstdc++) serving HTTP through -p: a page after a
    timer, JSON holding what execSync's child printed, and the output and
    status of a child it spawns per request."""
    shutil.copy(os.path.join(HERE, "data", "node_server.js"), str(tmp_path / "s.js"))
    shell_folder(str(tmp_path / "bin"))
    hp = free_port()
    with Guest(NODE, "/t/s.js", mem="512M",
               options=["-p", "%d:8080" % hp, "-e", "PATH=/bin", "--files", "%s:/t" % tmp_path,
                        "--files", "%s:/bin" % (tmp_path / "bin")]) as g:
        g.wait_for(b"listening", timeout=120)
        url = "http://127.0.0.1:%d" % hp
        want = {"/": b"hello from node\n",
                "/json": b'{"child":"from a child process","count":2,"sum":6}\n',
                "/spawn": b"spawned\nexit 7\n"}
        for path, body in want.items():
            r = subprocess.run(["curl", "-sS", "--max-time", "30", url + path],
                               capture_output=True)
            assert (r.returncode, r.stdout) == (0, body), g.describe()


ERL_ROOT = "/usr/lib/erlang"
ERL_EVAL = ('P = self(), [spawn(fun() -> P ! {N, N * N} end) || N <- lists:seq(1, 5)], '
            'R = lists:sort([receive X -> X end || _ <- lists:seq(1, 5)]), '
            'io:format("~p~n~s", [R, os:cmd("echo from a port")]), halt().')


@pytest.mark.skipif(not os.path.exists(ERL_ROOT + "/bin/erl") or not os.path.exists(BUSYBOX),
                    reason="needs Debian's erlang-base and busybox")
def test_erlang_as_on_the_host(tmp_path):
    """Debian's erlang-base: `erl -noshell -eval` (a shell script starting
    the BEAM, whose os:cmd goes through its forked erl_child_setup) with
    five Erlang processes and a port, as on the host."""
    shell_folder(str(tmp_path / "bin"))
    for name in ("dirname", "sed", "basename"):
        os.symlink("busybox", str(tmp_path / "bin" / name))
    erl = ERL_ROOT + "/bin/erl"
    host = subprocess.run([BUSYBOX, "sh", erl, "-noshell", "-eval", ERL_EVAL], capture_output=True,
                          env={"PATH": str(tmp_path / "bin"), "HOME": "/"})
    assert host.returncode == 0 and host.stdout, host
    r = run(BUSYBOX, "sh", erl, "-noshell", "-eval", ERL_EVAL, env=["PATH=/bin"], mem="256M",
            options=["--files", "%s:/bin" % (tmp_path / "bin"),
                     "--files", "%s:%s" % (ERL_ROOT, ERL_ROOT)])
    assert (r.status, r.stdout, r.stderr) == (0, host.stdout, b""), r.describe()


JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"


@pytest.mark.skipif(not os.path.exists(JAVA_HOME + "/bin/javac") or not os.path.exists(BUSYBOX),
                    reason="needs Debian's openjdk-17 (jre-headless and jdk) and busybox")
def test_java_as_on_the_host(tmp_path):
    """Debian's OpenJDK 17 (its whole tree brought, 1 GiB): a class compiled
    on the host running a pool of four threads, a TreeMap and a child
    process through ProcessBuilder (jspawnhelper), as on the host."""
    shutil.copy(os.path.join(HERE, "data", "JavaProcesses.java"), str(tmp_path))
    subprocess.run([JAVA_HOME + "/bin/javac", str(tmp_path / "JavaProcesses.java")], check=True)
    shell_folder(str(tmp_path / "bin"))
    java = JAVA_HOME + "/bin/java"
    host = subprocess.run([java, "-cp", str(tmp_path), "JavaProcesses"], capture_output=True,
                          env={"PATH": str(tmp_path / "bin"), "HOME": "/"})
    assert host.returncode == 0 and host.stdout, host
    r = run(java, "-cp", "/t", "JavaProcesses", env=["PATH=/bin"], mem="1G",
            options=["--files", "%s:/t" % tmp_path, "--files", "%s:/bin" % (tmp_path / "bin"),
                     "--files", "%s:%s" % (JAVA_HOME, JAVA_HOME)])
    assert (r.status, r.stdout, r.stderr) == (0, host.stdout, b""), r.describe()
