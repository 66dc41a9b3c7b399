"""The e1000e driver (amphi run --nic e1000e, QEMU's Intel 82574) beside
virtio-net: the device comes up on MSI-X with its MAC and link, received
frames with a wrong TCP checksum are dropped while right ones are
answered (the device's checksum report, or the stack's own check), and
the guest still serves afterwards.  The HTTP, echo and IPv6 tests run on
both NICs too (test_net_http.py, test_net_echo.py, test_net_ipv6.py)."""

import pytest

from attackvm import target_fixture
from conftest import amphi_argv, lines, refused, run

pytestmark = pytest.mark.usefixtures("amphi_works")

target = target_fixture("nic", params=["virtio", "e1000e"])


def test_bad_checksums_dropped(target):
    target.attack("bad-checksums")
    target.check_alive("bad checksums")


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_e1000e_comes_up(machine):
    r = run("hello", machine=machine, verbose=True, options=["--nic", "e1000e", "--net", "user"])
    assert r.status == 0 and r.stdout == b"hello from amphi\n", r.describe()
    dev = [l for l in lines(r.stderr) if l.startswith("e1000e0: ")]
    assert dev and "on e1000e (82574)" in dev[0] and "msi-x" in dev[0] and "link up" in dev[0], \
        r.describe()
    assert "e1000e0: 52:54:00:12:34:56" in dev[0], "the MAC QEMU gave: " + dev[0]
    assert any(l.startswith("net: eth0 MAC 52:54:00:12:34:56 10.0.2.15/24") for l in
               lines(r.stderr)), "DHCP over the e1000e\n" + r.describe()


@pytest.mark.parametrize("options, words", [
    (["--nic", "rtl8139", "--net", "user"], ["--nic", "rtl8139"]),
    (["--nic", "e1000e", "--machine", "microvm", "--net", "user"], ["microvm"]),
    (["--nic", "e1000e"], ["--nic", "NIC"]),
    (["--nic"], ["--nic", "needs a value"]),
])
def test_nic_bad_usage(options, words):
    argv = amphi_argv("hello", options=options)
    if options == ["--nic"]:
        argv = argv[:-1]  # the option's value missing at the end of the line
    refused(argv, *words, prefix="amphi: run: ")
