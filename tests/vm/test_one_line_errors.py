"""amphi's refusals stay one line whatever the value they quote holds: a
PROGRAM or --hostname with a newline, a tab or a terminal's escape
sequence is shown escaped (\\n, \\t, \\x1b), so the message is one line
and nothing reaches the user's terminal as a control sequence."""

import pytest

from conftest import AMPHI, refused

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("argv, shown", [
    (["run", "no\nsuch\x1b]0;title\x07"], "no\\nsuch\\x1b]0;title\\x07"),
    (["run", "--hostname", "a\tb", "hello"], "a\\tb"),
    (["run", "-e", "A\nB", "hello"], "A\\nB"),
])
def test_control_characters_are_escaped(argv, shown):
    r = refused([AMPHI] + argv, shown)
    assert b"\x1b" not in r.stderr and b"\t" not in r.stderr, r.describe()
