/* Received bytes straight out of pbuf chains into a message's pieces, so
 * they go from lwIP's buffers to the program without a stop on the way. */
#include "core/errno.h"
#include "net/inet_internal.h"

#include "lwip/pbuf.h"

/* Copies n bytes of chain p, from byte skip, to the message at off.
 * Bytes copied, or -EFAULT. */
long inet_msg_fill_pbuf(const struct sock_msg *m, size_t off, const struct pbuf *p, size_t skip, size_t n)
{
	size_t done = 0;

	for (; p && done < n; p = p->next) {
		if (skip >= p->len) {
			skip -= p->len;
			continue;
		}
		size_t chunk = p->len - skip < n - done ? p->len - skip : n - done;
		long r = sock_msg_fill(m, off + done, (const char *)p->payload + skip, chunk);
		if (r < 0)
			return r;
		done += chunk;
		skip = 0;
	}
	return (long)done;
}
