"""The small system calls runtimes make at start-up."""

import os
import re

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


@pytest.mark.parametrize("machine", ["microvm", "pc"])
def test_boot_clock_agrees_with_the_long_measurement(machine):
    """The TSC's rate as boot measures it, over 1 ms of the PIT while other
    boot work runs, is within 1 % of the rate measured over a second beside
    the program (under TCG the guest's TSC runs at the host's)."""
    r = run("sleep", "1500", machine=machine, smp=1, verbose=True)
    err = r.stderr.decode("utf-8", "replace")
    boot = re.search(r"clock: TSC (\d+) MHz", err)
    refined = re.search(r"clock: TSC refined to (\d+) kHz", err)
    assert r.status == 0 and boot and refined, r.describe()
    boot_khz, refined_khz = int(boot.group(1)) * 1000, int(refined.group(1))
    assert abs(boot_khz - refined_khz) < refined_khz / 100, (boot_khz, refined_khz)
