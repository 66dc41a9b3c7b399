/* ioctls on inet sockets: how much is queued (FIONREAD, SIOCOUTQ), the last
 * packet's time (SIOCGSTAMP, SIOCGSTAMPNS), and the interface requests
 * (SIOCGIF*) programs make on any socket. */
#include "core/errno.h"
#include "core/uaccess.h"
#include "net/inet_internal.h"

#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#define FIONREAD	0x541b
#define SIOCINQ		FIONREAD
#define SIOCOUTQ	0x5411
#define SIOCATMARK	0x8905

/* Bytes a read could take now: TCP all that arrived; UDP the next
 * datagram. */
static long queued_in(struct inet_sock *sk, int *v)
{
	if (sk->state == INET_LISTEN)
		return -EINVAL;
	mutex_lock(&sk->rx_lock);
	if (inet_is_tcp(sk)) {
		*v = (int)inet_tcp_rx_bytes(sk);
	} else {
		*v = inet_udp_fetch(sk) ? sk->rx_dgram->p->tot_len : 0;
	}
	mutex_unlock(&sk->rx_lock);
	return 0;
}

/* Bytes sent but not yet acknowledged, or not yet sent. */
static long queued_out(struct inet_sock *sk, int *v)
{
	*v = 0;
	if (!inet_is_tcp(sk))
		return 0;
	if (sk->state == INET_LISTEN)
		return -EINVAL;
	LOCK_TCPIP_CORE();
	struct tcp_pcb *pcb = sk->state == INET_CONNECTED ? sk->conn->pcb.tcp : NULL;
	if (pcb)
		*v = TCP_SND_BUF - tcp_sndbuf(pcb);
	UNLOCK_TCPIP_CORE();
	return 0;
}

long inet_ioctl(struct socket *s, unsigned long cmd, uint64_t arg)
{
	struct inet_sock *sk = inet_sk(s);
	int v;
	long err;

	switch (cmd) {
	case FIONREAD:
		err = queued_in(sk, &v);
		break;
	case SIOCOUTQ:
		err = queued_out(sk, &v);
		break;
	case SIOCATMARK:
		if (!inet_is_tcp(sk))
			return -ENOTTY;
		v = 0;	/* no urgent data is ever kept apart: never at a mark */
		err = 0;
		break;
	default:
		if (socket_tstamp_ioctl_cmd(cmd))
			return socket_tstamp_ioctl(s, cmd, arg);
		return inet_ifreq(cmd, arg);
	}
	if (err)
		return err;
	return copy_to_user(arg, &v, sizeof v) ? -EFAULT : 0;
}
