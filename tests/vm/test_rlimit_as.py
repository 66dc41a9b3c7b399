"""RLIMIT_AS (tests/progs/rlimit_as.c): with a limit 1 MiB over what is
mapped, mmap past it is ENOMEM while 1 MiB of mappings fits; MAP_FIXED
over a mapping replaces it without growing; mremap's growth, brk and a
forked child are held to it; after munmap the growth fits; a limit below
what is mapped leaves the mappings but refuses new ones; no limit lifts
it; a parent's prlimit on a child takes at once.  The transcript is Linux
6.18's for the same static program.  Before, the limit was kept and never
applied: every mapping succeeded."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
limit: what is mapped + 1M: ok
map 2M: ENOMEM
map 512K: ok
map 512K more: ok
map 4K past it: ENOMEM
MAP_FIXED over the first 512K: ok
mremap 512K to 1M: ENOMEM
sbrk 1M: ENOMEM
  child inherits the limit: map 2M: ENOMEM
munmap 512K: ok
mremap 512K to 1M: ok
limit below what is mapped: ok
map 4K: ENOMEM
no limit: ok
map 2M: ok
prlimit of a child: ok
  after the parent's prlimit: map 2M: ENOMEM
"""


def test_address_space_limit_matches_linux():
    expect(run("rlimit_as"), LINUX)
