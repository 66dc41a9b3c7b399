"""amphi iso: the image boots under stock QEMU from -cdrom, with SeaBIOS
(pc) and with UEFI (Debian's OVMF, q35), and runs the program: its output
on the serial line as plain text, on the VGA text screen under a BIOS,
standard input from the serial line, and its exit status through
isa-debug-exit.  Bad usage: one line, status 2."""

import os
import re
import socket
import subprocess
import time

import pytest

from conftest import AMPHI, prog_path, refused, run_argv

pytestmark = pytest.mark.usefixtures("amphi_works")

OVMF = "/usr/share/ovmf/OVMF.fd"
BOOT_LIMIT = 120
DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]


def make_iso(tmp_path, prog, *args, options=()):
    iso = str(tmp_path / "image.iso")
    r = run_argv([AMPHI, "iso"] + list(options) + [prog_path(prog)] + list(args) + ["-o", iso])
    assert r.status == 0, r.describe()
    assert r.stdout == b"" and r.stderr == b"", r.describe()
    return iso


def qemu(iso, machine="pc", firmware=(), extra=(), stdin=b""):
    argv = ["qemu-system-x86_64", "-M", machine, "-accel", "tcg", "-m", "256", "-smp", "1,maxcpus=2",
            "-display", "none", "-serial", "stdio", "-no-reboot", "-cdrom", iso]
    argv += list(firmware) + list(extra)
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=BOOT_LIMIT)
    return p.returncode, p.stdout.replace(b"\r\n", b"\n")


def after_grub(out):
    """The kernel's text, from the first line after GRUB's "Booting"."""
    text = out.decode("utf-8", "replace")
    assert "Booting `amphi: " in text, text
    return text.split("Booting `amphi: ", 1)[1].split("\n", 1)[1]


def test_bios_boot_runs_program(tmp_path):
    iso = make_iso(tmp_path, "args", "one", "two words", options=["-e", "COLOR=green"])
    status, out = qemu(iso, extra=DEBUG_EXIT)
    text = after_grub(out)
    assert "argc=3\nargv[0]=build/progs/args\nargv[1]=one\nargv[2]=two words\n" in text, text
    assert "=COLOR=green\n" in text, text
    assert text.rstrip("\n").endswith("amphi: the program ended with status 0"), text
    assert status == 1, "isa-debug-exit with status 0 makes QEMU exit 1, not %d" % status


def test_uefi_boot_runs_program(tmp_path):
    if not os.path.exists(OVMF):
        pytest.fail("%s missing (Debian's ovmf; tools/install-deps.sh)" % OVMF, pytrace=False)
    iso = make_iso(tmp_path, "exitcode", "7")
    status, out = qemu(iso, machine="q35", firmware=["-bios", OVMF], extra=DEBUG_EXIT)
    text = after_grub(out)
    assert "amphi: the program ended with status 7\n" in text, text
    assert status == (7 << 1) | 1, "QEMU exited %d" % status


def test_uefi_boot_hello(tmp_path):
    iso = make_iso(tmp_path, "hello")
    status, out = qemu(iso, machine="q35", firmware=["-bios", OVMF], extra=DEBUG_EXIT)
    assert "hello from amphi\n" in after_grub(out)


def monitor(sock, command):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.settimeout(10)
    s.recv(65536)
    s.sendall(command.encode() + b"\n")
    out = b""
    time.sleep(1)
    while not out.endswith(b"(qemu) "):
        out += s.recv(1 << 20)
    s.close()
    return out.decode()


def test_bios_vga_text_screen(tmp_path):
    """The screen holds what the serial line showed: read back from VGA
    memory with QEMU's monitor once the machine has halted."""
    iso = make_iso(tmp_path, "hello")
    sock, serial = str(tmp_path / "mon"), str(tmp_path / "serial")
    p = subprocess.Popen(["qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-m", "128",
                          "-display", "none", "-serial", "file:" + serial, "-no-reboot",
                          "-cdrom", iso, "-monitor", "unix:%s,server,nowait" % sock])
    try:
        deadline = time.monotonic() + BOOT_LIMIT
        while time.monotonic() < deadline:
            if os.path.exists(serial) and b"ended with status" in open(serial, "rb").read():
                break
            time.sleep(0.2)
        out = monitor(sock, "xp /2000hx 0xb8000")
    finally:
        p.kill()
        p.wait()
    cells = []
    for line in out.splitlines():
        if ":" in line:
            cells += [int(w, 16) for w in re.findall(r"0x([0-9a-f]{4})\b", line.split(":", 1)[1])]
    rows = ["".join(chr(c & 0xff) for c in cells[i:i + 80]).rstrip() for i in range(0, 2000, 80)]
    assert rows[:2] == ["hello from amphi", "amphi: the program ended with status 0"], rows[:4]
    assert all(c >> 8 == 0x07 for c in cells[:16]), "light grey on black"


def test_serial_input(tmp_path):
    """Standard input is what arrives on the serial line: a carriage return
    is a newline, ^D the end of file.  Sent once the kernel says it is up
    (-v), since bytes before its UART is set up are lost."""
    iso = make_iso(tmp_path, "cat", options=["-v"])
    p = subprocess.Popen(["qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-m", "128",
                          "-display", "none", "-serial", "stdio", "-no-reboot", "-cdrom", iso]
                         + DEBUG_EXIT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = b""
    try:
        deadline = time.monotonic() + BOOT_LIMIT
        while b"CPUs" not in out and time.monotonic() < deadline:
            out += os.read(p.stdout.fileno(), 4096)
        p.stdin.write(b"typed line\r\x04")
        p.stdin.flush()
        rest, _ = p.communicate(timeout=BOOT_LIMIT)
        out += rest
    finally:
        if p.poll() is None:
            p.kill()
    text = out.replace(b"\r\n", b"\n").decode("utf-8", "replace")
    assert "typed line\namphi: the program ended with status 0" in text, text


@pytest.mark.parametrize("argv, words", [
    (["iso", "build/progs/hello"], ["-o"]),
    (["iso", "-o"], ["-o", "needs a value"]),
    (["iso", "-o", "/tmp"], ["directory"]),
    (["iso", "-o", "/tmp/x.iso"], ["PROGRAM"]),
    (["iso", "--smp", "2", "build/progs/hello", "-o", "/tmp/x.iso"], ["--smp"]),
    (["iso", "--trace=nosuch", "build/progs/hello", "-o", "/tmp/x.iso"], ["nosuch"]),
    (["iso", "-o", "/tmp/x.iso", "/no/such/program"], ["/no/such/program"]),
])
def test_iso_bad_usage(argv, words):
    refused([AMPHI] + argv, *words)
