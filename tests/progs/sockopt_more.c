/* SOL_SOCKET options Linux's sk_getsockopt and sk_setsockopt answer for
 * every socket that amphi said ENOPROTOOPT to: SO_PEERNAME (the peer's
 * address into a buffer no longer than it, ENOTCONN without a peer),
 * the flags SO_WIFI_STATUS, SO_NOFCS, SO_SELECT_ERR_QUEUE and
 * SO_LOCK_FILTER (which cannot be turned off again), SO_MAX_PACING_RATE
 * (a u64, or a u32 capped at ~0U), SO_PREFER_BUSY_POLL (privileged to
 * turn on), SO_INCOMING_NAPI_ID (0) and SO_CNX_ADVICE (set only). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif

static const char *err(int r)
{
	static char b[16];

	if (r == 0)
		return "0";
	snprintf(b, sizeof b, "%s", errno == EINVAL ? "EINVAL" : errno == ENOTCONN ? "ENOTCONN" :
		 errno == EPERM ? "EPERM" : errno == ENOPROTOOPT ? "ENOPROTOOPT" : "other");
	return b;
}

static void get(int s, const char *what, int name, socklen_t room)
{
	uint8_t buf[64];
	socklen_t len = room;

	memset(buf, 0x55, sizeof buf);
	int r = getsockopt(s, SOL_SOCKET, name, buf, &len);
	printf("  get %s room %u: %s", what, (unsigned)room, err(r));
	if (!r) {
		printf(" len %u:", (unsigned)len);
		for (socklen_t k = 0; k < len && k < 8; k++)
			printf(" %02x", buf[k]);
	}
	printf("\n");
}

static void set(int s, const char *what, int name, const void *v, socklen_t len)
{
	printf("  set %s: %s\n", what, err(setsockopt(s, SOL_SOCKET, name, v, len)));
}

static void options(const char *family, int s)
{
	int one = 1, zero = 0, minus = -1;
	uint64_t rate = 0x123456789ull;

	printf("%s:\n", family);
	static const struct { const char *n; int o; } flags[] = {
		{ "wifi_status", SO_WIFI_STATUS }, { "nofcs", SO_NOFCS },
		{ "select_err_queue", SO_SELECT_ERR_QUEUE }, { "lock_filter", SO_LOCK_FILTER },
	};
	for (unsigned k = 0; k < sizeof flags / sizeof flags[0]; k++) {
		get(s, flags[k].n, flags[k].o, 4);
		set(s, flags[k].n, flags[k].o, &one, 4);
		get(s, flags[k].n, flags[k].o, 4);
		set(s, flags[k].n, flags[k].o, &zero, 4);
		get(s, flags[k].n, flags[k].o, 4);
	}
	get(s, "max_pacing_rate", SO_MAX_PACING_RATE, 8);
	get(s, "max_pacing_rate", SO_MAX_PACING_RATE, 4);
	set(s, "max_pacing_rate 1", SO_MAX_PACING_RATE, &one, 4);
	get(s, "max_pacing_rate", SO_MAX_PACING_RATE, 8);
	set(s, "max_pacing_rate -1", SO_MAX_PACING_RATE, &minus, 4);
	get(s, "max_pacing_rate", SO_MAX_PACING_RATE, 8);
	set(s, "max_pacing_rate u64", SO_MAX_PACING_RATE, &rate, 8);
	get(s, "max_pacing_rate", SO_MAX_PACING_RATE, 8);
	get(s, "max_pacing_rate", SO_MAX_PACING_RATE, 4);
	get(s, "max_pacing_rate", SO_MAX_PACING_RATE, 2);
	set(s, "max_pacing_rate short", SO_MAX_PACING_RATE, &one, 2);
	get(s, "prefer_busy_poll", SO_PREFER_BUSY_POLL, 4);
	set(s, "prefer_busy_poll 1", SO_PREFER_BUSY_POLL, &one, 4);
	set(s, "prefer_busy_poll 0", SO_PREFER_BUSY_POLL, &zero, 4);
	get(s, "incoming_napi_id", SO_INCOMING_NAPI_ID, 4);
	get(s, "incoming_napi_id", SO_INCOMING_NAPI_ID, 2);
	set(s, "incoming_napi_id", SO_INCOMING_NAPI_ID, &one, 4);
	set(s, "cnx_advice", SO_CNX_ADVICE, &one, 4);
	get(s, "cnx_advice", SO_CNX_ADVICE, 4);
	get(s, "peername", SO_PEERNAME, 64);
}

/* SO_PEERNAME of a connected socket at each room. */
static void peername(const char *what, int s, socklen_t full)
{
	printf("%s peername:\n", what);
	get(s, "peername", SO_PEERNAME, full + 4);
	get(s, "peername", SO_PEERNAME, full);
	get(s, "peername", SO_PEERNAME, 2);
	get(s, "peername", SO_PEERNAME, 0);
}

int main(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW, 0);
	options("netlink", s);
	close(s);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	options("unix stream", s);
	close(s);
	s = socket(AF_INET, SOCK_STREAM, 0);
	options("tcp", s);
	close(s);
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	options("udp6", s);
	close(s);

	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	s = socket(AF_INET, SOCK_DGRAM, 0);
	connect(s, (struct sockaddr *)&a, sizeof a);
	peername("udp", s, 16);
	close(s);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	peername("unix pair", sv[0], 2);
	close(sv[0]);
	close(sv[1]);
	struct sockaddr_un u = { .sun_family = AF_UNIX, .sun_path = "\0sockopt_more" };
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&u, 2 + 13);
	listen(l, 1);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(s, (struct sockaddr *)&u, 2 + 13);
	peername("unix abstract", s, 15);
	close(s);
	close(l);
	return 0;
}
