/* /proc/net's socket tables: tcp, tcp6, udp, udp6 (lwIP's endpoints),
 * unix, and the raw and packet tables, which amphi has no sockets for:
 * their header lines alone, as Linux with none open.  Columns, widths and
 * padding are Linux 6's (tcp4_seq_show, udp4_seq_show, unix_seq_show...);
 * kernel pointers print as zeros, as Linux shows them to whoever may not
 * see them (kptr_restrict). */
#include "linux/procfs_net.h"

#include "core/kmalloc.h"
#include "core/string.h"
#include "net/socket.h"
#include "net/sock_info.h"

#define TCP_WIDTH	149	/* Linux pads tcp's lines to this (TMPSZ - 1) */
#define UDP_WIDTH	127
#define UDP_BUCKETS	128	/* udp's "sl" is a hash bucket: the port's low bits */
#define TCP_ATO		4	/* clock ticks: Linux's usual delayed-ACK timeout */

struct list_arg {
	bool tcp, v6, raw;
};

static int list_inet(void *out, int max, const void *arg)
{
	const struct list_arg *a = arg;

	return a->raw ? net_raw_list(a->v6, out, max) : net_inet_list(a->tcp, a->v6, out, max);
}

static void put_endpoint(struct seqbuf *s, const uint8_t *addr, uint16_t port, bool v6)
{
	for (int k = 0; k < (v6 ? 4 : 1); k++)
		seq_printf(s, "%08X", proc_net_word(addr + 4 * k));
	seq_printf(s, ":%04X", port);
}

/* sl, local and remote address: the start every table's line shares. */
static void put_ends(struct seqbuf *s, const char *sl, int n, const struct net_inet_info *e, bool v6)
{
	seq_printf(s, sl, n);
	put_endpoint(s, e->local, e->lport, v6);
	seq_printf(s, " ");
	put_endpoint(s, e->remote, e->rport, v6);
}

static void tcp_line(struct seqbuf *s, int n, const struct net_inet_info *e, bool v6)
{
	put_ends(s, "%4d: ", n, e, v6);
	if (e->time_wait) {
		seq_printf(s, " %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x", e->state, 0, 0,
			   e->timer, e->when, 0, 0, 0, 0, 3, 0);
	} else {
		seq_printf(s, " %02X %08X:%08X %02X:%08X %08X %5u %8d %lu %d %016x", e->state,
			   e->tx_queue, e->rx_queue, e->timer, e->when, e->retransmits, e->uid, 0,
			   e->ino, 2, 0);
		seq_printf(s, " %u %u %u %u %d", e->rto, e->state == NET_TCP_LISTEN ? 0 : TCP_ATO, 0,
			   e->cwnd, e->state == NET_TCP_LISTEN ? 0 : e->ssthresh);
	}
	if (!v6)
		seq_pad(s, TCP_WIDTH);
	seq_printf(s, "\n");
}

static void gen_tcp(struct seqbuf *s, bool v6)
{
	struct list_arg a = { .tcp = true, .v6 = v6 };
	int n;
	struct net_inet_info *e = proc_net_take(s, list_inet, &a, sizeof *e, &n);

	if (!e)
		return;
	if (v6) {
		seq_printf(s, "  sl  local_address                         remote_address                "
			      "        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	} else {
		seq_printf(s, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
			      "   uid  timeout inode");
		seq_pad(s, TCP_WIDTH);
		seq_printf(s, "\n");
	}
	for (int k = 0; k < n; k++)
		tcp_line(s, k, &e[k], v6);
	kfree(e);
}

void proc_net_gen_tcp(struct seqbuf *s) { gen_tcp(s, false); }
void proc_net_gen_tcp6(struct seqbuf *s) { gen_tcp(s, true); }

static const char udp_columns[] = "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops";

/* A UDP or raw line; sl_format's width differs (raw's IPv4 table has 4). */
static void dgram_line(struct seqbuf *s, const char *sl_format, int sl, const struct net_inet_info *e,
		       bool v6)
{
	put_ends(s, sl_format, sl, e, v6);
	seq_printf(s, " %02X %08X:%08X %02X:%08X %08X %5u %8d %lu %d %016x %u", e->state, e->tx_queue,
		   e->rx_queue, 0, 0, 0, e->uid, 0, e->ino, 2, 0, 0);
}

static void gen_udp(struct seqbuf *s, bool v6)
{
	struct list_arg a = { .v6 = v6 };
	int n;
	struct net_inet_info *e = proc_net_take(s, list_inet, &a, sizeof *e, &n);

	if (!e)
		return;
	if (v6) {
		seq_printf(s, "  sl  local_address                         remote_address                "
			      "        %s\n", udp_columns);
	} else {
		seq_printf(s, "   sl  local_address rem_address   %s", udp_columns);
		seq_pad(s, UDP_WIDTH);
		seq_printf(s, "\n");
	}
	for (int k = 0; k < n; k++) {
		dgram_line(s, "%5d: ", e[k].lport % UDP_BUCKETS, &e[k], v6);
		if (!v6)
			seq_pad(s, UDP_WIDTH);
		seq_printf(s, "\n");
	}
	kfree(e);
}

void proc_net_gen_udp(struct seqbuf *s) { gen_udp(s, false); }
void proc_net_gen_udp6(struct seqbuf *s) { gen_udp(s, true); }

/* Linux's raw tables: sl is the protocol's hash bucket, the protocol
 * itself; IPv4's lines are not padded. */
static void gen_raw(struct seqbuf *s, bool v6)
{
	struct list_arg a = { .v6 = v6, .raw = true };
	int n;
	struct net_inet_info *e = proc_net_take(s, list_inet, &a, sizeof *e, &n);

	if (!e)
		return;
	if (v6)
		seq_printf(s, "  sl  local_address                         remote_address                "
			      "        %s\n", udp_columns);
	else
		seq_printf(s, "  sl  local_address rem_address   %s\n", udp_columns);
	for (int k = 0; k < n; k++) {
		dgram_line(s, v6 ? "%5d: " : "%4d: ", e[k].lport, &e[k], v6);
		seq_printf(s, "\n");
	}
	kfree(e);
}

void proc_net_gen_raw(struct seqbuf *s) { gen_raw(s, false); }
void proc_net_gen_raw6(struct seqbuf *s) { gen_raw(s, true); }

void proc_net_gen_packet(struct seqbuf *s)
{
	seq_printf(s, "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n");
}

static int list_unix(void *out, int max, const void *arg)
{
	(void)arg;
	return net_unix_list(out, max);
}

/* A path name up to its NUL; an abstract name with '@' for its leading
 * NUL and any other, as Linux prints them. */
static void put_unix_path(struct seqbuf *s, const struct net_unix_info *e)
{
	if (!e->pathlen)
		return;
	seq_printf(s, " ");
	if (e->path[0]) {
		seq_write(s, e->path, strnlen(e->path, e->pathlen));
		return;
	}
	for (uint32_t k = 0; k < e->pathlen; k++)
		seq_write(s, e->path[k] ? &e->path[k] : "@", 1);
}

void proc_net_gen_unix(struct seqbuf *s)
{
	int n;
	struct net_unix_info *e = proc_net_take(s, list_unix, NULL, sizeof *e, &n);

	if (!e)
		return;
	seq_printf(s, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	for (int k = 0; k < n; k++) {
		seq_printf(s, "%016x: %08X %08X %08X %04X %02X %5lu", 0, e[k].refs, 0, e[k].flags,
			   e[k].type, e[k].state, e[k].ino);
		put_unix_path(s, &e[k]);
		seq_printf(s, "\n");
	}
	kfree(e);
}
