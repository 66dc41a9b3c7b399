"""Random system calls (tests/progs/fuzz.c, and fuzz_procs.c for the process
calls, with forks) must not fault, hang or panic
the kernel: each run ends with status 0 and the same line as under Linux
(the number of calls made depends only on the seed)."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

# seed: calls made out of 4000, as the program prints natively.
SEEDS = {1: 3232, 2: 3218, 3: 3211}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_fuzz(seed):
    r = run("fuzz", seed, smp=2, limit=120)
    assert r.status != 125, "kernel panic\n" + r.describe()
    assert (r.status, r.stdout, r.stderr) == (0, b"fuzz ok %d\n" % SEEDS[seed], b""), r.describe()


def test_bad_pointer_sweep():
    """Every call with each argument in turn a bad pointer (NULL page,
    kernel, non-canonical, read-only): EFAULT or nothing, never a fault."""
    r = run("fuzz", "sweep", smp=2, limit=120)
    assert r.status != 125, "kernel panic\n" + r.describe()
    assert (r.status, r.stdout, r.stderr) == (0, b"sweep ok 26496\n", b""), r.describe()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fuzz_processes(seed):
    """Random process calls (tests/progs/fuzz_procs.c): about 800 children
    made by fork, vfork, clone and clone3 with random flags, each making
    random wait4, waitid, kill, setpgid, setsid, execve (bad pointers, and
    of itself), mmap and fork calls before a random end; all reaped."""
    r = run("fuzz_procs", seed, 200, smp=2, limit=120)
    assert r.status != 125, "kernel panic\n" + r.describe()
    assert (r.status, r.stdout, r.stderr) == (0, b"fuzz_procs ok 200\n", b""), r.describe()


@pytest.mark.parametrize("smp,seed", [(2, 1), (4, 2)])
def test_memory_calls_at_bad_ranges(smp, seed):
    """mmap (MAP_FIXED, MAP_FIXED_NOREPLACE), munmap, mprotect, mremap (both
    ranges), madvise, mlock, msync and brk aimed at kernel, non-canonical,
    straddling and wrapping ranges and at a reservation of the fuzzer's own:
    no fault, and nothing mapped or unmapped where Linux refuses."""
    r = run("fuzz", "ranges", seed, smp=smp, limit=120)
    assert r.status != 125, "kernel panic\n" + r.describe()
    assert (r.status, r.stdout, r.stderr) == (0, b"ranges ok 4000\n", b""), r.describe()


@pytest.mark.parametrize("smp,seed", [(2, 1), (4, 2)])
def test_futex_operations_from_four_threads(smp, seed):
    """Random futex operations on shared (and bad) words from 4 threads at
    once: requeues to the same word, wake-ops, waits timing out, bad
    timeouts and clocks."""
    r = run("fuzz", "futex", seed, smp=smp, limit=120)
    assert r.status != 125, "kernel panic\n" + r.describe()
    assert (r.status, r.stdout, r.stderr) == (0, b"futex ok 16000\n", b""), r.describe()
