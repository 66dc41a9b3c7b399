"""Anonymous memory as allocators use it, and running out of it."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_mmap_patterns():
    r = run("mmap", mem="256M")
    assert (r.status, r.stdout, r.stderr) == (0, b"mmap ok\n", b""), r.describe()


def test_big_allocation_fits():
    r = run("bigalloc", 64, mem="256M")
    assert (r.status, r.stdout, r.stderr) == (0, b"allocated 64 MiB\n", b""), r.describe()


def test_out_of_memory_is_reported():
    r = run("bigalloc", 64, mem="32M")
    assert r.status != 0, "64 MiB fitted in a 32 MiB VM?\n" + r.describe()
    assert r.status != 125 and b"kernel panic" not in r.stderr.lower(), (
        "running out of memory must end the program, not the kernel\n" + r.describe())
    assert b"memory" in r.stderr.lower(), "no out-of-memory message\n" + r.describe()
    assert b"allocated" not in r.stdout, r.describe()
