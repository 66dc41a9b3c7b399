"""The auxiliary vector, for a static and a static-pie program."""

import os

import pytest

from conftest import PROGS, ROOT, lines, require_static, run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("prog", ["auxv", "auxv-pie"])
def test_auxv(prog):
    path = os.path.join(ROOT, PROGS, prog)
    require_static(path)
    r = run(prog)
    assert (r.status, r.stderr) == (0, b""), r.describe()
    out = lines(r.stdout)
    assert len(out) == 2 and out[1] == "auxv ok", r.describe()
    typed = os.path.join(PROGS, prog)
    assert out[0] in ("execfn=" + typed, "execfn=" + os.path.realpath(path)), r.describe()
