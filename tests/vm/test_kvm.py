"""The same programs under KVM, where the host has it, and the demo command
exactly as `make demo` runs it (amphi picks KVM when it can, TCG otherwise).
The rest of the suite pins TCG; these catch what only real hardware
virtualisation shows (SMEP/SMAP, MSR and SYSCALL details, timing)."""

import fcntl
import os

import pytest

from conftest import PROGS, ROOT, run, run_argv

pytestmark = pytest.mark.usefixtures("amphi_works")

KVM_GET_API_VERSION = 0xAE00
KVM_CREATE_VM = 0xAE01


def kvm_usable():
    """As amphi decides (tools/amphi/accel.c): hardware KVM (kvm_intel or
    kvm_amd, not kvm_pvm), /dev/kvm opens and creates a VM."""
    if not any(os.path.exists("/sys/module/" + m) for m in ("kvm_intel", "kvm_amd")):
        return False
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if fcntl.ioctl(fd, KVM_GET_API_VERSION, 0) != 12:
            return False
        vm = fcntl.ioctl(fd, KVM_CREATE_VM, 0)
        os.close(vm)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


needs_kvm = pytest.mark.skipif(not kvm_usable(), reason="KVM is not usable on this host")


def test_demo_command_as_make_demo_runs_it():
    r = run_argv(["build/amphi", "run", "build/examples/hello", "amphi"])
    assert r.status == 0, r.describe()
    assert r.stdout.startswith(b"Hello, amphi!\n"), r.describe()
    assert r.stderr == b"", r.describe()


# A KVM VM takes seconds to start on a nested host (most of it in the host
# kernel), so this file keeps to a few runs.
@needs_kvm
@pytest.mark.parametrize("machine", ["pc", "microvm"])
def test_hello_kvm(machine):
    r = run("hello", machine=machine, options=["--accel", "kvm"])
    assert (r.status, r.stdout, r.stderr) == (0, b"hello from amphi\n", b""), r.describe()


@needs_kvm
def test_threads_kvm():
    r = run("futex_counter", 4, 20000, 2000, smp=2, options=["--accel", "kvm"])
    assert (r.status, r.stdout, r.stderr) == (
        0, b"counter=80000 ok\npingpong=2000 ok\n", b""), r.describe()


@needs_kvm
def test_mmap_and_misc_kvm():
    r = run("mmap", mem="256M", options=["--accel", "kvm"])
    assert (r.status, r.stdout, r.stderr) == (0, b"mmap ok\n", b""), r.describe()
    exe = os.path.realpath(os.path.join(ROOT, PROGS, "misc"))
    r = run("misc", exe, options=["--accel", "kvm"])
    assert r.status == 0 and r.stdout.endswith(b"misc ok\n"), r.describe()


@needs_kvm
def test_fault_kvm():
    r = run("segv", options=["--accel", "kvm"])
    assert (r.status, r.stdout) == (139, b"before fault\n"), r.describe()
