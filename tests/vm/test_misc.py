"""The small system calls runtimes make at start-up."""

import os

import pytest

from conftest import PROGS, ROOT, run

pytestmark = pytest.mark.usefixtures("amphi_works")

CHECKS = ["uname", "pid", "uid", "getrandom", "exe", "rlimit", "tty", "clock", "cpus",
          "sched_yield", "enosys"]


@pytest.mark.parametrize("smp", [1, 2])
def test_misc(smp):
    exe = os.path.realpath(os.path.join(ROOT, PROGS, "misc"))
    r = run("misc", exe, smp=smp)
    want = "".join("%s ok\n" % c for c in CHECKS + ["misc"]).encode()
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()
