"""/sys, as programs read it: the CPUs (each vCPU a core of one package,
one NUMA node), transparent huge pages (never), and the disks with their
partitions and links by device number; util-linux's lscpu and lsblk
(Debian's, dynamically linked) on top.  The files' forms are Linux's
(cpulist "0-3", cpumask hex, sizes in 512-byte sectors).  Before, /sys did
not exist: lscpu and lsblk failed with "No such file or directory"."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"
MIB = 1 << 20

SCRIPT = r"""
for f in possible present online offline kernel_max cpu1/topology/core_id \
         cpu1/topology/physical_package_id cpu1/topology/core_cpus cpu1/topology/core_cpus_list \
         cpu1/topology/package_cpus cpu1/topology/package_cpus_list; do
    echo "cpu/$f: $(cat /sys/devices/system/cpu/$f)"
done
echo "node0/cpulist: $(cat /sys/devices/system/node/node0/cpulist)"
echo "node0/cpumap: $(cat /sys/devices/system/node/node0/cpumap)"
echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
for f in dev size ro removable queue/logical_block_size vda1/partition vda1/start vda1/size \
         vda1/dev vda2/start; do
    echo "vda/$f: $(cat /sys/block/vda/$f)"
done
echo "nvme0n1: $(cat /sys/block/nvme0n1/dev) $(cat /sys/block/nvme0n1/size)"
echo "dev/block: $(ls /sys/dev/block | tr '\n' ' ')"
echo "254:1 -> $(readlink /sys/dev/block/254:1)"
echo "statfs: $(stat -f -c %T /sys)"
grep sysfs /proc/mounts
echo 1 2>/dev/null > /sys/devices/system/cpu/online || echo "write refused"
rm /sys/block/vda/size 2>/dev/null || echo "rm refused"
"""

FILES = """\
cpu/possible: 0-3
cpu/present: 0-3
cpu/online: 0-3
cpu/offline: 
cpu/kernel_max: 63
cpu/cpu1/topology/core_id: 1
cpu/cpu1/topology/physical_package_id: 0
cpu/cpu1/topology/core_cpus: 2
cpu/cpu1/topology/core_cpus_list: 1
cpu/cpu1/topology/package_cpus: f
cpu/cpu1/topology/package_cpus_list: 0-3
node0/cpulist: 0-3
node0/cpumap: f
thp: always madvise [never]
vda/dev: 254:0
vda/size: 131072
vda/ro: 0
vda/removable: 0
vda/queue/logical_block_size: 512
vda/vda1/partition: 1
vda/vda1/start: 2048
vda/vda1/size: 65536
vda/vda1/dev: 254:1
vda/vda2/start: 67584
nvme0n1: 259:0 32768
dev/block: 254:0 254:1 254:2 259:0 
254:1 -> ../../block/vda/vda1
statfs: sysfs
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
write refused
rm refused
"""

LSBLK = """\
NAME    MAJ:MIN RM SIZE RO TYPE MOUNTPOINTS
vda     254:0    0  64M  0 disk 
|-vda1  254:1    0  32M  0 part /data
`-vda2  254:2    0  31M  0 part 
nvme0n1 259:0    0  16M  0 disk 
"""


@pytest.fixture
def disks(tmp_path):
    """A 64 MiB disk with two partitions, ext4 on the first, and a 16 MiB
    NVMe one: the options that give them to the guest."""
    disk, other = tmp_path / "d.img", tmp_path / "n.img"
    with open(disk, "wb") as f:
        f.truncate(64 * MIB)
    with open(other, "wb") as f:
        f.truncate(16 * MIB)
    subprocess.run(["sfdisk", "-q", str(disk)], check=True, capture_output=True,
                   input=b"label: dos\nstart=2048, size=65536, type=83\nstart=67584, type=83\n")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-E", "offset=%d" % (2048 * 512), str(disk),
                    "32M"], check=True, capture_output=True)
    return ["--disk", "%s:/data" % disk, "--disk", "%s,if=nvme" % other]


@pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="needs busybox-static")
def test_sysfs_files(disks):
    r = run(BUSYBOX, "sh", "-c", SCRIPT, machine="q35", smp=4, options=disks)
    assert (r.status, r.stdout.decode()) == (0, FILES), r.diff(FILES)


@pytest.mark.skipif(not shutil.which("lsblk"), reason="needs util-linux's lsblk")
def test_lsblk(disks):
    r = run(shutil.which("lsblk"), machine="q35", options=disks)
    assert (r.status, r.stdout.decode(), r.stderr) == (0, LSBLK, b""), r.diff(LSBLK)


@pytest.mark.skipif(not shutil.which("lscpu"), reason="needs util-linux's lscpu")
@pytest.mark.parametrize("smp, online", [(1, "0"), (2, "0,1"), (4, "0-3")])
def test_lscpu(smp, online):
    r = run(shutil.which("lscpu"), smp=smp)
    assert (r.status, r.stderr) == (0, b""), r.describe()
    fields = dict(re.findall(r"^([^:\n]+):\s*(.*)$", r.stdout.decode(), re.M))
    assert {k: fields.get(k) for k in ("CPU(s)", "On-line CPU(s) list", "Thread(s) per core",
                                       "Core(s) per socket", "Socket(s)", "NUMA node(s)")} == {
        "CPU(s)": str(smp), "On-line CPU(s) list": online, "Thread(s) per core": "1",
        "Core(s) per socket": str(smp), "Socket(s)": "1", "NUMA node(s)": "1"}, r.describe()
