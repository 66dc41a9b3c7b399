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


def least_memory():
    """The least -m amphi takes for hello, from its refusal of 1M."""
    r = run("hello", mem="1M")
    least = re.search(rb"give at least (\d+)K\n$", r.stderr)
    assert r.status == 2 and r.stdout == b"" and least, r.describe()
    return int(least.group(1))


@pytest.mark.parametrize("machine", ["pc", "q35", "microvm"])
def test_hello_in_least_memory(machine):
    """The least -m amphi takes (the kernel's image and 384K: docs/amphi.md)
    runs hello on every machine; 4K less is refused before booting.  It
    was 2880K while the kernel kept all RAM below 1 MiB to itself."""
    least = least_memory()
    assert least < 2880, "the least -m grew to %dK" % least
    r = run("hello", mem="%dK" % least, machine=machine, smp=1)
    assert (r.status, r.stdout, r.stderr) == (0, HELLO, b""), r.describe()
    r = run("hello", mem="%dK" % (least - 4), machine=machine, smp=1)
    assert r.status == 2 and b"give at least %dK" % least in r.stderr, r.describe()


@pytest.mark.parametrize("machine,smp", [("pc", 8), ("q35", 32)])
def test_too_little_memory_for_the_cpus_is_reported(machine, smp):
    """At the least -m, more CPUs need more than there is: those that would
    leave too little for the program stay offline, and hello runs on the
    others (q35 with 32 CPUs panicked mapping PCI's configuration space,
    8 CPUs ended in out of memory)."""
    r = run("hello", mem="%dK" % least_memory(), machine=machine, smp=smp, verbose=True)
    assert (r.status, r.stdout) == (0, HELLO), r.describe()
    assert re.search(rb"smp: \d+ of %d CPUs left offline: too little memory" % smp,
                     r.stderr), r.describe()


@pytest.mark.parametrize("machine", ["pc", "microvm"])
def test_too_little_memory_for_the_nic_is_reported(machine):
    """A NIC's rings take some 820K more than hello's least -m.  Short of
    that the run ends with one line naming the device, status 137, as any
    lack of memory at start; hello ran without its NIC before, and a
    network program would have found no network, with nothing said."""
    r = run("hello", mem="%dK" % least_memory(), machine=machine, options=["--net", "user"])
    assert (r.status, r.stdout) == (137, b""), r.describe()
    assert r.stderr.count(b"\n") == 1 and re.match(
        rb"amphi: out of memory starting a device \((pci \S+|virtio-mmio \S+) virtio-net\): ",
        r.stderr), r.describe()


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
