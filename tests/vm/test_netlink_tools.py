"""iproute2 commands beyond tests/vm/test_netlink.py's, each against the
host's Linux 6.18 for the same request.

Before, `ip mroute` (a route dump of RTNL_FAMILY_IPMR) got every unicast
route and said "Non multicast route received, kernel does support IP
multicast?"; Linux answers with its multicast forwarding routes, of
which amphi has none."""
import shutil

import pytest

from conftest import run

pytestmark = [pytest.mark.usefixtures("amphi_works"),
              pytest.mark.skipif(not shutil.which("ip"), reason="needs iproute2's ip")]

IP = shutil.which("ip")
USER_NET = ["--net", "user"]


def test_ip_mroute_lists_nothing():
    r = run(IP, "mroute", options=USER_NET + ["--user", "65534:65534"])
    assert (r.status, r.stdout, r.stderr) == (0, b"", b""), r.describe()
