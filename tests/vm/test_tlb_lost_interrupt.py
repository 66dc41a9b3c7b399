"""A TLB shoot-down survives an interrupt that never arrives
(kernel/arch/x86_64/tlb.c): "amphi.tlb_lose=3" drops every third TLB
interrupt, and stress_mm's threads map, protect and unmap while others
fault.  The initiator asks again whoever has not answered, and a CPU
spinning for the lock it holds answers by itself.  Without both, this run
ended in a lockup panic ("spinlock ... not released")."""
from conftest import qemu_wrapper, run


def test_a_lost_tlb_interrupt_is_asked_again(tmp_path):
    q = qemu_wrapper(tmp_path, "amphi.tlb_lose=3 amphi.watchdog=5")
    r = run("stress_mm", 1, 300, smp=4, options=["--qemu", q], limit=120)
    assert (r.status, r.stdout, r.stderr) == (0, b"mm ok\n", b""), r.describe()
