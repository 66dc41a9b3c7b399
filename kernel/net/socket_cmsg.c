/* Control messages written into a receive's control buffer, as Linux's
 * put_cmsg: shared by every family that gives any (AF_UNIX's credentials,
 * netlink's group, UDP's packet information). */
#include "net/socket.h"

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
