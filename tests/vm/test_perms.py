"""Identities and permissions: tests/progs/perms.c as root (which sets up a
tree and checks it from children that drop to uid 1000 with setuid, keep
capabilities across setuid, signal across uids) and from the start as uid
1000 (`amphi run --user`), each against Linux's transcript in
perms_expected.py; and --user's refusals."""

import pytest

import perms_expected
from conftest import AMPHI, expect, prog_path, refused, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_root_and_setuid_drops():
    """Root's capabilities (bits ignored, the execute bit not), setfsuid,
    then as uid 1000: sticky, set-gid and search-less directories, group
    permissions, chmod of another group's file, access() with real ids,
    PR_SET_KEEPCAPS and capset, execve dropping capabilities, kill
    across uids."""
    expect(run("perms", "root", "/tmp/perms"), perms_expected.PERMS_ROOT)


@pytest.mark.parametrize("user", ["1000:1000", "1000"])
def test_user_from_the_start(user):
    """--user UID[:GID]: ids, /proc/self/status, no capabilities; files,
    directories, ownership, times, ports below 1024, prctl and capget
    answer as Linux answers uid 1000 (GID defaults to UID)."""
    expect(run("perms", "user", "/tmp/perms", options=("--user", user)),
           perms_expected.PERMS_USER)


@pytest.mark.parametrize("value", ["", "x", "1000:", ":1000", "1000:x", "4294967295",
                                   "1:4294967295", "-1", "99999999999"])
def test_bad_user_is_refused(value):
    refused([AMPHI, "run", "--user", value, prog_path("hello")], "--user", prefix="amphi: run: ")
