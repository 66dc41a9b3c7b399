"""AF_UNIX credentials (tests/progs/unix_creds.c) against Linux 6.18's
transcript, taken as root on the host: SCM_CREDENTIALS of the wrong length
or with the id -1 refused (EINVAL), a pid of no process ESRCH, root's
claims passed on and a uid-1000 process's claims of others' ids or pid
refused (EPERM); a receiver with SO_PASSCRED gets the sender's pid and real
ids (or what root claimed) before any SCM_RIGHTS, cut to its control buffer
with MSG_CTRUNC; stream reads stop where the credentials change; SO_PEERCRED
shows a client the listener's ids, the server the client's (uid 1000), and
nothing for a datagram connect; SO_SNDBUFFORCE and SO_RCVBUFFORCE refused
to uid 1000 (EPERM: CAP_NET_ADMIN only).  Before the fixes every claim was
taken silently and dropped, SO_PASSCRED gave nothing, SO_PEERCRED said uid 0 for
a uid-1000 process and gave a client its own pid, and any process could
force its buffer sizes past the limits."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
stream no SO_PASSCRED: "a" controllen 0
stream short cmsg: EINVAL
stream long cmsg: EINVAL
stream uid -1: EINVAL
stream no such pid: ESRCH
stream plain: "b" controllen 32
  SCM_CREDENTIALS pid sender's uid 0 gid 0
stream forged by root: send ok
stream forged by root: "c" controllen 32
  SCM_CREDENTIALS pid the child's uid 1234 gid 5678
stream own with a file: "d" controllen 56
  SCM_CREDENTIALS pid sender's uid 0 gid 0
  SCM_RIGHTS 1 fds
stream room for 16: "e" controllen 16 MSG_CTRUNC
  cmsg level 1 type 2 len 16
stream room for 24: "f" controllen 24 MSG_CTRUNC
  cmsg level 1 type 2 len 24
stream room for 36 with a file: "g" controllen 32 MSG_CTRUNC
  SCM_CREDENTIALS pid sender's uid 0 gid 0
stream same sender glued: "h1h2" controllen 32
  SCM_CREDENTIALS pid sender's uid 0 gid 0
stream forged alone: "i" controllen 32
  SCM_CREDENTIALS pid the child's uid 1234 gid 5678
stream after forged: "j" controllen 32
  SCM_CREDENTIALS pid sender's uid 0 gid 0
stream without SO_PASSCRED glued: "kl" controllen 0
dgram no SO_PASSCRED: "a" controllen 0
dgram short cmsg: EINVAL
dgram long cmsg: EINVAL
dgram uid -1: EINVAL
dgram no such pid: ESRCH
dgram plain: "b" controllen 32
  SCM_CREDENTIALS pid sender's uid 0 gid 0
dgram forged by root: send ok
dgram forged by root: "c" controllen 32
  SCM_CREDENTIALS pid the child's uid 1234 gid 5678
dgram own with a file: "d" controllen 56
  SCM_CREDENTIALS pid sender's uid 0 gid 0
  SCM_RIGHTS 1 fds
dgram room for 16: "e" controllen 16 MSG_CTRUNC
  cmsg level 1 type 2 len 16
dgram room for 24: "f" controllen 24 MSG_CTRUNC
  cmsg level 1 type 2 len 24
dgram room for 36 with a file: "g" controllen 32 MSG_CTRUNC
  SCM_CREDENTIALS pid sender's uid 0 gid 0
root SO_SNDBUFFORCE: ok
user forged uid 0: EPERM
user forged gid 0: EPERM
user forged pid 1: EPERM
user own: ok
user plain: ok
user SO_SNDBUFFORCE: EPERM
user SO_RCVBUFFORCE: EPERM
user's connection: SO_PEERCRED pid peer's uid 0 gid 0
user's socketpair: SO_PEERCRED pid peer's uid 1000 gid 1000
root's accepted connection: SO_PEERCRED pid peer's uid 1000 gid 1000
root's listener: SO_PEERCRED pid mine uid 0 gid 0
dgram connect: SO_PEERCRED pid 0 uid 4294967295 gid 4294967295
dgram not connected: SO_PEERCRED pid 0 uid 4294967295 gid 4294967295
root got the user's own: "u" controllen 32
  SCM_CREDENTIALS pid sender's uid 1000 gid 1000
root got the user's plain: "v" controllen 32
  SCM_CREDENTIALS pid sender's uid 1000 gid 1000
nothing more: recvmsg Resource temporarily unavailable
child status 0
unix_creds done
"""


@pytest.mark.parametrize("smp", [1, 2])
def test_unix_credentials_as_on_linux(smp):
    expect(run("unix_creds", smp=smp), LINUX)
