"""A magic link whose text leads back through itself
(tests/progs/magic_link_loop.c): /proc/self/fd/3's text is /tmp/a/x and
/tmp/a is made a symlink to /proc/self/fd/3.  Following the fd link gives
the open file and the loop ENOTDIR, as on Linux 6.18.  Checked to fail
before the walk of a magic link's text was made plain: "kernel panic:
kernel stack overflow" (each walk of the text met the link again)."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_magic_link_whose_text_loops():
    expect(run("magic_link_loop"),
           "stat of the fd link: 0, the open file: yes\n"
           "stat through the loop: ENOTDIR\n"
           "open of the fd link: ok\n")
