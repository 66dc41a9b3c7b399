"""Under TCG, QEMU keys each block of guest code it translates with the CPU
state the block runs under: the CPL, the segments' size bits, CR0.MP,
CR4.OSFXSR and CR4.SMAP, EFLAGS.AC and more.  Code reached under two keys
is translated twice, and translation is most of what boot costs under TCG
(about 8 us a block; docs/bench.md).  So no kernel path may change the key:
not boot before the control registers are set (cpu_init_control, first on
every CPU), nor a fault or interrupt from user mode, where the CPU loads a
null SS (entry.S loads the kernel's)."""

import collections
import os
import re
import shutil
import subprocess

import pytest

from conftest import KERNEL, ROOT, qemu_wrapper, run

KERNEL_BASE = 0xffffffff80000000
# The keys kernel code may legitimately differ in: the instruction after
# sti or a load of SS (HF_INHIBIT_IRQ), and a copy to or from user memory
# between stac and clac (EFLAGS.AC).
MAY_DIFFER = (1 << 3) | (1 << 18)
TRACE = re.compile(rb"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/", re.M)


def entry_before_ss():
    """The entry code that runs before the kernel's SS is loaded: the
    vector stubs up to trap_kernel_ss (entry.S)."""
    out = subprocess.run(["nm", os.path.join(ROOT, KERNEL)], capture_output=True, text=True,
                         check=True).stdout
    syms = {name: int(addr, 16) for addr, _, name in (l.split() for l in out.splitlines()
                                                       if len(l.split()) == 3)}
    return range(syms["vectors_start"], syms["trap_kernel_ss"])


def kernel_keys(log):
    """Each kernel address QEMU ran a block at, with the keys it ran under,
    but for the entry code that runs before the kernel's SS is loaded."""
    keys = collections.defaultdict(set)
    before_ss = entry_before_ss()
    for m in TRACE.finditer(log):
        pc = int(m.group(1), 16)
        if pc >= KERNEL_BASE and pc not in before_ss:
            keys[pc].add(int(m.group(2), 16) & ~MAY_DIFFER)
    return keys


@pytest.mark.parametrize("machine,smp", [("microvm", 1), ("pc", 2)])
def test_kernel_code_is_translated_under_one_key(tmp_path, machine, smp):
    log = tmp_path / "exec.log"
    wrapper = qemu_wrapper(tmp_path, body='exec %s -d exec -D %s "$@"'
                           % (shutil.which("qemu-system-x86_64"), log))
    r = run("hello", machine=machine, smp=smp, options=["--qemu", wrapper])
    assert (r.status, r.stdout) == (0, b"hello from amphi\n"), r.describe()
    keys = kernel_keys(log.read_bytes())
    assert len(keys) > 1000, "QEMU's -d exec log has too few kernel blocks: %d" % len(keys)
    twice = sorted((pc, sorted(k)) for pc, k in keys.items() if len(k) > 1)
    assert not twice, "%d kernel blocks translated under two keys, first %s" % (
        len(twice), ["%x: %s" % (pc, " ".join("%x" % f for f in k)) for pc, k in twice[:5]])
