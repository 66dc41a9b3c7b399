"""200 concurrent TCP clients, each sending 1 MiB of its own random data
to net_echo in the guest and reading it back, every byte compared."""

import resource

import pytest

from conftest import free_port
from netvm import Guest, check_stopped, echo_clients

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("nic", ["virtio", "e1000e"])
def test_200_clients_1mib_each(nic):
    """On both NICs amphi drives (amphi run --nic)."""
    hp = free_port()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    try:
        with Guest("net_echo", 7001, mem="256M", options=["--nic", nic, "-p", "%d:7001" % hp]) as g:
            g.wait_for(b"listening")
            assert echo_clients("127.0.0.1", hp, 4, 65536, timeout=30) == 4 * 65536
            try:
                total = echo_clients("127.0.0.1", hp, 200, 1 << 20, timeout=240)
            except AssertionError as e:
                raise AssertionError("%s\n%s" % (e, g.describe()))
            assert total == 200 << 20
            check_stopped(g)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
