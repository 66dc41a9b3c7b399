"""mremap either moves or leaves everything as it was: at the limit of
mappings (65530, as Linux's vm.max_map_count) it fails with ENOMEM before
any page moves."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_mremap_at_the_mapping_limit_fails_whole():
    """Before the fix, the move came first and cutting the old range out
    failed after it: ENOMEM, with the page's data gone from where it was
    (it read as zeros) and the new mapping left behind, taking the last
    free slot."""
    expect(run("mremap_limit"),
           "full: Out of memory\n"
           "mremap with room for one: Out of memory\n"
           "pages hold: ABCD\n"
           "room left after it: 1\n"
           "mremap with room for four: moved\n"
           "moved page holds: B\n")
