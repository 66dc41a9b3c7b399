"""The first thing a user runs: hello, on every machine type and boot
protocol, and the friendly example program."""

import os
import re

import pytest

from conftest import PROGS, ROOT, require_static, run

HELLO = b"hello from amphi\n"


@pytest.mark.parametrize("machine", ["pc", "q35", "microvm"])
@pytest.mark.parametrize("boot", ["multiboot", "pvh"])
def test_hello_boots(machine, boot):
    r = run("hello", machine=machine, boot=boot)
    assert (r.status, r.stdout, r.stderr) == (0, HELLO, b""), r.describe()


@pytest.mark.parametrize("machine", ["pc", "q35", "microvm"])
def test_hello_default_boot(machine):
    r = run("hello", machine=machine)
    assert (r.status, r.stdout, r.stderr) == (0, HELLO, b""), r.describe()


def test_hello_static_pie():
    require_static(os.path.join(ROOT, PROGS, "hello-pie"))
    r = run("hello-pie")
    assert (r.status, r.stdout, r.stderr) == (0, HELLO, b""), r.describe()


@pytest.mark.parametrize("machine", ["pc", "q35", "microvm"])
def test_hello_in_least_memory(machine):
    """The least -m amphi accepts (2880K, measured: docs/bench.md) runs
    hello on every machine; 4K less is refused before booting."""
    r = run("hello", mem="2880K", machine=machine, smp=1)
    assert (r.status, r.stdout, r.stderr) == (0, HELLO, b""), r.describe()
    r = run("hello", mem="2640K", machine=machine, smp=1)
    assert r.status == 2 and b"2880K" in r.stderr, r.describe()


def test_too_little_memory_for_the_cpus_is_reported():
    """At the least -m, more CPUs need more than there is: the CPUs without
    memory for their stacks or idle thread stay offline, and hello runs on
    the others or ends in a clean out of memory (137) with one line, not a
    hang or a kernel fault."""
    r = run("hello", mem="2880K", smp=8)
    assert (r.status, r.stdout, r.stderr) == (0, HELLO, b"") or (
        r.status == 137 and r.stdout == b"" and r.stderr.count(b"\n") == 1
        and b"out of memory" in r.stderr), r.describe()
    assert b"kernel" not in r.stderr.lower(), r.describe()


@pytest.mark.parametrize("mem", ["3M", "4M"])
def test_too_little_memory_for_the_files_is_refused(mem):
    """busybox's 1.9 MiB initrd does not fit beside the kernel in 3M or 4M
    (it overlapped the kernel, or left it too little to boot: no status, or
    a kernel panic): refused before booting with the size that fits, in
    which busybox runs or ends in a clean out of memory."""
    r = run("/bin/busybox", "echo", "hi", mem=mem)
    assert r.status == 2 and r.stdout == b"" and r.stderr.count(b"\n") == 1, r.describe()
    least = re.search(rb"give at least (\d+K)\n$", r.stderr)
    assert least, r.describe()
    r = run("/bin/busybox", "echo", "hi", mem=least.group(1).decode())
    assert r.status in (0, 137) and b"kernel" not in r.stderr.lower(), r.describe()


def test_verbose_shows_kernel_messages_on_stderr_only():
    r = run("hello", verbose=True)
    assert (r.status, r.stdout) == (0, HELLO), r.describe()
    assert r.stderr.strip(), "-v printed no kernel messages\n" + r.describe()


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_example_hello(smp):
    r = run("build/examples/hello", "amphi", smp=smp)
    want = ("Hello, amphi!\nThis is build/examples/hello, a static Linux program, "
            "running on %d CPU%s.\n" % (smp, "" if smp == 1 else "s")).encode()
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()
