"""Standard input, output and error pass through amphi byte for byte."""

import os

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_binary_round_trip_200k():
    data = os.urandom(200 * 1024)
    r = run("cat", stdin=data)
    assert (r.status, r.stderr) == (0, b""), r.describe()
    assert len(r.stdout) == len(data), "got %d of %d bytes" % (len(r.stdout), len(data))
    assert r.stdout == data, "bytes differ from offset %d" % next(
        i for i, (a, b) in enumerate(zip(r.stdout, data)) if a != b)


def test_empty_stdin_is_end_of_file():
    r = run("cat", stdin=b"")
    assert (r.status, r.stdout, r.stderr) == (0, b"", b""), r.describe()


def test_text_without_final_newline():
    data = b"line one\r\nline two\n\n\tno newline at the end"
    r = run("cat", stdin=data)
    assert (r.status, r.stdout, r.stderr) == (0, data, b""), r.describe()


def test_stdout_and_stderr_are_separate_and_exact():
    every = bytes(range(256))
    big = bytes((i * 7 + 3) & 0xFF for i in range(10000))
    r = run("outerr")
    assert r.status == 3, r.describe()
    assert r.stdout == b"out 1\n" + big + b"\r\n\n\r" + every, r.describe()
    assert r.stderr == b"err 1\n" + every + b"err 2 no newline", r.describe()
