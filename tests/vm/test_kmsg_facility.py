"""A /dev/kmsg write's "<N>" prefix keeps 8 bits of facility, as Linux's
devkmsg_write (LOG_FACILITY: N >> 3 & 0xff) (tests/progs/kmsg_facility.c).
Before, amphi kept 10: "<2048>b" came back as priority 2048, where Linux
gives 8 (facility 0 becomes LOG_USER), and "<4294967295>e" as 8191, where
Linux gives 2047."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_kmsg_facility_is_8_bits():
    expect(run("kmsg_facility"),
           "<2047>a: 2047 a\n"
           "<2048>b: 8 b\n"
           "<2055>c: 15 c\n"
           "<10240>d: 8 d\n"
           "<4294967295>e: 2047 e\n"
           "<4294967296>f: 8 f\n")
