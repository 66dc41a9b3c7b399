/* Segments by reference into a file's pages.  Each piece is lwIP's custom
 * pbuf of type PBUF_REF, holding a reference to its page that our free
 * function drops when lwIP frees the pbuf, wherever that is: an ACK
 * under the core lock, or a device done with a frame sent in place, in
 * interrupt context (dev/virtio_net_tx.c); lwIP's memory and
 * page_ref_put may both be called there.  A page its file let go
 * meanwhile (a truncate, an unlinked file closed) is freed by its last
 * pbuf, so the bytes in flight stay what sendfile found.  Bytes written
 * into the file in place before they leave are sent as written, as on
 * Linux, whose sendfile lends the page cache's pages too. */
#include "net/page_segments.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/string.h"

#include "lwip/mem.h"

_Static_assert(LWIP_SUPPORT_CUSTOM_PBUF, "pages are lent to lwIP as custom pbufs");

struct page_pbuf {
	struct pbuf_custom custom;	/* first: lwIP hands back the pbuf */
	uint64_t pa;
};

static void page_pbuf_free(struct pbuf *p)
{
	struct page_pbuf *pp = (struct page_pbuf *)p;

	page_ref_put(pp->pa);
	mem_free(pp);
}

/* len bytes of the page at pa from off, by reference; NULL when lwIP's
 * memory is short. */
static struct pbuf *page_pbuf(uint64_t pa, size_t off, u16_t len)
{
	struct page_pbuf *pp = mem_malloc(sizeof *pp);

	if (!pp)
		return NULL;
	page_ref_get(pa);
	pp->pa = pa;
	pp->custom.custom_free_function = page_pbuf_free;
	return pbuf_alloced_custom(PBUF_RAW, len, PBUF_REF, &pp->custom,
				   (char *)phys_to_virt(pa) + off, len);
}

/* The page segments are being cut from, one reference held. */
struct cursor {
	const struct page_source *src;
	uint64_t idx, pa;
	bool held;
};

static void cursor_drop(struct cursor *c)
{
	if (c->held)
		page_ref_put(c->pa);
	c->held = false;
}

/* File bytes [at, at + n), within one page, as a pbuf by reference. */
static struct pbuf *cursor_piece(struct cursor *c, uint64_t at, u16_t n, long *err)
{
	uint64_t idx = at / PAGE_SIZE;

	if (!c->held || c->idx != idx) {
		cursor_drop(c);
		int e = c->src->get_page(c->src->ctx, idx, &c->pa);
		if (e) {
			*err = e;
			return NULL;
		}
		c->idx = idx;
		c->held = true;
	}
	struct pbuf *p = page_pbuf(c->pa, at % PAGE_SIZE, n);
	if (!p)
		*err = -ENOBUFS;
	return p;
}

/* A segment of seg bytes from file byte at; NULL, *err set, when it
 * cannot be had. */
static struct pbuf *segment(struct cursor *c, uint64_t at, u16_t seg, long *err)
{
	struct pbuf *head = pbuf_alloc(PBUF_TRANSPORT, 0, PBUF_RAM);

	if (!head) {
		*err = -ENOBUFS;
		return NULL;
	}
	for (uint64_t end = at + seg; at < end;) {
		uint64_t in_page = PAGE_SIZE - at % PAGE_SIZE;
		u16_t n = (u16_t)(end - at < in_page ? end - at : in_page);
		struct pbuf *piece = cursor_piece(c, at, n, err);
		if (!piece) {
			pbuf_free(head);
			return NULL;
		}
		pbuf_cat(head, piece);
		at += n;
	}
	return head;
}

u16_t page_source_segments(const struct page_source *src, size_t off, size_t n, u16_t seg,
			   struct pbuf **p, long *err)
{
	struct cursor c = { .src = src };
	u16_t k = 0;

	for (size_t done = 0; done < n; done += seg) {
		u16_t len = n - done < seg ? (u16_t)(n - done) : seg;
		if (!(p[k] = segment(&c, src->pos + off + done, len, err)))
			break;
		k++;
	}
	cursor_drop(&c);
	return k;
}

long page_source_copy(const struct page_source *src, size_t off, void *dst, size_t n)
{
	for (size_t done = 0, k; done < n; done += k) {
		uint64_t at = src->pos + off + done, pa;
		size_t in_page = PAGE_SIZE - at % PAGE_SIZE;
		int err = src->get_page(src->ctx, at / PAGE_SIZE, &pa);
		if (err)
			return err;
		k = n - done < in_page ? n - done : in_page;
		memcpy((char *)dst + done, (const char *)phys_to_virt(pa) + at % PAGE_SIZE, k);
		page_ref_put(pa);
	}
	return 0;
}
