/* Building netlink messages and reading their attributes (Linux's
 * nlmsg_put, nla_put and nla_find, in kernel memory). */
#include "net/netlink_internal.h"

#include "core/string.h"

/* len bytes (aligned, zeroed) at the end of b, or NULL when they do not fit. */
static void *reserve(struct nl_buf *b, size_t len)
{
	size_t room = NL_ALIGN(len);

	if (room > b->cap - b->len)
		return NULL;
	void *p = b->data + b->len;
	memset(p, 0, room);
	b->len += room;
	return p;
}

struct nlmsghdr_k *nlmsg_begin(struct nl_buf *b, uint16_t type, uint16_t flags,
			       uint32_t seq, uint32_t pid, size_t body)
{
	struct nlmsghdr_k *h = reserve(b, NLMSG_HDRLEN + body);

	if (h)
		*h = (struct nlmsghdr_k){ (uint32_t)(NLMSG_HDRLEN + body), type, flags, seq, pid };
	return h;
}

void nlmsg_end(struct nl_buf *b, struct nlmsghdr_k *h)
{
	h->len = (uint32_t)(b->data + b->len - (uint8_t *)h);
}

void nlmsg_cancel(struct nl_buf *b, struct nlmsghdr_k *h)
{
	b->len = (size_t)((uint8_t *)h - b->data);
}

bool nla_put(struct nl_buf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr_k *a = reserve(b, sizeof *a + len);

	if (!a)
		return false;
	a->len = (uint16_t)(sizeof *a + len);
	a->type = type;
	memcpy(a + 1, data, len);
	return true;
}

bool nla_put_u8(struct nl_buf *b, uint16_t type, uint8_t v) { return nla_put(b, type, &v, 1); }
bool nla_put_u32(struct nl_buf *b, uint16_t type, uint32_t v) { return nla_put(b, type, &v, 4); }
bool nla_put_str(struct nl_buf *b, uint16_t type, const char *s) { return nla_put(b, type, s, strlen(s) + 1); }

struct nlattr_k *nla_nest_begin(struct nl_buf *b, uint16_t type)
{
	struct nlattr_k *a = reserve(b, sizeof *a);

	if (a)
		a->type = type;
	return a;
}

void nla_nest_end(struct nl_buf *b, struct nlattr_k *nest)
{
	nest->len = (uint16_t)(b->data + b->len - (uint8_t *)nest);
}

const struct nlattr_k *nla_find(const void *attrs, size_t len, uint16_t type)
{
	const uint8_t *p = attrs;

	while (len >= sizeof(struct nlattr_k)) {
		const struct nlattr_k *a = (const void *)p;
		if (a->len < sizeof *a || a->len > len)
			return NULL;	/* malformed: nothing after it is trusted */
		if ((a->type & 0x3fff) == type)	/* without NLA_F_NESTED and NET_BYTEORDER */
			return a;
		size_t step = NL_ALIGN(a->len);
		if (step >= len)
			return NULL;
		p += step;
		len -= step;
	}
	return NULL;
}
