/* AF_UNIX sequenced packets: connected as a stream is (listen, connect,
 * accept, socketpair, shutdown and a peer's end are the stream's code),
 * data moved as datagrams: each send one record on the peer's queue, each
 * receive one record whole, the rest of a longer one dropped (MSG_TRUNC),
 * as Linux's unix_seqpacket_*msg hand theirs to its datagram code.  A
 * message's address is ignored, as on Linux: it goes to the peer. */
#include "net/unix_internal.h"

#include "core/errno.h"

long unix_seqpacket_sendmsg(struct socket *s, struct sock_msg *m)
{
	struct unix_sock *u = unix_of(s), *peer;
	struct unix_rec *r;
	long err;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if ((err = unix_send_peer(u, &peer)))
		return err;
	if (m->len > (size_t)u->sndbuf - UNIX_DGRAM_HEADROOM)
		err = -EMSGSIZE;
	else if ((r = unix_rec_of_msg(s, peer, m, &err)) && (err = unix_deliver(peer, r)))
		unix_rec_free(r);
	unix_put(peer);
	return err ? err : (long)m->len;
}

long unix_seqpacket_recvmsg(struct socket *s, struct sock_msg *m)
{
	struct unix_sock *u = unix_of(s);

	spin_lock(&u->lock);
	bool connected = u->state == UNIX_CONNECTED;
	spin_unlock(&u->lock);
	return connected ? unix_dgram_recvmsg(s, m) : -ENOTCONN;
}
