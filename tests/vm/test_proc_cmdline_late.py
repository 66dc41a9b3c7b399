"""/proc/self/cmdline opened, the argument rewritten in place, then read
(proc_cmdline_late): the new text, as on Linux, which reads the program's
memory at each read (checked natively on Linux 6.x).  amphi made the text
at open, under vfs_lock, and showed the old one (checked to fail on main);
cmdline and environ are now made at the first read, out of vfs_lock,
since the memory's faults may take locks ordered before it (a System V
segment's table lock)."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_cmdline_read_after_rewrite():
    expect(run("proc_cmdline_late", "before"), "argument read after the rewrite: aftere\n")
