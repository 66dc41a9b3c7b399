"""chroot(2) (tests/progs/chroot_calls.c) against Linux 6.18's transcript of
the same program built with musl, run as root: paths, symlinks and ".."
kept inside the new root, getcwd's "(unreachable)" for a directory left
outside, a descriptor from before leading out, exec and fork inside, and
the refusals in Linux's order.  And busybox's chroot applet running a
shell in a root of its own.  Before, chroot was ENOSYS, so daemons that
confine themselves with it (sshd's privilege separation, bind, vsftpd)
could not start."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINES = (
    "no such directory: ENOENT\n"
    "a file: ENOTDIR\n"
    "bad pointer: EFAULT\n"
    "as nobody, no search permission: EACCES\n"
    "as nobody: EPERM\n"
    "chroot root: 0\n"
    "getcwd, still outside: (unreachable)/tmp/chroot_calls\n"
    "/file: inside\n"
    "/outside: ENOENT\n"
    "chdir /: 0, getcwd: /\n"
    "../../file: inside\n"
    "/.. is /: yes\n"
    "absolute link: inside\n"
    "link climbing up: inside\n"
    "chdir sub: 0, getcwd: /sub\n"
    "forked child, /file: inside\n"
    "exec'd inside: getcwd /sub, /file: inside\n"
    "fchdir to a descriptor from before: 0, getcwd: (unreachable)/tmp/chroot_calls\n"
    "then chdir ..: 0, getcwd: (unreachable)/tmp\n"
    "chroot sub (relative, from outside): 0\n"
    "now /file: inside sub\n"
    "the parent's root is still /: inside\n")


def test_chroot_calls():
    expect(run("chroot_calls"), LINES)


def test_busybox_chroot():
    script = ("mkdir -p /tmp/r/bin && cp /bin/busybox /tmp/r/bin/ && echo hi > /tmp/r/note && "
              "busybox chroot /tmp/r /bin/busybox sh -c 'busybox pwd; busybox ls /; "
              "busybox cat /note; busybox readlink /proc/self/root || echo no proc'")
    expect(run("/bin/busybox", "sh", "-c", script, env=["PATH=/bin"]),
           "/\nbin\nnote\nhi\nno proc\n")
