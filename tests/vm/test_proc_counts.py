"""The machine's counts in /proc/stat and /proc/vmstat, as vmstat, top
and sar read them: interrupts, context switches, threads made, runnable
threads, page faults, and the KiB read from and written to disks.  Each
must move with what the program does: reading 8 MiB of a disk moves
pgpgin by at least 8192, writing 2 MiB moves pgpgout by 2048, touching
4 MiB faults at least 1024 pages, each command the shell starts is a
thread made.  Before, /proc/vmstat did not exist (Debian's vmstat failed:
"Unable to create vmstat structure") and /proc/stat said intr 0, ctxt 0,
processes 1, whatever happened."""
import os
import shutil
import subprocess

import pytest

from conftest import run

pytestmark = pytest.mark.usefixtures("amphi_works")

BUSYBOX = "/bin/busybox"
MIB = 1 << 20

SCRIPT = r"""
field() { grep "^$2 " "$1" | cut -d' ' -f2; }
in0=$(field /proc/vmstat pgpgin); fault0=$(field /proc/vmstat pgfault)
dd if=/dev/vda of=/dev/null bs=1M count=8 2>/dev/null
in1=$(field /proc/vmstat pgpgin)
out0=$(field /proc/vmstat pgpgout)
dd if=/dev/zero of=/data/f bs=1M count=2 conv=fsync 2>/dev/null
out1=$(field /proc/vmstat pgpgout)
dd if=/dev/zero of=/dev/null bs=4M count=1 2>/dev/null
fault1=$(field /proc/vmstat pgfault)
p0=$(field /proc/stat processes); c0=$(field /proc/stat ctxt); i0=$(field /proc/stat intr)
for k in 1 2 3 4 5; do true; /bin/busybox true; done
sleep 0.2
p1=$(field /proc/stat processes); c1=$(field /proc/stat ctxt); i1=$(field /proc/stat intr)
echo "pgpgin moved: $((in1 - in0 >= 8192))"
echo "pgpgout moved: $((out1 - out0 >= 2048))"
echo "pgfault moved: $((fault1 - fault0 >= 1024))"
echo "processes moved: $((p1 - p0 >= 5))"
echo "ctxt moved: $((c1 > c0))"
echo "intr moved: $((i1 > i0))"
echo "procs_running: $(($(field /proc/stat procs_running) >= 1))"
echo "swap: $(field /proc/vmstat pswpin) $(field /proc/vmstat pswpout)"
"""

WANT = """\
pgpgin moved: 1
pgpgout moved: 1
pgfault moved: 1
processes moved: 1
ctxt moved: 1
intr moved: 1
procs_running: 1
swap: 0 0
"""


@pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="needs busybox-static")
@pytest.mark.parametrize("smp", [1, 2])
def test_counts_move(tmp_path, smp):
    img = tmp_path / "d.img"
    with open(img, "wb") as f:
        f.truncate(32 * MIB)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", str(img)], check=True)
    r = run(BUSYBOX, "sh", "-c", SCRIPT, smp=smp, options=["--disk", "%s:/data" % img])
    assert (r.status, r.stdout.decode()) == (0, WANT), r.diff(WANT)


@pytest.mark.skipif(not shutil.which("vmstat"), reason="needs procps' vmstat")
def test_procps_vmstat():
    r = run(shutil.which("vmstat"), "1", "2")
    lines = r.stdout.decode().splitlines()
    assert (r.status, r.stderr, len(lines)) == (0, b"", 4), r.describe()
    assert lines[1].split()[:4] == ["r", "b", "swpd", "free"], r.describe()


LOADAVG = r"""
cat /proc/loadavg
for i in 1 2 3; do (while :; do :; done) & done
sleep 11
cat /proc/loadavg
uptime
kill %1 %2 %3
"""


@pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="needs busybox-static")
def test_load_average():
    """Three busy threads for 11 s (two of the 5 s samples): the 1-minute
    average rises (0.46 when both samples see them, as Linux's would),
    above the 5- and 15-minute ones; sysinfo (busybox's uptime) says the
    same as /proc/loadavg.  Before, both said 0.00 whatever ran."""
    r = run(BUSYBOX, "sh", "-c", LOADAVG, smp=2, limit=120)
    lines = r.stdout.decode().splitlines()
    assert r.status == 0 and len(lines) == 3, r.describe()
    assert lines[0].split()[:3] == ["0.00", "0.00", "0.00"], r.describe()
    loads = [float(x) for x in lines[1].split()[:3]]
    running, threads = (int(x) for x in lines[1].split()[3].split("/"))
    assert loads[0] >= 0.2 and loads[0] > loads[1] > loads[2] > 0, r.describe()
    assert running >= 3 and threads >= running, r.describe()
    assert lines[2].endswith("load average: %s, %s, %s" % tuple(lines[1].split()[:3])), r.describe()
