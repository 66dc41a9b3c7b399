"""execve of ELF files whose headers lie past what the loader reads of
them (tests/progs/exec_elf_headers.c)."""

import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")

# Linux 6.18 runs the second (it reads program headers anywhere) and gives
# ENOENT, EIO and ENOEXEC for the next three; amphi reads only the first
# 64 KiB of a file for its headers and refuses what lies past them.
EXPECTED = """\
headers at the start: ran, exit 42
program headers past 64 KiB: refused (Exec format error)
interpreter path past 64 KiB: refused (Exec format error)
interpreter path 1 TiB past the end: refused (Exec format error)
program headers 1 TiB past the end: refused (Exec format error)
a missing interpreter: refused (No such file or directory)
PT_LOADs out of order: ran, exit 42
a PT_LOAD over another's first page: killed by signal 11
exec_elf_headers done
"""


def test_headers_past_the_head_are_refused_not_read():
    """Checked against the file's size but read from the kernel's copy of
    its start, they were read past that copy: main's kernel panicked with
    a page fault in elf_check at the PT_INTERP 1 TiB in."""
    expect(run("exec_elf_headers"), EXPECTED)
    # The last two lines are Linux's too; main's loader failed the first
    # with ENOMEM and ran the second (its page both RW and RX).
