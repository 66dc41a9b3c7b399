"""amphi run --gdb: the VM starts halted with QEMU's gdb stub, amphi prints
the one gdb command that attaches, and that command (Debian's gdb, in
batch mode) stops in a kernel function and in the program's main and
reads their variables, as docs/amphi.md's example session shows."""

import os
import shlex
import shutil
import socket
import subprocess
import time

import pytest

from conftest import ROOT, amphi_argv, free_port, refused

pytestmark = pytest.mark.usefixtures("amphi_works")

GDB_TIMEOUT = 120


def announced_command(p):
    """The gdb command amphi printed on stderr (the line after its
    announcement), read as it comes."""
    seen = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = p.stderr.readline()
        if not line:
            break
        seen += line
        if line.startswith(b"amphi: the VM waits for gdb"):
            return p.stderr.readline().decode()
    pytest.fail("amphi did not print a gdb command; stderr:\n" + seen.decode("utf-8", "replace"))


def debug_session(prog, commands, machine="pc"):
    """Runs PROG under --gdb; attaches with the command amphi printed, in
    batch mode with `commands`; returns (gdb output, amphi's status and
    stdout)."""
    if not shutil.which("gdb"):
        pytest.fail("gdb is not installed (tools/install-deps.sh installs it)", pytrace=False)
    port = free_port()
    argv = amphi_argv(prog, machine=machine, options=["--gdb=%d" % port, "--timeout", "100"])
    p = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        cmd = shlex.split(announced_command(p))
        assert cmd[:2] == ["gdb", "-q"], cmd
        gdb_argv = cmd[:2] + ["-batch", "-nx"] + cmd[2:]
        for c in commands:
            gdb_argv += ["-ex", c]
        g = subprocess.run(gdb_argv, cwd=ROOT, capture_output=True, timeout=GDB_TIMEOUT)
        out, _ = p.communicate(timeout=GDB_TIMEOUT)
        return g.stdout.decode() + g.stderr.decode(), p.returncode, out
    finally:
        if p.poll() is None:
            os.killpg(p.pid, 9)
            p.wait()


def test_kernel_and_program_breakpoints():
    """A breakpoint in the kernel's ELF loader, then in the program's main;
    a kernel variable, a global and a local of the program."""
    out, status, stdout = debug_session("gdb_target", [
        "break exec_image", "break main", "continue",
        "print ncpus", "continue", "next", "next",
        "print answer", "print doubled", "continue"])
    assert "Breakpoint 1, exec_image (" in out, out
    assert "$1 = 2" in out, out            # ncpus: the tests' VMs have 2 CPUs
    assert "Breakpoint 2, main () at tests/progs/gdb_target.c" in out, out
    assert "$2 = 21" in out and "$3 = 42" in out, out
    assert status == 0 and stdout == b"gdb target\n", (status, stdout, out)


def test_static_pie_symbols_at_their_base():
    """A static-pie runs at 0x555555554000: the printed add-symbol-file
    puts its symbols there, so main is found and its global read."""
    out, status, stdout = debug_session("gdb_target-pie", [
        "break main", "continue", "print answer", "print/x $pc", "continue"])
    assert "Breakpoint 1, main () at tests/progs/gdb_target.c" in out, out
    assert "$1 = 21" in out, out
    assert "$2 = 0x555555" in out, out
    assert status == 0 and stdout == b"gdb target\n", (status, stdout, out)


@pytest.mark.parametrize("value", ["0", "abc", "65536", "-1", ""])
def test_gdb_bad_port(value):
    refused(amphi_argv("hello", options=["--gdb=" + value]), "--gdb")


def test_gdb_port_in_use():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        refused(amphi_argv("hello", options=["--gdb=%d" % port]), "in use", str(port))
