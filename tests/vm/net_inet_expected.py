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
