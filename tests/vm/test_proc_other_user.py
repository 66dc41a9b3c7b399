"""What a uid-1000 process may read of another's /proc/PID
(tests/progs/proc_other_user.c), against Linux 6.18's transcript taken as
root on the host."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
root's status: yes
root's stat: yes
root's cmdline: yes
root's comm: yes
root's environ: EACCES
root's maps: EACCES
root's exe: EACCES
root's cwd: EACCES
root's root: EACCES
root's fd/0: EACCES
root's fd: EACCES
user's status: yes
user's stat: yes
user's cmdline: yes
user's comm: yes
user's environ: yes
user's maps: yes
user's exe: yes
user's cwd: yes
user's root: yes
user's fd/0: yes
user's fd: yes
proc_other_user done
"""


def test_another_users_environ_and_maps_are_refused():
    """Every /proc/PID file was 0444 with no ptrace-like check: main's
    kernel let uid 1000 read a root process's environment and memory map
    and follow its exe, cwd and root links."""
    expect(run("proc_other_user"), LINUX)
