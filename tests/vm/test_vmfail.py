"""When the VM itself fails, amphi says so and exits 125.

The kernel fails on purpose when its command line has "amphi.crash=panic"
or "amphi.crash=fault" (a test hook in kernel/init/main.c); the test gets the
command line there with a wrapper given to `amphi run --qemu` that adds
`-append`.  A "QEMU" that exits at once stands for a VM that dies."""

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


def test_vm_that_dies_is_reported(tmp_path):
    q = qemu_wrapper(tmp_path, body="echo 'pretend QEMU failed' >&2; exit 1")
    r = run("hello", options=["--qemu", q])
    assert r.status == 125, r.describe()
    assert r.stdout == b"", r.describe()
    assert r.stderr.strip(), "no message about the failed VM\n" + r.describe()
