"""--kernel given something that is not amphi's kernel (a program, a
foreign ELF) is refused before QEMU starts: status 2 and one line naming
the file, where QEMU used to be started and fail with its own message
and amphi's status 125."""

import os
import struct

import pytest

from conftest import PROGS, amphi_argv, refused

pytestmark = pytest.mark.usefixtures("amphi_works")


def not_started(tmp_path):
    """A --qemu that leaves a mark when run."""
    mark = tmp_path / "qemu-ran"
    q = tmp_path / "qemu"
    q.write_text("#!/bin/sh\ntouch %s\nexit 1\n" % mark)
    q.chmod(0o755)
    return ["--qemu", str(q)], mark


def aarch64_elf(path):
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9,
                       2, 183, 1, 0x400000, 64, 0, 0, 64, 56, 0, 64, 0, 0)
    path.write_bytes(ehdr + b"\0" * 256)


@pytest.mark.parametrize("what", ["program", "aarch64"])
def test_not_a_kernel_is_refused_before_qemu(tmp_path, what):
    if what == "program":
        kernel = os.path.join(PROGS, "hello")
    else:
        kernel = str(tmp_path / "foreign.elf")
        aarch64_elf(tmp_path / "foreign.elf")
    opts, mark = not_started(tmp_path)
    refused(amphi_argv("hello", options=opts + ["--kernel", kernel]), kernel)
    assert not mark.exists(), "QEMU was started"
