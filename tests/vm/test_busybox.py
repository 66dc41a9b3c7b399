"""A real program nobody here wrote: Debian's busybox-static (static glibc,
PT_TLS), unmodified.  Only applets that need no files, since amphi's first
version has none."""

import hashlib
import os

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"


@pytest.fixture(autouse=True)
def busybox_installed():
    if not os.path.isfile(BUSYBOX):
        pytest.fail("%s is missing (Debian's busybox-static; `make deps`)" % BUSYBOX,
                    pytrace=False)


def test_echo():
    r = run(BUSYBOX, "echo", "hello", "world")
    assert (r.status, r.stdout, r.stderr) == (0, b"hello world\n", b""), r.describe()


def test_shell_arithmetic_and_exit_status():
    r = run(BUSYBOX, "sh", "-c", "echo $((6 * 7)); exit 3")
    assert (r.status, r.stdout, r.stderr) == (3, b"42\n", b""), r.describe()


def test_false():
    r = run(BUSYBOX, "false")
    assert (r.status, r.stdout) == (1, b""), r.describe()


def test_sort_stdin():
    words = [("w%05d" % ((i * 7919) % 10007)).encode() for i in range(3000)]
    r = run(BUSYBOX, "sort", stdin=b"\n".join(words) + b"\n")
    assert (r.status, r.stderr) == (0, b""), r.describe()
    assert r.stdout == b"\n".join(sorted(words)) + b"\n", r.describe()


def test_md5sum_of_stdin():
    data = os.urandom(64 * 1024)
    r = run(BUSYBOX, "md5sum", stdin=data)
    want = ("%s  -\n" % hashlib.md5(data).hexdigest()).encode()
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()


def test_uname():
    r = run(BUSYBOX, "uname", "-sm")
    assert (r.status, r.stdout) == (0, b"Linux x86_64\n"), r.describe()
