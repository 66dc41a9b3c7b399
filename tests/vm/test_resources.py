"""CPU time accounting, clocks, sysinfo and host names (tests/progs/resources.c)."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

CHECKS = ["getrusage self and thread", "times", "process CPU clock counts every thread",
          "getrusage bad who", "clock_getres and clock_gettime for every clock",
          "unknown clock", "sysinfo", "sethostname shows in uname",
          "setdomainname shows in uname", "host name too long"]


@pytest.mark.parametrize("smp", [1, 2])
def test_resources(smp):
    r = run("resources", smp=smp)
    want = "".join("%s ok\n" % c for c in CHECKS + ["resources"]).encode()
    assert (r.status, r.stdout, r.stderr) == (0, want, b""), r.describe()
