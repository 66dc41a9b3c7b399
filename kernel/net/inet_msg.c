/* A message's data as one run of bytes over its pieces (iovecs): copies
 * to and from kernel memory and straight out of pbuf chains, so received
 * bytes go from lwIP's buffers to the program without a stop on the way. */
#include "core/errno.h"
#include "net/inet_internal.h"

#include "lwip/pbuf.h"

/* Calls fill or drain for [off, off + n) of the message, piece by piece. */
static long msg_copy(const struct sock_msg *m, size_t off, void *k, size_t n, bool fill)
{
	size_t done = 0;

	for (int i = 0; i < m->iovlen && done < n; i++) {
		const struct iobuf *b = &m->iov[i];
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		size_t chunk = b->len - off < n - done ? b->len - off : n - done;
		long err = fill ? iobuf_fill(b, off, (const char *)k + done, chunk)
				: iobuf_drain(b, off, (char *)k + done, chunk);
		if (err)
			return err;
		done += chunk;
		off = 0;
	}
	return (long)done;
}

long inet_msg_fill(const struct sock_msg *m, size_t off, const void *src, size_t n)
{
	return msg_copy(m, off, (void *)src, n, true);
}

long inet_msg_drain(const struct sock_msg *m, size_t off, void *dst, size_t n)
{
	return msg_copy(m, off, dst, n, false);
}

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
		long r = inet_msg_fill(m, off + done, (const char *)p->payload + skip, chunk);
		if (r < 0)
			return r;
		done += chunk;
		skip = 0;
	}
	return (long)done;
}
