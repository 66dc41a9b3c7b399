"""Helpers for the stress tests (tests/stress/test_*.py, a package: `from
.budget import run, repeat, short`), shared with whoever adds more: the VM
helpers of tests/vm/conftest.py, and the time budget.

`make stress` sets STRESS_MINUTES (3 by default; `make stress
STRESS_MINUTES=30` for longer) and every stress test gets an equal share of
it: `repeat()` runs a test's body again and again, a new seed each time,
until its share is spent.  Without STRESS_MINUTES (as `make test` runs
them) each body runs once, short: the same checks in seconds."""

import importlib.util
import os
import time

_VM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm")
_spec = importlib.util.spec_from_file_location("vm_conftest", os.path.join(_VM, "conftest.py"))
vm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vm)

run = vm.run
amphi_argv = vm.amphi_argv
ROOT = vm.ROOT

# Set by conftest.py once the stress tests are collected.
ntests = 1


def minutes():
    """STRESS_MINUTES, or None for the short run."""
    m = os.environ.get("STRESS_MINUTES")
    return float(m) if m else None


def short():
    return minutes() is None


def budget():
    """Seconds this test may take (0 in the short run)."""
    m = minutes()
    return 0 if m is None else m * 60 / max(ntests, 1)


def repeat(body):
    """Calls body(round) for round = 0, 1, ... until the budget is spent
    (once in the short run).  Returns how many rounds ran."""
    end = time.monotonic() + budget()
    n = 0
    while True:
        body(n)
        n += 1
        if time.monotonic() >= end:
            return n
