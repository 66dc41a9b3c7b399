"""amphi libvirt: the domain XML validates against libvirt's schema
(virt-xml-validate), names the kernel and an initrd that boot the program
(booted here with plain QEMU from the XML's own kernel, initrd and
command line: plain-text console, ACPI power-off at the end), and, where a
libvirtd runs on this machine, is defined, started and shuts off."""

import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import AMPHI, KERNEL, ROOT, prog_path, refused, run_argv

pytestmark = pytest.mark.usefixtures("amphi_works")

VIRSH = ["virsh", "-c", "qemu:///system"]


def domain(tmp_path, prog, *args, options=()):
    initrd = str(tmp_path / "guest.initrd")
    r = run_argv([AMPHI, "libvirt", "--initrd", initrd] + list(options) + [prog_path(prog)]
                 + list(args))
    assert r.status == 0, r.describe()
    xml = tmp_path / "dom.xml"
    xml.write_bytes(r.stdout)
    return str(xml), ET.fromstring(r.stdout)


def validate(path):
    if not shutil.which("virt-xml-validate"):
        pytest.fail("virt-xml-validate missing (Debian's libvirt-clients)", pytrace=False)
    v = subprocess.run(["virt-xml-validate", path, "domain"], capture_output=True)
    assert v.returncode == 0, v.stdout.decode() + v.stderr.decode()


@pytest.mark.parametrize("options", [
    [],
    ["-p", "8080:80", "-p", "127.0.0.1:5353:53/udp", "--smp", "4", "-m", "128M"],
    ["--net", "tap=tap0", "--nic", "e1000e", "--machine", "q35", "--accel", "tcg"],
    ["--net", "user", "--ip", "10.0.2.15/24", "--gw", "10.0.2.2", "--name", "a&b", "-v"],
])
def test_domain_validates(tmp_path, options):
    path, dom = domain(tmp_path, "hello", options=options)
    validate(path)
    os_ = dom.find("os")
    assert os_.find("kernel").text == os.path.join(ROOT, "build", "amphi.elf")
    assert os_.find("initrd").text == str(tmp_path / "guest.initrd")
    assert "amphi.console=text" in os_.find("cmdline").text
    assert "amphi.poweroff=acpi" in os_.find("cmdline").text
    assert int(dom.find("vcpu").text) >= 2, "maxcpus >= 2, as amphi run"


def test_domain_devices(tmp_path):
    _, dom = domain(tmp_path, "hello", options=["-p", "8080:80", "--smp", "3", "-m", "96M",
                                                "--nic", "e1000e", "--machine", "q35"])
    assert dom.find("name").text == "amphi-hello"
    assert dom.find("memory").text == str(96 * 1024) and dom.find("memory").get("unit") == "KiB"
    assert dom.find("vcpu").get("current") == "3" and dom.find("vcpu").text == "3"
    assert dom.find("os/type").get("machine") == "q35"
    nic = dom.find("devices/interface")
    assert nic.get("type") == "user" and nic.find("model").get("type") == "e1000e"
    fwd = nic.find("portForward")
    assert fwd.get("proto") == "tcp" and fwd.get("address") == "127.0.0.1"
    assert fwd.find("range").attrib == {"start": "8080", "to": "80"}


def test_domain_boots_with_qemu(tmp_path):
    """The XML's kernel, initrd and command line, given to QEMU as libvirt
    gives them: the program runs on a plain-text console, and its end powers
    the machine off through ACPI (QEMU exits 0, with no isa-debug-exit)."""
    _, dom = domain(tmp_path, "args", "a b", "c", options=["-e", "X=1"])
    os_ = dom.find("os")
    p = subprocess.run(["qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-m", "64",
                        "-smp", "1,maxcpus=2", "-display", "none", "-nodefaults", "-serial",
                        "stdio", "-no-reboot", "-kernel", os_.find("kernel").text, "-initrd",
                        os_.find("initrd").text, "-append", os_.find("cmdline").text],
                       capture_output=True, timeout=120)
    out = p.stdout.replace(b"\r\n", b"\n").decode()
    assert out == ("argc=3\nargv[0]=build/progs/args\nargv[1]=a b\nargv[2]=c\n"
                   "env[0]=PATH=/usr/local/bin:/usr/bin:/bin\nenv[1]=HOME=/\nenv[2]=X=1\n"
                   "amphi: the program ended with status 0\n"), out
    assert p.returncode == 0, "QEMU should have been powered off, not %d" % p.returncode


def libvirtd_running():
    r = subprocess.run(VIRSH + ["version"], capture_output=True, timeout=30)
    return r.returncode == 0


@pytest.fixture
def libvirtd(tmp_path):
    """A libvirtd on qemu:///system: the one that answers, or one of the
    test's own (with the virtlogd it logs through), started in the
    foreground and stopped by PID afterwards."""
    if libvirtd_running():
        yield
        return
    log = open(tmp_path / "libvirtd.log", "wb")
    daemons = [subprocess.Popen([d], stdout=log, stderr=log) for d in ("virtlogd", "libvirtd")]
    try:
        for _ in range(60):
            if libvirtd_running() or any(d.poll() is not None for d in daemons):
                break
            time.sleep(0.5)
        assert libvirtd_running(), (tmp_path / "libvirtd.log").read_text()
        yield
    finally:
        for d in reversed(daemons):
            d.terminate()
            try:
                d.wait(timeout=15)
            except subprocess.TimeoutExpired:
                d.kill()
                d.wait()
        log.close()


def test_virsh_define_and_start(libvirtd):
    """Defined, started under TCG, shut off by the program's end.  The
    files, the kernel too, sit where libvirt's QEMU user may read them: the
    checkout may be under a folder only root can enter (mktemp -d's)."""
    name = "amphi-test-%d" % os.getpid()
    tmp = tempfile.mkdtemp(prefix="amphi-libvirt-")
    os.chmod(tmp, 0o755)
    kernel = shutil.copy(KERNEL, tmp)
    os.chmod(kernel, 0o644)
    path, _ = domain(pathlib.Path(tmp), "hello",
                     options=["--name", name, "--accel", "tcg", "--kernel", kernel])
    try:
        r = subprocess.run(VIRSH + ["define", path], capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode()
        r = subprocess.run(VIRSH + ["start", name], capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr.decode()
        state = ""
        for _ in range(120):
            state = subprocess.run(VIRSH + ["domstate", name, "--reason"], capture_output=True,
                                   timeout=30).stdout.decode()
            if "shut off" in state:
                break
            time.sleep(0.5)
        assert "shut off (shutdown)" in state, state
    finally:
        subprocess.run(VIRSH + ["destroy", name], capture_output=True)
        subprocess.run(VIRSH + ["undefine", name], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("argv, words", [
    (["libvirt"], ["PROGRAM"]),
    (["libvirt", "--machine", "microvm", "build/progs/hello"], ["--machine"]),
    (["libvirt", "--nic", "rtl8139", "build/progs/hello"], ["--nic"]),
    (["libvirt", "--smp", "0", "build/progs/hello"], ["--smp"]),
    (["libvirt", "--name", "a/b", "build/progs/hello"], ["--name"]),
    (["libvirt", "--bogus", "build/progs/hello"], ["--bogus"]),
    (["libvirt", "--initrd"], ["--initrd"]),
    (["libvirt", "--kernel", "/no/such/kernel", "build/progs/hello"], ["/no/such/kernel"]),
])
def test_libvirt_bad_usage(argv, words):
    refused([AMPHI] + argv, *words)
