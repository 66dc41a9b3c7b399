"""Random inet socket calls with odd arguments from three threads
(net_inet_fuzz): the kernel survives them and the program ends.  Seed 21
found a fault in connect's restart of a former listener's socket."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [1, 2])
@pytest.mark.parametrize("seed", [1, 21])
def test_fuzz(smp, seed):
    r = run("net_inet_fuzz", 30000, seed, smp=smp, mem="256M", limit=120)
    assert r.status == 0, r.describe()
    assert r.stdout.decode().endswith("fuzz done\n"), r.describe()
    assert b"panic" not in r.stderr, r.describe()
