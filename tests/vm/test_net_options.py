"""`amphi run`'s network options: bad values are refused before QEMU starts
(status 2, one line on stderr), good ones become the NIC on QEMU's command
line (shown by -v) for each machine type."""

import re
import subprocess

import pytest

from conftest import AMPHI, ROOT, run

BAD = [
    ["-p", "80"], ["-p", "0:80"], ["-p", "65536:80"], ["-p", "80:0"], ["-p", "8080:80/sctp"],
    ["-p", "1.2.3:80:80"], ["-p", "localhost:80:80"], ["-p", "[::1]:80:80"],
    ["--net", "tap"], ["--net", "tap="], ["--net", "tap=a,b"], ["--net", "bridge"],
    ["--net", "user", "--ip", "10.0.0.1"], ["--net", "user", "--ip", "10.0.0.1/33"],
    ["--net", "user", "--ip", "10.0.0.256/24"], ["--net", "user", "--gw", "10.0.2.2"],
    ["--net", "user", "--ip", "10.0.2.9/24", "--gw", "10.0.2"],
    ["--net", "user", "--dns", "dns.example"], ["--net", "user", "--ip6", "fd00::1"],
    ["--net", "user", "--ip6", "fd00:::1/64"], ["--net", "user", "--ip6", "fd00::1/129"],
    ["--ip", "10.0.2.15/24"], ["--dns", "10.0.2.3"],
    ["--net", "tap=tap0", "-p", "8080:80"], ["--net", "none", "-p", "8080:80"],
    ["--hostname", "a b"], ["--hostname", ""],
]


@pytest.mark.parametrize("opts", BAD, ids=[" ".join(b) for b in BAD])
def test_bad_network_options(opts):
    r = subprocess.run([AMPHI, "run", "--qemu", "/nonexistent/qemu"] + opts + ["build/progs/hello"],
                       cwd=ROOT, capture_output=True)
    assert r.returncode == 2, r
    assert r.stdout == b""
    assert r.stderr.startswith(b"amphi: run: ") and r.stderr.count(b"\n") == 1, r.stderr


def qemu_line(opts, machine="pc"):
    r = run("hello", machine=machine, verbose=True, options=opts)
    assert (r.status, r.stdout) == (0, b"hello from amphi\n"), r.describe()
    line = next(l for l in r.stderr.decode().splitlines() if "qemu-system" in l)
    return line.split()


@pytest.mark.usefixtures("amphi_works")
@pytest.mark.parametrize("machine,device", [("pc", "virtio-net-pci"), ("q35", "virtio-net-pci"),
                                            ("microvm", "virtio-net-device")])
def test_nic_on_each_machine(machine, device):
    argv = qemu_line(["-p", "18080:80", "-p", "0.0.0.0:18081:81/udp", "--dns", "10.0.2.3"],
                     machine)
    assert argv[argv.index("-netdev") + 1] == (
        "user,id=n0,hostfwd=tcp:127.0.0.1:18080-:80,hostfwd=udp:0.0.0.0:18081-:81")
    dev = argv[argv.index("-netdev") + 3]
    assert dev.startswith(device + ",netdev=n0"), dev


@pytest.mark.usefixtures("amphi_works")
def test_no_nic_by_default_and_forward_to_static_ip():
    assert "-netdev" not in qemu_line([])
    argv = qemu_line(["-p", "18082:80", "--ip", "10.0.2.30/24", "--gw", "10.0.2.2"])
    assert argv[argv.index("-netdev") + 1] == "user,id=n0,hostfwd=tcp:127.0.0.1:18082-10.0.2.30:80"


def test_tap_mac_is_random_and_local():
    """Two runs on one bridge must not share a MAC.  QEMU is not started
    (no such tap): only the command line matters."""
    macs = set()
    for _ in range(3):
        r = subprocess.run([AMPHI, "run", "-v", "--accel", "tcg", "--net", "tap=amphi-none0",
                            "build/progs/hello"], cwd=ROOT, capture_output=True, timeout=60)
        m = re.search(rb"tap,id=n0,ifname=amphi-none0,script=no,downscript=no,vhost=off "
                      rb"-device virtio-net-pci,netdev=n0,romfile=,mac=([0-9a-f:]{17})", r.stderr)
        assert m, r.stderr
        first = int(m.group(1)[:2], 16)
        assert first & 2 and not first & 1, m.group(1)	# locally administered, unicast
        macs.add(m.group(1))
    assert len(macs) == 3
