"""Programs amphi cannot run are refused before booting: status 2, one line
on stderr naming the problem, and quickly (a boot under TCG takes longer
than these runs are allowed)."""

import os
import struct

import pytest

from conftest import AMPHI, ROOT, amphi_argv, run_argv

NO_BOOT_SECONDS = 5


@pytest.fixture(scope="module", autouse=True)
def amphi_built():
    if not os.path.isfile(os.path.join(ROOT, AMPHI)):
        pytest.fail("%s is not built (run `make all`)" % AMPHI, pytrace=False)


def elf32(path):
    """A minimal valid i386 executable header with one PT_LOAD."""
    ehdr = struct.pack("<16sHHIIIIIHHHHHH",
                       b"\x7fELF\x01\x01\x01" + b"\0" * 9,
                       2, 3, 1, 0x08048054, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack("<IIIIIIII", 1, 0, 0x08048000, 0x08048000, 0x60, 0x60, 5, 0x1000)
    with open(path, "wb") as f:
        f.write(ehdr + phdr + b"\xcc" * 12)


def refused(path, *words):
    r = run_argv(amphi_argv(path))
    assert r.status == 2, r.describe()
    assert r.stdout == b"", r.describe()
    text = r.stderr.decode("utf-8", "replace")
    assert text.endswith("\n") and text.count("\n") == 1, (
        "expected exactly one line on stderr\n" + r.describe())
    assert path in text, "the message should name the file\n" + r.describe()
    for w in words:
        assert w.lower() in text.lower(), "the message should say %r\n%s" % (w, r.describe())
    assert "kernel panic" not in text.lower(), r.describe()
    assert r.seconds < NO_BOOT_SECONDS, "took %.1f s: did it boot?" % r.seconds


def test_missing_file(tmp_path):
    refused(str(tmp_path / "no-such-program"))


def test_text_file(tmp_path):
    p = tmp_path / "script.sh"
    p.write_text("#!/bin/sh\necho hi\n")
    p.chmod(0o755)
    refused(str(p), "ELF")


def test_empty_file(tmp_path):
    p = tmp_path / "empty"
    p.write_bytes(b"")
    refused(str(p))


def test_32_bit_elf(tmp_path):
    p = tmp_path / "prog32"
    elf32(str(p))
    refused(str(p), "32")


def test_dynamic_program_whose_library_is_nowhere(tmp_path):
    """Debian's /bin/true, its DT_NEEDED libc.so.6 renamed libq.so.6 (a
    library no loader would find): one line naming it."""
    p = tmp_path / "true"
    img = open("/bin/true", "rb").read()
    assert img.count(b"libc.so.6\0") == 1
    p.write_bytes(img.replace(b"libc.so.6\0", b"libq.so.6\0"))
    os.chmod(str(p), 0o755)
    refused(str(p), "libq.so.6")


def test_elf_for_another_machine(tmp_path):
    p = tmp_path / "arm64"
    img = bytearray(open(os.path.join(ROOT, "build", "progs", "hello"), "rb").read())
    img[18:20] = struct.pack("<H", 183)  # EM_AARCH64
    p.write_bytes(bytes(img))
    refused(str(p))


def test_directory(tmp_path):
    refused(str(tmp_path))


def test_no_program_is_a_usage_error():
    r = run_argv([AMPHI, "run"])
    assert r.status == 2 and r.stderr.strip(), r.describe()
    assert r.seconds < NO_BOOT_SECONDS, r.describe()


def test_unknown_option_is_a_usage_error():
    r = run_argv([AMPHI, "run", "--no-such-option", "build/progs/hello"])
    assert r.status == 2 and r.stderr.strip(), r.describe()
    assert r.seconds < NO_BOOT_SECONDS, r.describe()
