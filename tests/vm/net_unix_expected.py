"""What the net_unix_* and net_socket_api test programs print on Linux:
each transcript was taken by running the program natively (musl, static)
on a Linux 6.18 host as root, in a fresh directory, piped through cat,
exactly as test_net_unix.py runs it in the guest.  One line per step: ok,
a value, or the errno's name (tests/progs/net_unix_check.h).
"""

NET_UNIX_STREAM = r"""1 MiB each way, verified: 1 1 1 1
SO_TYPE: 1
SO_PEERCRED: pid is mine 1, uid 0, gid 0, len 12
poll, idle pair: 0x4
recv MSG_DONTWAIT on empty: EAGAIN
FIONREAD: 11
poll, data waiting: 0x5
MSG_PEEK 3: 3
read gathers both writes: 11 "hello world"
MSG_WAITALL 16 bytes from 4 writes: 16
recv with SO_RCVTIMEO 100 ms: EAGAIN
SO_RCVTIMEO reads back: 0.100000
SO_RCVTIMEO with 2000000 us: EDOM
SO_SNDBUF after setting 65536: 131072
IPPROTO_TCP option on AF_UNIX: EOPNOTSUPP
unknown SOL_SOCKET option: ENOPROTOOPT
read after the peer's SHUT_WR: 0
poll after the peer's SHUT_WR: 0x2005
the other way still works: 1
write after own SHUT_WR: EPIPE
shutdown bad how: EINVAL
poll after the peer closed: 0x201d
write to a closed peer: EPIPE
SIGPIPE raised: 1
send MSG_NOSIGNAL to a closed peer: EPIPE
SIGPIPE raised: 1
read after the peer closed with data unread: ECONNRESET
then: 0
listen unbound: EINVAL
bind to a path: ok
node is a socket: 1, mode 755
bind again: EADDRINUSE
bind another to the same path: EADDRINUSE
open the node: ENXIO
connect before listen: ECONNREFUSED
listen: ok
connect: ok
connect again: EISCONN
listener's name: len 6 family 1 "BASE/s1"
client's name: len 2 family 1 ""
client's peer: len 6 family 1 "BASE/s1"
accepted's name: len 6 family 1 "BASE/s1"
accepted's peer: len 2 family 1 ""
listener's peer: ENOTCONN
client to server: 4 4 ping
dgram connect to a stream listener: EPROTOTYPE
connect after unlink: ENOENT
bind l2 to the freed path: ok
connect to a closed socket's node: ECONNREFUSED
connect to a regular file: ECONNREFUSED
bind in a missing directory: ENOENT
bind abstract: ok
abstract name: len 22, same bytes 1
bind the same abstract name: EADDRINUSE
accept with nothing pending: EAGAIN
non-blocking connect 1, backlog 1: ok
non-blocking connect 2, backlog 1: ok
non-blocking connect 3, backlog 1: EAGAIN
poll on the listener: 1 0x1
accept4 flags: nonblock 1 cloexec 1
SO_ACCEPTCONN: 1
bind the name after its socket closed: ok
autobind: ok
autobound name: len 8, abstract 1
"""

NET_UNIX_DGRAM = r"""FIONREAD, next datagram: 3
recv 64: 3
recv 2 of 5: 2
empty datagram: 0
MSG_TRUNC gives the real length: 9
recvmsg 3 of 5: 3, MSG_TRUNC in msg_flags 1
MSG_PEEK: 6, then recv: 6
recv MSG_DONTWAIT on empty: EAGAIN
300000-byte datagram: EMSGSIZE
100000-byte datagram: 100000, received: 100000
sendto with an address on a connected pair: ok
recv after SHUT_RD: 1
send to a peer that shut reading: EPIPE
send unconnected without an address: ENOTCONN
sendto a path from an unbound socket: ok
recvfrom: 2, address length 0
recvfrom a bound sender: same address 1
connect x to y: ok
z sends to x, connected elsewhere: EPERM
y sends to x: ok
x receives: 3
x sends to its peer: ok
y receives: 4
disconnect x with AF_UNSPEC: ok
z sends to x again: ok
connect z to y: ok
z sends to its closed peer: ECONNREFUSED
z sends again: ENOTCONN
sendto a missing path: ENOENT
-- SCM_RIGHTS over a stream pair
send the pipe's write end: 1
receive: 1 byte, 1 fds, controllen 24, ctrunc 0, cloexec 1
write through the passed end: 6, read: 6 "via fd", then EOF: 0
send three: 1
receive with room for one: 1 byte, 2 fds, controllen 24, ctrunc 1, cloexec 0
send two: 1
peek: 1 byte, 2 fds, controllen 24, ctrunc 0, cloexec 0
receive without control room: 1 byte, 0 fds, controllen 0, ctrunc 1, cloexec -1
send a bad descriptor: EBADF
-- SCM_RIGHTS over a datagram pair
send the pipe's write end: 1
receive: 1 byte, 1 fds, controllen 24, ctrunc 0, cloexec 1
write through the passed end: 6, read: 6 "via fd", then EOF: 0
send three: 1
receive with room for one: 1 byte, 2 fds, controllen 24, ctrunc 1, cloexec 0
send two: 1
peek: 1 byte, 2 fds, controllen 24, ctrunc 0, cloexec 0
receive without control room: 1 byte, 0 fds, controllen 0, ctrunc 1, cloexec -1
send a bad descriptor: EBADF
"""

NET_SOCKET_API = r"""AF_IPX (not built): EAFNOSUPPORT
family 46: EAFNOSUPPORT
family -1: EAFNOSUPPORT
AF_UNIX type 0: ESOCKTNOSUPPORT
AF_UNIX type 11: EINVAL
AF_UNIX SOCK_RAW: ok, SO_TYPE 2
AF_UNIX unknown flag in type: EINVAL
AF_UNIX protocol 5: EPROTONOSUPPORT
socketpair AF_INET: EOPNOTSUPP
socketpair family 46: EAFNOSUPPORT
socketpair to a bad pointer: EFAULT
SOCK_NONBLOCK|SOCK_CLOEXEC: F_GETFL 04002, FD_CLOEXEC 1
fstat: socket 1, size 0
SO_DOMAIN: 1, SO_PROTOCOL: 0
lseek on a socket: ESPIPE
pread on a socket: ESPIPE
bind on a bad fd: EBADF
bind on a pipe: ENOTSOCK
connect on a pipe: ENOTSOCK
listen on a pipe: ENOTSOCK
accept on a pipe: ENOTSOCK
send on a pipe: ENOTSOCK
recv on a pipe: ENOTSOCK
shutdown on a pipe: ENOTSOCK
getsockname on a pipe: ENOTSOCK
getsockopt on a pipe: ENOTSOCK
setsockopt on a bad fd: EBADF
sendmsg on a bad fd: EBADF
bind with a bad address pointer: EFAULT
bind with length 200: EINVAL
bind with length 1: EINVAL
connect with a bad address pointer: EFAULT
send from a bad buffer: EFAULT
recv into a bad buffer: EFAULT
sendto a bad address: EFAULT
sendmsg with a bad msghdr: EFAULT
recvmsg with a bad msghdr: EFAULT
sendmmsg with a bad vector: EFAULT
getsockopt with a bad length pointer: EFAULT
getsockopt with a bad value pointer: EFAULT
getsockopt with a negative length: EINVAL
setsockopt with a short int: EINVAL
setsockopt from a bad pointer: EFAULT
SO_TYPE is read-only: ENOPROTOOPT
getsockname with a bad length pointer: EFAULT
listen on a socketpair end: EINVAL
accept on a connected socket: EINVAL
sendmsg with 1025 iovecs: EMSGSIZE
sendmsg with 1024 iovecs: 1024
sendmsg with a bad iovec: EFAULT
sendmsg with a bad iovec array: EFAULT
listen on a datagram socket: EOPNOTSUPP
accept on a datagram socket: EOPNOTSUPP
writev on a socket: 7
readv on a socket: 7
data: abcdefg
sendfile from a file to a socket: 16
read it: 16
sendmmsg 3: 3
msg_len: 3 4 5
recvmmsg 3 with a timeout: 3
msg_len: 3 4 5
recvmmsg MSG_DONTWAIT on empty: EAGAIN
recvmmsg MSG_WAITFORONE: 1
recvmmsg with a bad timeout: EFAULT
epoll: nothing ready: 0
epoll: socket and eventfd ready: 2, mask 0x5
epoll edge-triggered: nothing new: 0
epoll: more data on the socket: 1, which 0
poll: 3 ready: 0x1 0x1 0x1
epoll: peer closed: 0x2011
select: readable at EOF: 1
socket when full: EMFILE
socketpair when full: EMFILE
socketpair with one free: EMFILE
the free descriptor is the same: 1
"""
