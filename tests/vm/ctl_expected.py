"""Linux's transcript of tests/progs/ctl_calls.c, run natively as root (in its
own process group) on Linux 6.18: see docs/testing.md."""

CTL_CALLS = """\
fresh owner: 0, ex type 0 pid 0, sig 0
F_SETOWN INT_MIN: EINVAL
F_SETOWN no such pid: ESRCH
F_SETOWN no such group: ESRCH
F_SETSIG 65: EINVAL
F_SETSIG -1: EINVAL
F_SETOWN_EX type 5: EINVAL
F_SETOWN_EX pid -3: ESRCH
F_SETOWN_EX bad pointer: EFAULT
F_SETOWN on a bad fd: EBADF
F_GETOWN is pid: yes
F_GETOWN is -pgrp: yes, ex type 2 is pgrp: yes
F_OWNER_TID: ex type 0, F_GETOWN is tid: yes
F_GETSIG: RT_SIG
F_SETOWN 0: 0
pipe reader, SIGIO: SIGIO code 0x80
pipe reader, F_SETSIG: RT_SIG code 1 band 0x41 fd right
pipe reader, writer gone: RT_SIG code 1 band 0x41 fd right
FIOASYNC shows O_ASYNC: yes
pipe writer, room made: RT_SIG code 2 band 0x304 fd right
fifo reader: RT_SIG code 1 band 0x41 fd right
unix stream: RT_SIG code 1 band 0x41 fd right
unix dgram: RT_SIG code 1 band 0x41 fd right
udp: RT_SIG code 1 band 0x41 fd right
tcp listener, a connection: RT_SIG code 1 band 0x41 fd right
tcp data: RT_SIG code 1 band 0x41 fd right
O_ASYNC cleared: quiet
tcp data, owner a group: SIGIO code 0x80
handler: SIGIO
F_GETPIPE_SZ: 65536
F_SETPIPE_SZ 0: 4096
F_SETPIPE_SZ 5000: 8192
F_GETPIPE_SZ other end: 8192
F_SETPIPE_SZ 1 MiB: 1048576
F_SETPIPE_SZ 2 MiB: EPERM
F_SETPIPE_SZ 2^31+1: EINVAL
F_SETPIPE_SZ -1: EINVAL
F_SETPIPE_SZ 2^32+4096: 4096
F_GETPIPE_SZ file: EBADF
F_SETPIPE_SZ file: EBADF
write 8192 into 4096: 4096
write 1 more: EAGAIN
write 12000: 12000
shrink below what it holds: EBUSY
grow with data: 131072
write 4384: 4384
read back: 16384
bytes kept: yes
fifo F_GETPIPE_SZ: 65536
fifo F_SETPIPE_SZ 16384: 16384
fifo opened again: 65536
mmap pipe: ENODEV
mmap unix socket: ENODEV
mmap udp socket: ENODEV
mmap directory: ENODEV
mmap /dev/null: ENODEV
mmap /dev/urandom: ENODEV
mmap eventfd: ENODEV
mmap epoll: ENODEV
mmap /proc/self/status: ENODEV
mmap O_PATH: EBADF
mmap /dev/zero: ok
mmap bad fd: EBADF
mmap fd -1: EBADF
mmap read-only file, shared writable: EACCES
mmap read-only file, private writable: ok
mmap write-only file, readable: EACCES
mmap write-only file, write only: EACCES
mmap read-write file, shared: ok
ctl_calls done
"""
