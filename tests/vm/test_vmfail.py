"""When the VM itself fails, amphi says so and exits 125.

The kernel fails on purpose when its command line has "amphi.crash=panic",
"=fault", "=stack" or "=idle-stack" (a test hook in kernel/init/main.c); the
test gets the command line there with a wrapper given to `amphi run --qemu`
that adds `-append`.  A "QEMU" that exits at once stands for a VM that
dies."""

import pytest

from conftest import qemu_wrapper, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("machine", ["pc", "microvm"])
@pytest.mark.parametrize("how", ["panic", "fault"])
def test_kernel_failure_is_reported(tmp_path, machine, how):
    q = qemu_wrapper(tmp_path, "amphi.crash=%s" % how)
    r = run("hello", machine=machine, options=["--qemu", q])
    assert r.status == 125, r.describe()
    assert r.stdout == b"", r.describe()
    assert b"kernel panic" in r.stderr.lower(), r.describe()


@pytest.mark.parametrize("how", ["stack", "idle-stack"])
def test_kernel_stack_overflow_is_reported(tmp_path, how):
    """A recursion without end on a kernel thread's stack, or on CPU 0's own
    (the boot stack it idles on), runs into the guard page below it: the
    double fault that follows reports the overflow and where it came from,
    instead of the stack silently writing over the memory below."""
    q = qemu_wrapper(tmp_path, "amphi.crash=%s" % how)
    r = run("hello", options=["--qemu", q])
    assert r.status == 125, r.describe()
    assert r.stdout == b"", r.describe()
    owner = b"crash" if how == "stack" else b"idle"
    assert b"kernel stack overflow on CPU " in r.stderr, r.describe()
    assert b"guard page below the %s stack" % owner in r.stderr, r.describe()
    assert b"] crash_recurse" in r.stderr, r.describe()
    assert b"kernel panic: kernel stack overflow" in r.stderr, r.describe()


def test_vm_that_dies_is_reported(tmp_path):
    q = qemu_wrapper(tmp_path, body="echo 'pretend QEMU failed' >&2; exit 1")
    r = run("hello", options=["--qemu", q])
    assert r.status == 125, r.describe()
    assert r.stdout == b"", r.describe()
    assert r.stderr.strip(), "no message about the failed VM\n" + r.describe()
