/* Control messages: read from a send's, and written into a receive's
 * control buffer as Linux's put_cmsg, for every family that takes or
 * gives any (AF_UNIX's files and credentials, netlink's group, UDP's
 * packet information). */
#include "net/socket.h"

#include "core/errno.h"
#include "core/string.h"

void sock_msg_put_cmsg(struct sock_msg *m, size_t *used, int level, int type, const void *data,
		       size_t len)
{
	struct sock_cmsg h = { CMSG_HDR + len, level, type };
	size_t room = m->control ? m->controllen - *used : 0, space = CMSG_ALIGN(CMSG_HDR + len);

	if (room < CMSG_HDR) {
		m->flags |= MSG_CTRUNC;
		return;
	}
	if (room < h.len) {
		m->flags |= MSG_CTRUNC;
		h.len = room;
	}
	memcpy((char *)m->control + *used, &h, CMSG_HDR);
	memcpy((char *)m->control + *used + CMSG_HDR, data, h.len - CMSG_HDR);
	*used += space < room ? space : room;
}

int sock_msg_next_cmsg(const struct sock_msg *m, size_t *at, struct sock_cmsg *h, const char **data)
{
	const char *c = m->control;

	if (!c || *at + CMSG_HDR > m->controllen)
		return 0;
	memcpy(h, c + *at, sizeof *h);
	if (h->len < CMSG_HDR || h->len > m->controllen - *at)
		return -EINVAL;
	*data = c + *at + CMSG_HDR;
	*at += CMSG_ALIGN(h->len);
	return 1;
}
