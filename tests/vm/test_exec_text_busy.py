"""ETXTBSY both ways (tests/progs/exec_text_busy.c) against Linux 6.18's
transcript."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

LINUX = """\
exec of a file open for writing: Text file busy
exec with a reader too: Text file busy
exec once the writer closed: ok
open own file O_WRONLY: Text file busy
open own file O_RDWR: Text file busy
open own file O_RDONLY: ok
truncate own file: Text file busy
open a running child's file O_RDWR: Text file busy
open it O_TRUNC: Text file busy
open it once the child ended: ok
exec of a memfd by its own descriptor: ok
exec of a memfd reopened read-only: ok
open the memfd O_RDWR again: ok
exec of it with that open: Text file busy
exec_text_busy done
"""


def test_writers_and_running_programs_keep_each_other_out():
    """main had no ETXTBSY: a file open for writing was run, and a running
    program's own file (and a child's) opened for writing and truncated,
    so a writer could change the code a program was running.  A memfd
    still runs from its own descriptor, open for writing, as on Linux."""
    expect(run("exec_text_busy"), LINUX)
