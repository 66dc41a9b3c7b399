"""What tests/progs/futex_ops prints natively on Linux (6.18, x86_64)."""

FUTEX_OPS = """\
wait, value differs: EAGAIN
wait, misaligned: EINVAL
wait, NULL: EFAULT
wait, kernel word: EFAULT
wait, non-canonical word: EFAULT
wait, unmapped word: EFAULT
wait, PROT_NONE word: EFAULT
wait, nanoseconds 1e9: EINVAL
wait, negative seconds: EINVAL
wait, timeout unreadable: EFAULT
wait, bad timeout but value differs: EINVAL
wait, 1 ms: ETIMEDOUT
wait_bitset, absolute past: ETIMEDOUT
wait_bitset, realtime past: ETIMEDOUT
wait_bitset, bitset 0: EINVAL
wait, realtime clock: ENOSYS
wake, realtime clock: ENOSYS
requeue, realtime clock: ENOSYS
operation 14: ENOSYS
operation 99: ENOSYS
wake, nobody: 0
wake, misaligned: EINVAL
wake, bitset 0: EINVAL
wake, bitset 0 and misaligned: EINVAL
wake, kernel word: EFAULT
wake, non-canonical word: EFAULT
wake private, unmapped word: 0
wake shared, unmapped word: EFAULT
wake shared, PROT_NONE word: EFAULT
requeue, negative wake count: EINVAL
requeue, negative requeue count: EINVAL
requeue, misaligned target: EINVAL
requeue, kernel target: EFAULT
requeue, kernel source: EFAULT
cmp_requeue, value differs: EAGAIN
cmp_requeue, value equal, nobody: 0
cmp_requeue private, unmapped source: EFAULT
wake_op, misaligned target: EINVAL
wake_op, read-only target: EFAULT
wake_op, kernel target: EFAULT
wake 0 of 3: 1
wake -1 of 2: 1
left: 1
wake 0, wake -1: 2 had returned 0
wake 2 of 4: 2
wake_bitset 2 of 2 with bit 1: 2
left: 0
wake 2, wake 2: 4 had returned 0
requeue wake 1 move 2 of 5: 3
left on first: 2
on second: 2
cmp_requeue wake 0 move 0: 0
cmp_requeue wake 1 move 0: 1
cmp_requeue wake 0 move all: 1
left on first: 0
on second: 3
requeue: 2 had returned 0
requeue to itself, wake 0 move all of 3: 3
requeue to itself, wake 1 move all of 3: 3
cmp_requeue to itself, wake max move max of 2: 2
requeue to itself: 3 had returned 0
set 7: 0, word 0x7
add -1: 0, word 0x9
or 0x30: 0, word 0x31
andn 1: 0, word 0x2
xor 0xfff: 0, word 0xfffffffe
set 1<<5: 0, word 0x20
set 1<<40 (shift taken mod 32): 0, word 0x100
operation 5: ENOSYS, word 0x1
operation 7: ENOSYS, word 0x1
comparison 6: ENOSYS, word 0x2
comparison 15: ENOSYS, word 0x2
wake_op old 0 eq 0: 3
wake_op old 0 eq 0: 3 had returned 0
wake_op old 0 eq 1: 1
wake_op old 0 eq 1: 1 had returned 0
wake_op old 0 ne 0: 1
wake_op old 0 ne 0: 1 had returned 0
wake_op old 0 lt -1: 1
wake_op old 0 lt -1: 1 had returned 0
wake_op old 0 lt 1: 3
wake_op old 0 lt 1: 3 had returned 0
wake_op old 0 le 0: 3
wake_op old 0 le 0: 3 had returned 0
wake_op old 0 gt -2048: 3
wake_op old 0 gt -2048: 3 had returned 0
wake_op old 0 ge 2047: 1
wake_op old 0 ge 2047: 1 had returned 0
futex_ops done
"""
