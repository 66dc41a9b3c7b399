"""EFLAGS.AC, SMAP's override, set by a program (tests/progs/ac_flag.c):
six threads on two CPUs set it with popf and take page faults, copying
system calls and preemption.  Every kernel entry must close it (clac), or
the handler, and any thread it switches to, runs with SMAP off; the
scheduler checks that at every switch (BUG_ON).  Checked to fail without
the clac in entry.S: "kernel panic: BUG_ON(arch_user_access_open())" from
schedule on the way back to the program.  TCG's `-cpu max` has SMAP.  The
line is the same program's on the host's Linux."""
import pytest

from conftest import expect, run

pytestmark = pytest.mark.usefixtures("amphi_works")


def test_program_set_ac_never_opens_user_memory_to_the_kernel():
    expect(run("ac_flag"), "240 of 240 rounds with AC set: memory, copies and AC kept\n")
