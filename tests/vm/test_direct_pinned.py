"""O_DIRECT reads into a page whose mapping changes meanwhile (a fork, an
mprotect to read-only and back) must land where the program reads them:
the page is pinned, not shared, so neither the program's next write nor
the child takes it away from the device (tests/progs/direct_pinned.c).
Before pins were told from sharers, 116 of 2000 fork rounds and 564 of
2000 mprotect rounds came back with the buffer unchanged."""
import pytest

from conftest import run

SECTOR = 512


@pytest.mark.parametrize("disturb", ["fork", "mprotect"])
def test_direct_read_lands_in_the_programs_page(tmp_path, disturb):
    img = tmp_path / "sectors.img"
    img.write_bytes(b"".join(bytes([s % 251 + 1]) * SECTOR for s in range(256)))
    r = run("direct_pinned", disturb, "/dev/vda", 2000, options=["--disk", str(img)])
    assert (r.status, r.stdout) == (0, b"2000 rounds, 0 wrong\n"), r.describe()
