"""kcmp's descriptor arguments (tests/progs/kcmp_fd_width.c) against the
same program's transcript on Linux 6.18 (as uid 65534): they are unsigned
int there, so an idx1 or idx2 with its upper half set names the
descriptor of its lower half (before, EBADF), for KCMP_FILE and
KCMP_EPOLL_TFD alike; 0x80000000 is still no descriptor."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

TRANSCRIPT = (
    'file, idx1 with a high half: 0\n'
    'file, idx2 with a high half: 0\n'
    'file, idx1 0x80000000: EBADF\n'
    'epoll target, idx1 with a high half: 0\n'
)


def test_kcmp_fd_width_matches_linux():
    expect(run("kcmp_fd_width", options=["--user", "65534:65534"]), TRANSCRIPT)
