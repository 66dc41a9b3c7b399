"""amphi exits with the program's status, as a shell would see it."""

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


@pytest.mark.parametrize("code", [0, 1, 42, 255])
def test_exit_status(code):
    r = run("exitcode", code)
    assert (r.status, r.stdout, r.stderr) == (code, b"", b""), r.describe()


@pytest.mark.parametrize("code,status", [(256, 0), (300, 44)])
def test_exit_status_is_taken_modulo_256(code, status):
    r = run("exitcode", code)
    assert (r.status, r.stdout, r.stderr) == (status, b"", b""), r.describe()
