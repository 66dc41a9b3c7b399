"""Processes, amphi against the Linux VM (`make bench`): the same static
program, build/progs/proc_bench, in both VMs (TCG, -M pc, -smp 1,maxcpus=2,
-m 128M), counting in the guest how many fork+exit+wait, fork+exec of the
static hello and busybox `sh -c true` complete per second, and timing a
busybox sh script that runs `echo hello | busybox cat >/dev/null` 200
times.  The guest's own monotonic clock times each figure, so boot time is
not in them.  Median of `runs` runs each."""

import os
import shutil
import statistics
import subprocess
import tempfile

from cpio import write_newc

MEM_MIB = 128
FIGURES = (("fork_exit_wait", "fork + exit + wait", "/s", True),
           ("fork_exec_hello", "fork + exec static hello + wait", "/s", True),
           ("sh_c_true", "busybox sh -c true", "/s", True),
           ("pipeline_200", "script: a pipeline 200 times", " s", False))

INIT = b"""#!/x/busybox sh
/x/busybox mount -t devtmpfs dev /dev
/x/busybox mount -t proc proc /proc
/proc_bench /x/hello /x/busybox
/x/busybox poweroff -f
"""


def parse(out, name="proc_bench"):
    """The figures the program printed ("NAME FIGURE VALUE" lines), or None
    without its last line ("NAME done")."""
    got = {}
    for line in out.decode("utf-8", "replace").splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == name:
            got[f[1]] = float(f[2])
        elif f == [name, "done"]:
            return got
    return None


def linux_once(vmlinuz, initrd, timeout):
    argv = [shutil.which("qemu-system-x86_64"), "-M", "pc", "-accel", "tcg", "-cpu", "max",
            "-smp", "1,maxcpus=2", "-m", "%dM" % MEM_MIB, "-display", "none", "-nodefaults",
            "-no-reboot", "-serial", "stdio", "-kernel", vmlinuz, "-initrd", initrd,
            "-append", "console=ttyS0 quiet panic=-1"]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def amphi_once(amphi, bench, folder, timeout):
    argv = [amphi, "run", "--accel", "tcg", "--machine", "pc", "--smp", "1", "-m",
            "%dM" % MEM_MIB, "--files", "%s:/x" % folder, bench, "/x/hello", "/x/busybox"]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)


def measure(side, once, runs, log, problems, name="proc_bench", what="processes"):
    """Medians per figure over `runs` runs, or {} after a failed run;
    name is the program's (its lines' first word), what the problems'."""
    seen = {}
    for _ in range(runs):
        try:
            r = once()
        except subprocess.TimeoutExpired:
            problems.append("%s, %s: timed out" % (what, side))
            return {}
        got = parse(r.stdout, name)
        if got is None:
            problems.append("%s, %s: status %d, output ends %r"
                            % (what, side, r.returncode, (r.stdout + r.stderr)[-300:]))
            return {}
        log("  %s: %s" % (side, ", ".join("%s %g" % kv for kv in sorted(got.items()))))
        for k, v in got.items():
            seen.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in seen.items()}


def run_all(root, amphi, vmlinuz, busybox, runs, timeout, log, problems, linux_only=False):
    bench = os.path.join(root, "build", "progs", "proc_bench")
    hello = os.path.join(root, "build", "progs", "hello")
    tmp = tempfile.mkdtemp(prefix="amphi-procbench-")
    try:
        folder = os.path.join(tmp, "x")
        os.mkdir(folder)
        shutil.copy(hello, folder)
        shutil.copy(busybox, os.path.join(folder, "busybox"))
        initrd = os.path.join(tmp, "initramfs.cpio")
        read = lambda p: open(p, "rb").read()
        write_newc(initrd, [
            ("dev", 0o040755, b"", (0, 0)), ("dev/console", 0o020600, b"", (5, 1)),
            ("proc", 0o040755, b"", (0, 0)), ("x", 0o040755, b"", (0, 0)),
            ("x/busybox", 0o100755, read(busybox), (0, 0)),
            ("x/hello", 0o100755, read(hello), (0, 0)),
            ("proc_bench", 0o100755, read(bench), (0, 0)),
            ("init", 0o100755, INIT, (0, 0))])
        log("processes: Linux")
        res = {"linux": measure("Linux", lambda: linux_once(vmlinuz, initrd, timeout), runs,
                                log, problems)}
        if not linux_only:
            log("processes: amphi")
            res["amphi"] = measure("amphi", lambda: amphi_once(amphi, bench, folder, timeout),
                                   runs, log, problems)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def rows(res, ratio):
    out = []
    for key, label, unit, higher in FIGURES:
        a, l = res.get("amphi", {}).get(key), res.get("linux", {}).get(key)
        fmt = (lambda x: "n/a" if x is None else "%.0f%s" % (x, unit)) if higher else \
            (lambda x: "n/a" if x is None else "%.3f%s" % (x, unit))
        out.append((label, fmt(a), fmt(l), ratio(l, a, higher),
                    "at least Linux's" if higher else "no slower than Linux"))
    return out


def targets(res):
    found = []
    for key, label, _, higher in FIGURES:
        a, l = res.get("amphi", {}).get(key), res.get("linux", {}).get(key)
        if a is not None and l is not None:
            met = a >= l if higher else a <= l
            found.append("%s %s the Linux VM's (target): %s"
                         % (label, "at least" if higher else "no slower than",
                            "met" if met else "NOT met"))
    return found
