"""One bulk TCP stream each way through net_stream (the benchmark's stream
rows): every byte of a download compared, an upload's count confirmed by
the guest, over slirp and over a multiqueue tap (where what the guest
sends leaves in frames the device segments)."""

import pytest

from conftest import amphi_argv, free_port, network_namespace
from netvm import Guest, check_stopped, stream_download, stream_in_namespace, stream_upload

pytestmark = pytest.mark.usefixtures("amphi_works")

SIZE = 32 << 20


@pytest.mark.parametrize("smp", [1, 2])
def test_stream_over_slirp(smp):
    hp = free_port()
    with Guest("net_stream", 5001, smp=smp, mem="128M", options=["-p", "%d:5001" % hp]) as g:
        g.wait_for(b"listening")
        assert stream_download("127.0.0.1", hp, SIZE) == SIZE, g.describe()
        assert stream_upload("127.0.0.1", hp, SIZE) == SIZE, g.describe()
        check_stopped(g)


@pytest.mark.parametrize("smp", [1, 2])
def test_stream_over_tap(smp):
    """Root."""
    with network_namespace("stream", multi_queue=True) as ns:
        argv = amphi_argv("net_stream", 5001, smp=smp, mem="128M",
                          options=["--net", "tap=tap0", "--ip", "192.168.79.2/24"])
        with Guest(None, argv=argv, prefix=["ip", "netns", "exec", ns]) as g:
            g.wait_for(b"listening")
            r = stream_in_namespace(ns, "192.168.79.2", 5001, SIZE)
            assert r.returncode == 0, r.stderr.decode()[-2000:] + g.describe()
            assert r.stdout.split() == [b"%d" % SIZE] * 2, r.stdout
            check_stopped(g)

