"""What tests/progs/net_inet_tcp prints on Linux: the transcript was taken by
running the program natively (musl, static) on a Debian host, piped through
cat, exactly as test_net_inet.py runs it in the guest.  Ports show as "P"
since they vary."""

NET_INET_TCP = r"""== IPv4
unbound name: 0.0.0.0:0
connect: ok
accept: ok
client name: 127.0.0.1:P
accept peer matches client: 1
client peer matches listener: 1
accepted name matches listener: 1
connect again: EISCONN
listener getpeername: ENOTCONN
connect to a closed port: ECONNREFUSED
non-blocking connect to a closed port: EINPROGRESS
poll: out 1 err 1 hup 1
SO_ERROR: ECONNREFUSED
SO_ERROR again: 0
non-blocking connect: EINPROGRESS
poll: out 1 err 0
SO_ERROR: 0
connect after completion: ok
connect once more: EISCONN
recv with nothing sent: EAGAIN
accept: ok
echo: wrote 1048576, read back 1048576, wrong 0, last read 0, server saw EOF 1
send over a hole: peer got what send counted 1, none past the hole 1, wrong 0
send from a hole: EFAULT
send 100 bytes from a hole: EFAULT
FIONREAD: 5
peek: 5 hello
recv 3: 3 hel
recv rest: 2 lo
recv MSG_DONTWAIT on empty: EAGAIN
FIONREAD empty: 0
waitall: 4 abcd
shutdown SHUT_WR: ok
server reads EOF: 0
server still sends: 2
client still reads: 2
client send after SHUT_WR: EPIPE
client reads EOF: 0
and again: 0
poll after EOF: in 1 rdhup 1 hup 1
server reads the request: 7
client reads the answer: 6
client reads EOF, no reset: 0
SO_LINGER 0: ok
poll after reset: in 1 err 1 hup 1
recv after reset: ECONNRESET
recv again: ok
send after reset: EPIPE
SO_TYPE: 1
SO_ERROR: 0
SO_ACCEPTCONN: 0
TCP_NODELAY: 0
TCP_NODELAY set: 1
SO_KEEPALIVE: 0
SO_KEEPALIVE set: 1
SO_REUSEADDR set: 1
SO_REUSEPORT set: 1
TCP_KEEPIDLE: 7200
TCP_KEEPIDLE set: 30
TCP_KEEPINTVL: 75
TCP_KEEPCNT: 9
TCP_KEEPCNT 0: EINVAL
SO_RCVBUF set 65536: 131072
SO_SNDBUF set 65536: 131072
SO_LINGER: 1 5 len 8
unknown option: ENOPROTOOPT
unknown level: ENOPROTOOPT
short option: EINVAL
recv unconnected: ENOTCONN
send unconnected: EPIPE
shutdown unconnected: ENOTCONN
accept unlistened: EINVAL
SO_ACCEPTCONN listening: 1
bind a used port: EADDRINUSE
== IPv6
unbound name: [::]:0
connect: ok
accept: ok
client name: [::1]:P
accept peer matches client: 1
client peer matches listener: 1
accepted name matches listener: 1
connect again: EISCONN
listener getpeername: ENOTCONN
connect to a closed port: ECONNREFUSED
non-blocking connect to a closed port: EINPROGRESS
poll: out 1 err 1 hup 1
SO_ERROR: ECONNREFUSED
SO_ERROR again: 0
non-blocking connect: EINPROGRESS
poll: out 1 err 0
SO_ERROR: 0
connect after completion: ok
connect once more: EISCONN
recv with nothing sent: EAGAIN
accept: ok
echo: wrote 1048576, read back 1048576, wrong 0, last read 0, server saw EOF 1
send over a hole: peer got what send counted 1, none past the hole 1, wrong 0
send from a hole: EFAULT
send 100 bytes from a hole: EFAULT
FIONREAD: 5
peek: 5 hello
recv 3: 3 hel
recv rest: 2 lo
recv MSG_DONTWAIT on empty: EAGAIN
FIONREAD empty: 0
waitall: 4 abcd
shutdown SHUT_WR: ok
server reads EOF: 0
server still sends: 2
client still reads: 2
client send after SHUT_WR: EPIPE
client reads EOF: 0
and again: 0
poll after EOF: in 1 rdhup 1 hup 1
server reads the request: 7
client reads the answer: 6
client reads EOF, no reset: 0
SO_LINGER 0: ok
poll after reset: in 1 err 1 hup 1
recv after reset: ECONNRESET
recv again: ok
send after reset: EPIPE
SO_TYPE: 1
SO_ERROR: 0
SO_ACCEPTCONN: 0
TCP_NODELAY: 0
TCP_NODELAY set: 1
SO_KEEPALIVE: 0
SO_KEEPALIVE set: 1
SO_REUSEADDR set: 1
SO_REUSEPORT set: 1
TCP_KEEPIDLE: 7200
TCP_KEEPIDLE set: 30
TCP_KEEPINTVL: 75
TCP_KEEPCNT: 9
TCP_KEEPCNT 0: EINVAL
SO_RCVBUF set 65536: 131072
SO_SNDBUF set 65536: 131072
SO_LINGER: 1 5 len 8
unknown option: ENOPROTOOPT
unknown level: ENOPROTOOPT
short option: EINVAL
IPV6_V6ONLY: 0
recv unconnected: ENOTCONN
send unconnected: EPIPE
shutdown unconnected: ENOTCONN
accept unlistened: EINVAL
SO_ACCEPTCONN listening: 1
bind a used port: EADDRINUSE
"""

NET_INET_UDP = r"""== IPv4
bound name: 127.0.0.1:P
unbound name: 0.0.0.0:0
sendto: 5
recvfrom: 5 "hello" from sender 1
sendto from unbound: 1
autobound name: 0.0.0.0:P
recvfrom autobound: 1 "x" from sender 1
first: 3 "one" from sender 1
second: 4 "two2" from sender 1
third: 5 "three" from sender 1
fourth: EAGAIN
sendto a sockaddr_in6: EAFNOSUPPORT
sendto a short address: EINVAL
recv 4 of 10: 4 "0123" from sender 1
rest discarded: EAGAIN
recvmsg 4 of 10: 4 MSG_TRUNC 1
recv MSG_TRUNC 4 of 10: 10 "0123" from sender 1
recvmsg 4 of 8: 4 MSG_TRUNC 0
peek: 4 "peek" from sender 1
peek again: 2 "pe" from sender 1
recv after peek: 4 "peek" from sender 1
recv next: 4 "next" from sender 1
send unconnected: EDESTADDRREQ
write unconnected: EDESTADDRREQ
getpeername unconnected: ENOTCONN
connect: ok
peer is b: 1
send: 2
b gets: 2 "c1" from sender 1
c sends to a too: 2
b replies: 2
a gets: 2 "r1" from sender 1
a gets nothing from c: EAGAIN
sendto on connected: 2
c gets: 2 "c2" from sender 1
connect again elsewhere: ok
send: 2
c gets: 2 "c3" from sender 1
connect AF_UNSPEC: ok
send after disconnect: EDESTADDRREQ
getpeername after disconnect: ENOTCONN
sendto after disconnect: 2
c gets: 2 "hi" from sender -1
sendto max + 1: EMSGSIZE
sendto big: 0
recv big: same 1
sendto empty: 0
FIONREAD empty datagram: 0
recv empty: 0 "" from sender 1
recv after empty: EAGAIN
FIONREAD: 7
FIONREAD next: 3
FIONREAD none: 0
recvmsg: 3 msg namelen ok 1 sender 1 flags 0
sendmmsg: 5
sent lens: 1 2 3 4 5
recvmmsg: 5
received lens: 1 2 3 4 5 wrong 0
recvmmsg on empty, MSG_DONTWAIT: EAGAIN
writev: 6
writev again: 4
readv: 6 abcd ef
readv 3 of 4: 3 abc
readv nothing left: EAGAIN
recv MSG_DONTWAIT: EAGAIN
recv O_NONBLOCK: EAGAIN
recvfrom O_NONBLOCK: EAGAIN
SO_RCVTIMEO: ok
recv with timeout: EAGAIN
waited about 100 ms: 1
SO_TYPE: 2
poll: in 0 out 1 hup 0 rdhup 0
unconnected SHUT_RD: ENOTCONN
poll after SHUT_RD: in 1 out 1 hup 0 rdhup 1
recv MSG_DONTWAIT after SHUT_RD: EAGAIN
recvfrom after SHUT_RD: 0
its address length: 0
a datagram after SHUT_RD: 4 "late" from sender 1
send after SHUT_RD: 1
b gets it: 1 "x" from sender 1
unconnected SHUT_WR: ENOTCONN
poll after both: in 1 out 1 hup 1 rdhup 1
send after SHUT_WR (no SIGPIPE): EPIPE
shutdown 7: EINVAL
shutdown from another thread: ENOTCONN
recv woken by shutdown: 0
connected SHUT_WR: ok
poll: in 0 out 1 hup 0 rdhup 0
send after SHUT_WR: EPIPE
connect again: ok
send after connecting again: EPIPE
bind twice: EINVAL
bind a used port: EADDRINUSE
bind a foreign address: EADDRNOTAVAIL
SO_REUSEADDR: a second bind: ok
recv into 0 bytes: 0
recvfrom, address room 4: 4, length 16, family 2
connect to a closed port: ok
send: ok
poll: 1, err 1, in 0
recv: ECONNREFUSED
recv again: EAGAIN
poll after: 0, err 0, in 0
send: ok
poll: 1, err 1, in 0
send again: ECONNREFUSED
send once more: ok
poll: 1, err 1, in 0
SO_ERROR: ECONNREFUSED
SO_ERROR again: 0
unconnected sendto a closed port: ok
poll: 0, err 0, in 0
recv: EAGAIN
== IPv6
bound name: [::1]:P
unbound name: [::]:0
sendto: 5
recvfrom: 5 "hello" from sender 1
sendto from unbound: 1
autobound name: [::]:P
recvfrom autobound: 1 "x" from sender 1
first: 3 "one" from sender 1
second: 4 "two2" from sender 1
third: 5 "three" from sender 1
fourth: EAGAIN
recv 4 of 10: 4 "0123" from sender 1
rest discarded: EAGAIN
recvmsg 4 of 10: 4 MSG_TRUNC 1
recv MSG_TRUNC 4 of 10: 10 "0123" from sender 1
recvmsg 4 of 8: 4 MSG_TRUNC 0
peek: 4 "peek" from sender 1
peek again: 2 "pe" from sender 1
recv after peek: 4 "peek" from sender 1
recv next: 4 "next" from sender 1
send unconnected: EDESTADDRREQ
write unconnected: EDESTADDRREQ
getpeername unconnected: ENOTCONN
connect: ok
peer is b: 1
send: 2
b gets: 2 "c1" from sender 1
c sends to a too: 2
b replies: 2
a gets: 2 "r1" from sender 1
a gets nothing from c: EAGAIN
sendto on connected: 2
c gets: 2 "c2" from sender 1
connect again elsewhere: ok
send: 2
c gets: 2 "c3" from sender 1
connect AF_UNSPEC: ok
send after disconnect: EDESTADDRREQ
getpeername after disconnect: ENOTCONN
sendto after disconnect: 2
c gets: 2 "hi" from sender -1
sendto max + 1: EMSGSIZE
sendto big: 0
recv big: same 1
sendto empty: 0
FIONREAD empty datagram: 0
recv empty: 0 "" from sender 1
recv after empty: EAGAIN
FIONREAD: 7
FIONREAD next: 3
FIONREAD none: 0
recvmsg: 3 msg namelen ok 1 sender 1 flags 0
sendmmsg: 5
sent lens: 1 2 3 4 5
recvmmsg: 5
received lens: 1 2 3 4 5 wrong 0
recvmmsg on empty, MSG_DONTWAIT: EAGAIN
writev: 6
writev again: 4
readv: 6 abcd ef
readv 3 of 4: 3 abc
readv nothing left: EAGAIN
recv MSG_DONTWAIT: EAGAIN
recv O_NONBLOCK: EAGAIN
recvfrom O_NONBLOCK: EAGAIN
SO_RCVTIMEO: ok
recv with timeout: EAGAIN
waited about 100 ms: 1
SO_TYPE: 2
poll: in 0 out 1 hup 0 rdhup 0
unconnected SHUT_RD: ENOTCONN
poll after SHUT_RD: in 1 out 1 hup 0 rdhup 1
recv MSG_DONTWAIT after SHUT_RD: EAGAIN
recvfrom after SHUT_RD: 0
its address length: 0
a datagram after SHUT_RD: 4 "late" from sender 1
send after SHUT_RD: 1
b gets it: 1 "x" from sender 1
unconnected SHUT_WR: ENOTCONN
poll after both: in 1 out 1 hup 1 rdhup 1
send after SHUT_WR (no SIGPIPE): EPIPE
shutdown 7: EINVAL
shutdown from another thread: ENOTCONN
recv woken by shutdown: 0
connected SHUT_WR: ok
poll: in 0 out 1 hup 0 rdhup 0
send after SHUT_WR: EPIPE
connect again: ok
send after connecting again: EPIPE
bind twice: EINVAL
bind a used port: EADDRINUSE
bind a foreign address: EADDRNOTAVAIL
SO_REUSEADDR: a second bind: ok
recv into 0 bytes: 0
recvfrom, address room 4: 4, length 28, family 10
connect to a closed port: ok
send: ok
poll: 1, err 1, in 0
recv: ECONNREFUSED
recv again: EAGAIN
poll after: 0, err 0, in 0
send: ok
poll: 1, err 1, in 0
send again: ECONNREFUSED
send once more: ok
poll: 1, err 1, in 0
SO_ERROR: ECONNREFUSED
SO_ERROR again: 0
unconnected sendto a closed port: ok
poll: 0, err 0, in 0
recv: EAGAIN
"""

NET_INET_POLL = r"""== IPv4
listener, nothing pending: in 0 out 0 err 0 hup 0 rdhup 0
non-blocking connect: EINPROGRESS
listener, one pending: in 1 out 0 err 0 hup 0 rdhup 0
select on the listener: 1
listener in the set: 1
epoll on the listener: 1 data 7 in 1
accept: ok
epoll after accept: 0
connected client: in 0 out 1 err 0 hup 0 rdhup 0
select for writing: 1
poll, nothing yet: 0
select, nothing yet: 0
epoll, nothing yet: 0
poll, all four readable: 1
revents: 1 1 1 1
select: 4
select's set: 1 1 1 1
epoll: 4 mask 15
poll after reading all: 0
epoll after reading all: 0
udp socket: in 0 out 1 err 0 hup 0 rdhup 0
pipe after its writer closed: in 0 out 0 err 0 hup 1 rdhup 0
tcp ET, nothing: 0
tcp ET, first arrival: 1
tcp ET, not drained, nothing new: 0
tcp ET, second arrival: 1
tcp ET, drained: 0
tcp ET, third arrival: 1
tcp ET, and then: 0
udp ET, nothing: 0
udp ET, first arrival: 1
udp ET, not drained, nothing new: 0
udp ET, second arrival: 1
udp ET, drained: 0
udp ET, third arrival: 1
udp ET, and then: 0
ONESHOT first: 1
ONESHOT disarmed: 0
ONESHOT disarmed, more data: 0
EPOLL_CTL_MOD: ok
ONESHOT rearmed: 1
ONESHOT once again: 0
ADD again: EEXIST
peer closed: in 1 out 0 err 0 hup 0 rdhup 1
peer closed, epoll: in 1 out 0 err 0 hup 0 rdhup 1
peer closed, without RDHUP asked: in 1 out 0 err 0 hup 0 rdhup 0
read EOF: 0
and we shut down too: in 1 out 0 err 0 hup 1 rdhup 1
reset, epoll asking only EPOLLIN: in 1 out 0 err 1 hup 1 rdhup 0
reset, poll asking nothing: in 0 out 0 err 1 hup 1 rdhup 0
reset, select: 1
reset, select's sets: read 1 except 0
recv after reset: ECONNRESET
error taken: in 1 out 1 err 0 hup 1 rdhup 0
== IPv6
listener, nothing pending: in 0 out 0 err 0 hup 0 rdhup 0
non-blocking connect: EINPROGRESS
listener, one pending: in 1 out 0 err 0 hup 0 rdhup 0
select on the listener: 1
listener in the set: 1
epoll on the listener: 1 data 7 in 1
accept: ok
epoll after accept: 0
connected client: in 0 out 1 err 0 hup 0 rdhup 0
select for writing: 1
poll, nothing yet: 0
select, nothing yet: 0
epoll, nothing yet: 0
poll, all four readable: 1
revents: 1 1 1 1
select: 4
select's set: 1 1 1 1
epoll: 4 mask 15
poll after reading all: 0
epoll after reading all: 0
udp socket: in 0 out 1 err 0 hup 0 rdhup 0
pipe after its writer closed: in 0 out 0 err 0 hup 1 rdhup 0
tcp ET, nothing: 0
tcp ET, first arrival: 1
tcp ET, not drained, nothing new: 0
tcp ET, second arrival: 1
tcp ET, drained: 0
tcp ET, third arrival: 1
tcp ET, and then: 0
udp ET, nothing: 0
udp ET, first arrival: 1
udp ET, not drained, nothing new: 0
udp ET, second arrival: 1
udp ET, drained: 0
udp ET, third arrival: 1
udp ET, and then: 0
ONESHOT first: 1
ONESHOT disarmed: 0
ONESHOT disarmed, more data: 0
EPOLL_CTL_MOD: ok
ONESHOT rearmed: 1
ONESHOT once again: 0
ADD again: EEXIST
peer closed: in 1 out 0 err 0 hup 0 rdhup 1
peer closed, epoll: in 1 out 0 err 0 hup 0 rdhup 1
peer closed, without RDHUP asked: in 1 out 0 err 0 hup 0 rdhup 0
read EOF: 0
and we shut down too: in 1 out 0 err 0 hup 1 rdhup 1
reset, epoll asking only EPOLLIN: in 1 out 0 err 1 hup 1 rdhup 0
reset, poll asking nothing: in 0 out 0 err 1 hup 1 rdhup 0
reset, select: 1
reset, select's sets: read 1 except 0
recv after reset: ECONNRESET
error taken: in 1 out 1 err 0 hup 1 rdhup 0
"""

NET_INET_DUAL = r"""== dual-stack TCP
IPV6_V6ONLY default: 0
listen on [::]: ok
listener name: [::]:P len 28
IPv4 connect: ok
accept: ok
accepted peer: [::ffff:127.0.0.1]:P len 28
accepted name: [::ffff:127.0.0.1]:P len 28
IPv4 client's peer: 127.0.0.1:P len 16
send to IPv4: 2
IPv4 client reads: 2
IPv4 client sends: 2
read from IPv4: 2
IPv6 connect: ok
accepted IPv6 peer: [::1]:P len 28
connect to ::ffff:127.0.0.1: ok
its name: [::ffff:127.0.0.1]:P len 28
its peer: [::ffff:127.0.0.1]:P len 28
accepted peer: [::ffff:127.0.0.1]:P len 28
== IPV6_V6ONLY
IPV6_V6ONLY set: 1
IPV6_V6ONLY after bind: EINVAL
IPv4 connect to a v6-only listener: ECONNREFUSED
IPv6 connect: ok
accept: ok
v6-only connect to ::ffff:127.0.0.1: ENETUNREACH
IPV6_V6ONLY on AF_INET: EOPNOTSUPP
== dual-stack UDP
IPv4 sendto [::]'s port: 1
AF_INET6 receives: 1 from [::ffff:127.0.0.1]:P len 28
AF_INET6 sendto ::ffff:127.0.0.1: 1
AF_INET receives: 1 from 127.0.0.1:P len 16
== SO_REUSEADDR over TIME_WAIT, IPv4
client sees EOF: 0
rebind without SO_REUSEADDR: EADDRINUSE
rebind with SO_REUSEADDR: ok
listen: ok
connect to it: ok
accept: ok
== SO_REUSEADDR over TIME_WAIT, IPv6
client sees EOF: 0
rebind without SO_REUSEADDR: EADDRINUSE
rebind with SO_REUSEADDR: ok
listen: ok
connect to it: ok
accept: ok
== options
listener SO_ACCEPTCONN: 1
listener SO_KEEPALIVE: 1
listener TCP_NODELAY: 1
listener TCP_KEEPIDLE: 60
listener TCP_KEEPINTVL: 10
listener TCP_KEEPCNT: 4
listener SO_RCVBUF: 131072
listener SO_SNDBUF: 131072
accepted SO_ACCEPTCONN: 0
accepted SO_TYPE: 1
accepted SO_KEEPALIVE: 1
accepted TCP_NODELAY: 1
accepted TCP_KEEPIDLE: 60
accepted TCP_KEEPINTVL: 10
accepted TCP_KEEPCNT: 4
accepted SO_RCVBUF: 131072
accepted SO_SNDBUF: 131072
accepted IPV6_V6ONLY: 0
client TCP_NODELAY: 0
unknown SOL_SOCKET option: ENOPROTOOPT
unknown TCP option: ENOPROTOOPT
set unknown TCP option: ENOPROTOOPT
set unknown SOL_SOCKET option: ENOPROTOOPT
AF_INET TCP: get level 277 EOPNOTSUPP, TCP_NODELAY 0, IP_TOS 0, IPV6_V6ONLY -95, IP 9999 -92, IPV6 9999 -95
AF_INET TCP: set level 277 ENOPROTOOPT, TCP_NODELAY ok, IPV6_V6ONLY ENOPROTOOPT
AF_INET UDP: get level 277 EOPNOTSUPP, TCP_NODELAY -95, IP_TOS 0, IPV6_V6ONLY -95, IP 9999 -92, IPV6 9999 -95
AF_INET UDP: set level 277 ENOPROTOOPT, TCP_NODELAY ENOPROTOOPT, IPV6_V6ONLY ENOPROTOOPT
AF_INET6 TCP: get level 277 ENOPROTOOPT, TCP_NODELAY 0, IP_TOS 0, IPV6_V6ONLY 0, IP 9999 -92, IPV6 9999 -92
AF_INET6 TCP: set level 277 ENOPROTOOPT, TCP_NODELAY ok, IPV6_V6ONLY ok
AF_INET6 UDP: get level 277 ENOPROTOOPT, TCP_NODELAY -92, IP_TOS 0, IPV6_V6ONLY 0, IP 9999 -92, IPV6 9999 -92
AF_INET6 UDP: set level 277 ENOPROTOOPT, TCP_NODELAY ENOPROTOOPT, IPV6_V6ONLY ok
UDP SO_TYPE: 2
UDP SO_ACCEPTCONN: 0
UDP set TCP_NODELAY: ENOPROTOOPT
UDP SO_RCVBUF set 65536: 131072
UDP SO_BROADCAST set: 1
== TCP_CORK
listener TCP_CORK: 1
accepted TCP_CORK: 1
client TCP_CORK: 0
client cork: ok
client TCP_CORK now: 1
client uncork: ok
client TCP_CORK after: 0
corked bytes arrived: 1000, in order 1
== SO_REUSEPORT
bind the first: ok
bind the second to its port: ok
bind one without SO_REUSEPORT: EADDRINUSE
listen on the first: ok
listen on the second: ok
SO_REUSEPORT: 1
accepted: 32 in all, by both listeners 1
after closing the first, the second accepts: 8
UDP bind the first: ok
UDP bind the second to its port: ok
UDP bind one without SO_REUSEPORT: EADDRINUSE
UDP datagrams: 32 in all, to both sockets 1
== interfaces
SIOCGIFCONF: ok
whole entries: 1
SIOCGIFCONF entry: lo family 2 127.0.0.1
lo entries: 1
SIOCGIFCONF sizing: ok
sizing matches: 1
lo flags up|loopback|running|broadcast: 73
lo SIOCGIFADDR: 127.0.0.1
lo SIOCGIFNETMASK: 255.0.0.0
lo index: 1
lo hardware type: 772
SIOCGIFNAME of lo's index: lo
SIOCGIFADDR of nosuchif0: ENODEV
if_nametoindex(lo) matches: 1
TCGETS on a socket: ENOTTY
"""

NET_BACKLOG = """somaxconn: 4096
IPv4: 600 of 600 connected before any accept
IPv4: accepted 600
IPv6: 600 of 600 connected before any accept
IPv6: accepted 600
net_backlog ok
"""

# tests/progs/net_sendfile /tmp, natively on Linux 6.18 (Debian 12 user land), piped
# through cat.
NET_SENDFILE = r"""whole file: 4194304, file offset 4194304
with an offset: 100001, offset 112346, file offset 1000
file shorter than asked: 777, offset 4194304
at the end: 0, offset 4194304
count 0: 0, offset 5
one byte: 1, offset 4
negative offset: EINVAL
offset pointer not mapped: EFAULT
bad in descriptor: EBADF
received 4295083 of 4295083, same bytes: 1
file with holes: 262144, received 262144, same bytes: 1
non-blocking: ok
non-blocking, nobody reading: partial 1, offset moved by the count 1
then: EAGAIN
cut while queued: ok
written again: 16777216
queued bytes arrive: 1, same bytes: 1
net_sendfile done
"""

# net_inet_edges, taken the same way (as an ordinary user).
NET_INET_EDGES = r"""== IPv4
SO_PROTOCOL tcp: 6
SO_PROTOCOL udp: 17
IP_TTL of one byte: ok
IP_TTL now: 1
IP_TTL of no bytes: EINVAL
IP_TOS of one byte: ok
SO_REUSEADDR of one byte: EINVAL
bind another family: EAFNOSUPPORT
bind AF_UNSPEC, the wildcard: ok
name: 0.0.0.0:P
SO_LINGER -1: ok
SO_LINGER on 1, a time 1
send: 3
close: ok
peer reads: 3
peer reads the end: 0
sendto port 0: EINVAL
sendmsg name length 200: 3
poll: 1
recvmsg name length -1: EINVAL
recvmsg name length 200: 3
name length 16, 127.0.0.1:P
shutdown SHUT_RD: ENOTCONN
recvmsg after shutdown: 0
controllen 0, control untouched 1
recv 0 bytes, none there: EAGAIN
read 0 bytes: 0
send: 6
recv 0 bytes, some there: 0
recv MSG_OOB: EINVAL
SIOCATMARK: ok
at the mark: 0
recv 3 MSG_TRUNC, no buffer: 3
recv the rest: 3
rest: def
recv 0 bytes at the end: 0
UDP sendto MSG_OOB: EOPNOTSUPP
poll the listener: 1
after a poll: the client reads: ECONNRESET
without one: the client reads: ECONNRESET
connect, no server: ECONNREFUSED
connect again, no server: ECONNREFUSED
connect again, the server up: ok
send: 2
server reads: 2
connect AF_UNSPEC, connected: ok
getpeername after: ENOTCONN
server reads after: ECONNRESET
connect after AF_UNSPEC: ok
accepted: ok
connect AF_UNSPEC, listening: ok
connect to it: ECONNREFUSED
listen again: ok
connect to it: ok
non-blocking connect: EINPROGRESS
SO_ERROR: ECONNREFUSED
connect after it: ECONNABORTED
and again: EINPROGRESS
connect AF_UNSPEC, new socket: ok
connect AF_UNSPEC under a reader: ok
the blocked recv: EPIPE
connect: ok
accept with no descriptor free: EMFILE
accept after a close: ok
send: 2
accepted end reads: 2
== IPv6
SO_PROTOCOL tcp: 6
SO_PROTOCOL udp: 17
IP_TTL of one byte: ok
IP_TTL now: 1
IP_TTL of no bytes: EINVAL
IP_TOS of one byte: ok
SO_REUSEADDR of one byte: EINVAL
bind another family: EAFNOSUPPORT
bind AF_UNSPEC, the wildcard: EAFNOSUPPORT
name: [::]:0
SO_LINGER -1: ok
SO_LINGER on 1, a time 1
send: 3
close: ok
peer reads: 3
peer reads the end: 0
sendto port 0: EINVAL
sendmsg name length 200: 3
poll: 1
recvmsg name length -1: EINVAL
recvmsg name length 200: 3
name length 28, [::1]:P
shutdown SHUT_RD: ENOTCONN
recvmsg after shutdown: 0
controllen 0, control untouched 1
recv 0 bytes, none there: EAGAIN
read 0 bytes: 0
send: 6
recv 0 bytes, some there: 0
recv MSG_OOB: EINVAL
SIOCATMARK: ok
at the mark: 0
recv 3 MSG_TRUNC, no buffer: 3
recv the rest: 3
rest: def
recv 0 bytes at the end: 0
UDP sendto MSG_OOB: 1
poll the listener: 1
after a poll: the client reads: ECONNRESET
without one: the client reads: ECONNRESET
connect, no server: ECONNREFUSED
connect again, no server: ECONNREFUSED
connect again, the server up: ok
send: 2
server reads: 2
connect AF_UNSPEC, connected: ok
getpeername after: ENOTCONN
server reads after: ECONNRESET
connect after AF_UNSPEC: ok
accepted: ok
connect AF_UNSPEC, listening: ok
connect to it: ECONNREFUSED
listen again: ok
connect to it: ok
non-blocking connect: EINPROGRESS
SO_ERROR: ECONNREFUSED
connect after it: ECONNABORTED
and again: EINPROGRESS
connect AF_UNSPEC, new socket: ok
connect AF_UNSPEC under a reader: ok
the blocked recv: EPIPE
connect: ok
accept with no descriptor free: EMFILE
accept after a close: ok
send: 2
accepted end reads: 2
"""
