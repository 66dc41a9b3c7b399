"""A netlink socket's limits against a hostile program
(tests/progs/netlink_limits.c).

Before, SO_RCVBUF or SO_SNDBUF of a negative value gave a user a 2 GiB
buffer (Linux caps it as INT_MAX, at twice rmem_max), so acks never read
queued without bound; SO_RCVBUFFORCE of -1 did the same for root (Linux
gives the minimum); NETLINK_LIST_MEMBERSHIPS said 8 bytes of groups on a
socket that never had any (Linux: 0); and a root program's message to a
port and a group that port is in arrived there twice (Linux's broadcast
leaves out the destination port, which gets the unicast).  poll left
out POLLWRBAND, which Linux's datagram_poll gives with POLLOUT.  An
error ack that memory could not hold (a 100 MiB request echoed whole)
was dropped without a word, where Linux's netlink_ack says ENOBUFS."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

AS_USER = ["--user", "65534:65534"]

# Linux 6.18's lines for `bufs`, as uid 65534.
BUFS = ("rcvbuf -1: 0, same as INT_MAX 1\n"
        "sndbuf -1: 0, same as INT_MAX 1\n"
        "sndbuf -2147483648: 0, same as INT_MAX 1\n"
        "list memberships fresh: 0 len 0 0x0\n"
        "list memberships bound without groups: 0 len 0 0x0\n"
        "list memberships after add and drop: 0 len 8 0x0\n"
        "poll every event: 1 revents 0x304\n")


def test_buffer_sizes_match_linux():
    expect(run("netlink_limits", "bufs", options=AS_USER), BUFS)


def test_forced_negative_buffers_are_the_minimum():
    """Linux's SOCK_MIN_RCVBUF and SOCK_MIN_SNDBUF (sock_setsockopt takes
    max(val, 0) for the FORCE options)."""
    expect(run("netlink_limits", "force"), "rcvbufforce -1: 0 now 2304\n"
                                           "sndbufforce -1: 0 now 4608\n")


def test_acks_never_read_stay_bounded():
    expect(run("netlink_limits", "flood", options=AS_USER), "flood: acks queued bounded 1\n")


def test_unicast_to_a_group_member_arrives_once():
    expect(run("netlink_limits", "unicast"), "unicast to a member: 16 copies 1\n")


def test_an_error_too_big_to_echo_says_enobufs():
    """256 MiB holds the request's copy but not a second one for the echo."""
    expect(run("netlink_limits", "bigerror", mem="256M"), "bigerror: sent all 1, then ENOBUFS\n")
