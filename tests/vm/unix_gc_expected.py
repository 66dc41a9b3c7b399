"""What tests/progs/unix_gc prints natively on Linux (6.18, x86_64): the
cycles as root, the in-flight limit as an unprivileged user with a
descriptor limit of 1024 (as the program's header says)."""

UNIX_GC_CYCLES = """\
stream pairs in their own queues: 25000 freed
datagram pairs in their own queues: 25000 freed
pairs in each other's queues: 12500 freed
listeners held by their connections: 2500 freed
reachable socket kept its data
kernel still answers
"""

UNIX_GC_LIMIT = """\
in flight until ETOOMANYREFS after 1025
in flight again after closing
kernel still answers
"""
