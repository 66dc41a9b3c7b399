/* A TCP socket whose connection is over starts again: Linux lets a socket
 * whose connect failed connect again (a client waiting for its server to
 * come up retries on the same descriptor), and connect(AF_UNSPEC) drops a
 * connection and leaves the socket as new.  lwIP's netconn has no way
 * back once its pcb is gone, so the netconn gets a fresh pcb in place:
 * the same netconn, so nothing that holds sk->conn without our locks
 * (getsockname, the options, lwIP's events) ever sees it freed. */
#include "core/errno.h"
#include "net/inet_internal.h"

#include "lwip/pbuf.h"
#include "lwip/priv/api_msg.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

/* Drops the pcb (a reset if it was connected), whatever lwIP queued for
 * reading (data, and the error or end of stream err_tcp posted), and
 * gives the netconn a new pcb.  Under the core lock. */
static bool conn_restart(struct netconn *conn)
{
	struct api_msg msg = { .conn = conn };
	void *m;
	err_t e;

	if (conn->pcb.tcp)
		tcp_abort(conn->pcb.tcp);	/* err_tcp clears conn->pcb */
	/* A former listener's went when it began to listen. */
	if (!sys_mbox_valid(&conn->recvmbox) &&
	    sys_mbox_new(&conn->recvmbox, DEFAULT_TCP_RECVMBOX_SIZE) != ERR_OK)
		return false;
	while (sys_arch_mbox_tryfetch(&conn->recvmbox, &m) != SYS_MBOX_EMPTY)
		if (m && !lwip_netconn_is_err_msg(m, &e))
			pbuf_free(m);
	conn->recv_avail = 0;
	conn->pending_err = ERR_OK;
	netconn_clear_flags(conn, NETCONN_FLAG_MBOXCLOSED);
	conn->state = NETCONN_NONE;
	lwip_netconn_do_newconn(&msg);
	return conn->pcb.tcp != NULL;
}

/* What the socket fetched and the connection's flags, as a new socket's. */
static void sock_reset(struct inet_sock *sk)
{
	if (sk->rxq)
		pbuf_free(sk->rxq);
	if (sk->rx_more)
		pbuf_free(sk->rx_more);
	sk->rxq = sk->rx_more = NULL;
	sk->rx_eof = false;
	sk->rx_ungiven = 0;
	sk->rx_held = 0;
	sk->async_err = 0;
	sk->soft_err = 0;
	sk->so_error = 0;
	sk->send_full = false;
	sk->shut_rd = sk->shut_wr = false;
	sk->was_connected = sk->connect_unreported = false;
	sk->bound = false;
}

/* Not for a socket still listening (stop_listening first).  An address
 * the program bound stays bound, as on Linux.  Caller holds tx_lock. */
int inet_tcp_renew(struct inet_sock *sk)
{
	mutex_lock(&sk->rx_lock);
	LOCK_TCPIP_CORE();
	bool ok = conn_restart(sk->conn);
	UNLOCK_TCPIP_CORE();
	sock_reset(sk);
	sk->state = INET_IDLE;
	mutex_unlock(&sk->rx_lock);
	if (!ok)
		return -ENOBUFS;
	inet_opts_apply(sk);
	if (!sk->bind_explicit)
		return 0;
	int err = inet_err(netconn_bind(sk->conn, &sk->bind_ip, sk->bind_port));
	sk->bound = !err;
	return err;
}
