"""Inet sockets at the edges of their calls, as a program may push them
(net_inet_edges): the transcript must match what the same binary prints
on Linux (net_inet_expected.NET_INET_EDGES)."""

import pytest

import net_inet_expected
from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("smp", [1, 2])
def test_edges(smp):
    """SO_PROTOCOL names TCP and UDP for a socket made with protocol 0;
    IPv4 options take a one-byte value; SO_LINGER with a negative time
    lingers (amphi took it as 0 and reset the connection, losing what was
    sent); sendto port 0 is EINVAL; sendmsg cuts a name length over 128
    and recvmsg refuses a negative one; a UDP read ended by SHUT_RD writes
    no control data (amphi gave back the whole control buffer, filled
    with kernel memory); accept with no descriptor free says EMFILE and
    leaves the connection queued (amphi lost it, and the accept after a
    close waited for ever); on a stream, a recv of 0 bytes says EAGAIN
    with nothing there (amphi said 0, an end of stream), MSG_OOB finds no
    urgent data (amphi read the ordinary bytes), MSG_TRUNC drops bytes
    without a buffer, SIOCATMARK says 0; UDP over IPv4 refuses MSG_OOB;
    closing a listener resets a connection nobody accepted also when a
    poll had seen it (amphi closed that one in order: the client read an
    end of stream, and the connection sat in TIME-WAIT); a connect that
    failed may be tried again on the same socket, and succeeds once the
    server is up (amphi said ECONNABORTED for ever after); connect with
    AF_UNSPEC resets a connection or stops a listener and leaves the
    socket as new (amphi: EAFNOSUPPORT); bind takes AF_UNSPEC with the
    wildcard as AF_INET, and an AF_INET6 socket refuses another family
    with EAFNOSUPPORT (amphi: EINVAL); a recv blocked while another thread
    disconnects with AF_UNSPEC ends with EPIPE (it slept on the socket
    started again, for ever).  IPv4 then IPv6."""
    expect(run("net_inet_edges", smp=smp), net_inet_expected.NET_INET_EDGES)
