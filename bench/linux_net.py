"""The Linux VM of the network benchmarks: Debian's cloud kernel with a
virtio-net NIC on QEMU's user networking, running one server program.

Debian's cloud kernel builds virtio_pci and virtio_net as modules (see
boot/config-*: CONFIG_VIRTIO_PCI=m, CONFIG_VIRTIO_NET=m), so the initramfs
carries them and every module they depend on, found through the depends=
field of each module's .modinfo (the package ships no modules.dep: depmod runs
at install time).  /init (a busybox sh script) loads them in dependency order,
configures eth0 statically the way QEMU's slirp expects (10.0.2.15/24, gateway
10.0.2.2) and runs the server; the host reaches it through hostfwd.  Over a
tap (netbench.tap_namespace) eth0 is TAP_GUEST_IP instead, on a queue pair
per vCPU, and a dynamically linked server brings its libraries along.
"""

import os
import re
import shlex
import subprocess

from cpio import write_newc

QEMU = "qemu-system-x86_64"
# The NIC's drivers: the PCI transport and the network device.
WANTED_MODULES = ("virtio_pci", "virtio_net")
GUEST_IP, GUEST_PREFIX, GATEWAY = "10.0.2.15", 24, "10.0.2.2"
# Over a tap (netbench.tap_namespace): the guest's address and the host's.
TAP_GUEST_IP, TAP_HOST_IP = "192.168.79.2", "192.168.79.1"


def moddir_for(vmlinuz):
    """lib/modules/VERSION beside boot/vmlinuz-VERSION in the unpacked package."""
    boot = os.path.dirname(os.path.abspath(vmlinuz))
    version = os.path.basename(vmlinuz)[len("vmlinuz-"):]
    moddir = os.path.join(os.path.dirname(boot), "lib", "modules", version)
    if not os.path.isdir(moddir):
        raise RuntimeError("no modules for %s at %s" % (vmlinuz, moddir))
    return moddir


def modinfo_depends(ko):
    """The module names in a .ko's `depends=` modinfo string."""
    with open(ko, "rb") as f:
        img = f.read()
    at = img.find(b"\0depends=")
    if at < 0:
        return []
    end = img.index(b"\0", at + 1)
    value = img[at + len(b"\0depends="):end].decode()
    return [m for m in value.split(",") if m]


def module_files(moddir):
    """Module name -> .ko path under lib/modules/VERSION.  Names use '_'
    where file names may use '-' (the kernel treats them alike)."""
    found = {}
    for dirpath, _, files in os.walk(os.path.join(moddir, "kernel")):
        for f in files:
            if f.endswith(".ko"):
                found[f[:-3].replace("-", "_")] = os.path.join(dirpath, f)
            elif f.endswith((".ko.xz", ".ko.zst", ".ko.gz")):
                raise RuntimeError("compressed module %s: busybox insmod cannot load it; "
                                   "decompress it first" % f)
    return found


def load_order(moddir, wanted=WANTED_MODULES):
    """The .ko paths of `wanted` and everything they depend on, each after
    its dependencies.  Names listed in modules.builtin are already in the
    kernel and are skipped."""
    builtin = set()
    path = os.path.join(moddir, "modules.builtin")
    if os.path.isfile(path):
        with open(path) as f:
            builtin = {os.path.basename(l.strip())[:-3].replace("-", "_") for l in f if l.strip()}
    files = module_files(moddir)
    order, seen = [], set()

    def visit(name, chain):
        if name in seen or name in builtin:
            return
        if name in chain:
            raise RuntimeError("module dependency loop: %s" % " -> ".join(chain + [name]))
        if name not in files:
            raise RuntimeError("module %s not found under %s" % (name, moddir))
        for dep in modinfo_depends(files[name]):
            visit(dep.replace("-", "_"), chain + [name])
        seen.add(name)
        order.append(files[name])

    for name in wanted:
        visit(name, [])
    return order


def init_script(modules, argv, tap=False):
    """/init: modules, network, then the server in the foreground; if it
    ever exits, the VM powers off."""
    ip, gateway = (TAP_GUEST_IP, TAP_HOST_IP) if tap else (GUEST_IP, GATEWAY)
    bb = "/bin/busybox"
    lines = ["#!/bin/busybox sh",
             "%s mount -t proc proc /proc" % bb,
             "%s mount -t devtmpfs dev /dev" % bb]
    for m in modules:
        lines.append("%s insmod /lib/modules/%s || echo 'linux-net: insmod %s failed'"
                     % (bb, m, m))
    lines += ["%s ip link set lo up" % bb,
              "%s ip link set eth0 up" % bb,
              "%s ip addr add %s/%d dev eth0" % (bb, ip, GUEST_PREFIX),
              "%s ip route add default via %s" % (bb, gateway),
              "echo 'linux-net: eth0 up'",
              " ".join(shlex.quote(a) for a in argv),
              "echo \"linux-net: server exited with status $?\"",
              "%s poweroff -f" % bb]
    return ("\n".join(lines) + "\n").encode()


# A dynamically linked server (Debian's nginx) runs as root; its library
# looks users up by name.
ETC_FILES = (("etc/passwd", b"root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"),
             ("etc/group", b"root:x:0:\nnogroup:x:65534:\n"))


def shared_libs(program):
    """(guest path, host path) of each library a dynamically linked program
    loads, the dynamic loader included, as ldd finds them here; none for a
    static one."""
    r = subprocess.run(["ldd", program], capture_output=True, text=True)
    if r.returncode != 0:
        return []    # "not a dynamic executable"
    libs = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(?:\S+ => )?(/\S+) \(0x", line)
        if m:
            libs.append((m.group(1), os.path.realpath(m.group(1))))
    return libs


def build_initramfs(path, busybox, moddir, program, args, files=(), tap=False):
    """An initramfs running `program args` as /prog after the network is up,
    with the libraries it loads and ETC_FILES.  files: (guest path relative
    to /, host path) pairs, e.g. a document root's pages; their directories
    are created."""
    modules = load_order(moddir)
    libs = shared_libs(program)
    dirs = ["bin", "dev", "proc", "tmp", "lib", "lib/modules", "etc"]
    for guest, _ in list(files) + libs:
        parts = guest.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.append(d)
    entries = [(d, 0o040755, b"", (0, 0)) for d in dirs]
    entries.append(("dev/console", 0o020600, b"", (5, 1)))

    def add_file(name, host, mode=0o100755):
        with open(host, "rb") as f:
            entries.append((name, mode, f.read(), (0, 0)))

    add_file("bin/busybox", busybox)
    for m in modules:
        add_file("lib/modules/" + os.path.basename(m), m, 0o100644)
    add_file("prog", program)
    for guest, host in files:
        add_file(guest.strip("/"), host, 0o100644)
    for guest, host in libs:
        add_file(guest.strip("/"), host)
    entries += [(name, 0o100644, data, (0, 0)) for name, data in ETC_FILES]
    names = [os.path.basename(m) for m in modules]
    entries.append(("init", 0o100755, init_script(names, ["/prog"] + list(args), tap), (0, 0)))
    write_newc(path, entries)
    return names


def qemu_argv(vmlinuz, initrd, mem_mib, host_port, guest_port, smp=1, tap=False):
    """The boot benchmark's machine (-M pc, TCG, smp vCPUs, at least 2
    possible) plus a virtio-net-pci NIC on slirp, host 127.0.0.1:host_port
    -> guest_port; or with tap, on the multiqueue tap0 with a queue pair
    per vCPU (at least 2: QEMU opens a multiqueue tap only so), as amphi
    run gives its own."""
    netdev = "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d" % (host_port, guest_port)
    device = "virtio-net-pci,netdev=n0"
    if tap:
        queues = max(smp, 2)
        netdev = "tap,id=n0,ifname=tap0,script=no,downscript=no,vhost=off,queues=%d" % queues
        device += ",mq=on,vectors=%d" % (2 * queues + 2)
    return [QEMU, "-M", "pc", "-accel", "tcg", "-cpu", "max",
            "-smp", "%d,maxcpus=%d" % (smp, max(smp, 2)),
            "-m", "%dM" % mem_mib, "-display", "none", "-nodefaults", "-no-reboot",
            "-serial", "stdio", "-kernel", vmlinuz, "-initrd", initrd,
            "-netdev", netdev, "-device", device,
            "-append", "console=ttyS0 quiet panic=-1"]
