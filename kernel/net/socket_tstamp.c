/* Receive timestamps, as Linux's sock_set_timestamp, __sock_recv_timestamp
 * and sock_gettstamp give them: SO_TIMESTAMP (microseconds), SO_TIMESTAMPNS
 * (nanoseconds) and their _NEW forms (the same layout on x86-64, another
 * message type) set and read for every socket, the control message a
 * receive then gets, and SIOCGSTAMP and SIOCGSTAMPNS.
 *
 * The time is the wall clock's when the packet came in: every IP packet is
 * stamped as lwIP's input hook sees it (inet_recv_ctl.c), an AF_UNIX
 * datagram as it is sent to a socket that asks.  Linux stamps only while
 * some socket asks (a static key) and otherwise at the read; here the
 * stamp is always taken, one TSC read beside the rest of a packet's work,
 * so that no count of asking sockets has to be kept.  A receive without
 * the option keeps its packet's time for SIOCGSTAMP, as Linux's does; one
 * with it does not (Linux's sk_stamp then keeps the older time).
 * SO_TIMESTAMPING is not supported (ENOPROTOOPT). */
#include "net/socket.h"

#include "core/errno.h"
#include "core/timer.h"
#include "core/uaccess.h"

#define TSTAMP_ON	1	/* Linux's SOCK_RCVTSTAMP */
#define TSTAMP_NS	2	/* SOCK_RCVTSTAMPNS */
#define TSTAMP_NEW	4	/* SOCK_TSTAMP_NEW: the _NEW message types */

#define SIOCGSTAMP	0x8906
#define SIOCGSTAMPNS	0x8907

bool socket_tstamp_option(int name)
{
	return name == SO_TIMESTAMP_OLD || name == SO_TIMESTAMPNS_OLD || name == SO_TIMESTAMP_NEW ||
	       name == SO_TIMESTAMPNS_NEW;
}

static uint8_t flags_of(const struct socket *s)
{
	return __atomic_load_n(&s->common.tstamp, __ATOMIC_RELAXED);
}

void socket_tstamp_set(struct socket *s, int name, bool on)
{
	bool ns = name == SO_TIMESTAMPNS_OLD || name == SO_TIMESTAMPNS_NEW;
	bool new = name == SO_TIMESTAMP_NEW || name == SO_TIMESTAMPNS_NEW;
	uint8_t f = flags_of(s);

	if (on)
		f = TSTAMP_ON | (ns ? TSTAMP_NS : 0) | (new ? TSTAMP_NEW : 0);
	else
		f &= (uint8_t)~(TSTAMP_ON | TSTAMP_NS);	/* the _NEW choice stays, as on Linux */
	__atomic_store_n(&s->common.tstamp, f, __ATOMIC_RELAXED);
}

/* What each option reads as, by Linux's sk_getsockopt. */
bool socket_tstamp_get(const struct socket *s, int name)
{
	uint8_t f = flags_of(s);
	bool on = f & TSTAMP_ON, ns = f & TSTAMP_NS, new = f & TSTAMP_NEW;

	switch (name) {
	case SO_TIMESTAMP_OLD:		return on && !new && !ns;
	case SO_TIMESTAMP_NEW:		return on && new;
	case SO_TIMESTAMPNS_OLD:	return ns && !new;
	default:			return ns && new;	/* SO_TIMESTAMPNS_NEW */
	}
}

bool socket_tstamp_wanted(const struct socket *s)
{
	return flags_of(s) & TSTAMP_ON;
}

int64_t socket_tstamp_now(void)
{
	return (int64_t)(clock_ns() + clock_realtime_offset_ns());
}

/* ns as a timeval (usec) or a timespec: both two 64-bit words on x86-64,
 * old and _NEW forms alike. */
static void split_stamp(int64_t ns, bool usec, int64_t t[2])
{
	t[0] = ns / 1000000000;
	t[1] = ns % 1000000000 / (usec ? 1000 : 1);
}

void socket_tstamp_put(struct socket *s, int64_t stamp, struct sock_msg *m, size_t *used)
{
	uint8_t f = flags_of(s);

	if (!(f & TSTAMP_ON)) {
		__atomic_store_n(&s->common.last_stamp_ns, stamp, __ATOMIC_RELAXED);
		return;
	}
	if (!stamp)
		stamp = socket_tstamp_now();	/* not stamped on arrival: now, as Linux */
	int64_t t[2];
	split_stamp(stamp, !(f & TSTAMP_NS), t);
	int type = f & TSTAMP_NEW ? (f & TSTAMP_NS ? SO_TIMESTAMPNS_NEW : SO_TIMESTAMP_NEW)
				  : (f & TSTAMP_NS ? SO_TIMESTAMPNS_OLD : SO_TIMESTAMP_OLD);
	sock_msg_put_cmsg(m, used, SOL_SOCKET, type, t, sizeof t);
}

bool socket_tstamp_ioctl_cmd(unsigned long cmd)
{
	return cmd == SIOCGSTAMP || cmd == SIOCGSTAMPNS;
}

/* The time a receive without the option last kept: ENOENT before any,
 * the time of this call when that receive's packet had none. */
long socket_tstamp_ioctl(struct socket *s, unsigned long cmd, uint64_t arg)
{
	int64_t stamp = __atomic_load_n(&s->common.last_stamp_ns, __ATOMIC_RELAXED);

	if (stamp < 0)
		return -ENOENT;
	if (!stamp) {
		stamp = socket_tstamp_now();
		__atomic_store_n(&s->common.last_stamp_ns, stamp, __ATOMIC_RELAXED);
	}
	int64_t t[2];
	split_stamp(stamp, cmd == SIOCGSTAMP, t);
	return copy_to_user(arg, t, sizeof t) ? -EFAULT : 0;
}
