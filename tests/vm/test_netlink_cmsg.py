"""Control messages on netlink datagrams (tests/progs/netlink_cmsg.c).

Before, NETLINK_PKTINFO and SO_PASSCRED were accepted and then ignored:
no datagram carried its group or its sender's credentials.  systemd's
sd-netlink tells notifications from replies by NETLINK_PKTINFO's group,
and libnl checks SO_PASSCRED's sender is the kernel."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_kernel_replies_match_linux():
    """Linux 6.18's lines as uid 65534."""
    expect(run("netlink_cmsg", options=["--user", "65534:65534"]),
          'plain: 1 controllen 0 flags 0x0\n'
          'pktinfo: 1 controllen 24 flags 0x0\n'
          ' cmsg level 270 type 3 len 20: 0\n'
          'pktinfo and passcred: 1 controllen 56 flags 0x0\n'
          ' cmsg level 270 type 3 len 20: 0\n'
          ' cmsg level 1 type 2 len 28: 0 0 0\n'
          'room 24: 1 controllen 24 flags 0x8\n'
          ' cmsg level 270 type 3 len 20: 0\n'
          'no room: 1 controllen 0 flags 0x8\n'
          'passcred: 1 controllen 32 flags 0x0\n'
          ' cmsg level 1 type 2 len 28: 0 0 0\n'
          )


def test_a_process_sender_is_named():
    """Root's datagram to a group: the group, and the sender's process id
    and real ids, as Linux's scm_send takes them."""
    expect(run("netlink_cmsg", "root"),
           "pid is getpid: 1\n"
           "group 1 from a process: 1 controllen 56 flags 0x0\n"
           " cmsg level 270 type 3 len 20: 1\n"
           " cmsg level 1 type 2 len 28: 1 0 0\n")
