"""A fault in the program ends the program like Linux would, not the VM."""

import re

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_null_dereference_is_sigsegv():
    r = run("segv")
    assert r.status == 139, r.describe()
    assert r.stdout == b"before fault\n", r.describe()
    text = r.stderr.decode("utf-8", "replace")
    assert text.endswith("\n") and text.count("\n") == 1, (
        "the report should be exactly one line\n" + r.describe())
    assert re.search(r"SIGSEGV|segmentation", text, re.I), r.describe()
    assert "kernel panic" not in text.lower(), r.describe()


def test_fault_on_4_cpus():
    r = run("segv", smp=4)
    assert (r.status, r.stdout) == (139, b"before fault\n"), r.describe()


def test_next_run_after_a_fault_works():
    run("segv")
    r = run("hello")
    assert (r.status, r.stdout, r.stderr) == (0, b"hello from amphi\n", b""), r.describe()
