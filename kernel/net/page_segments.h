/* A file's pages as TCP segments that point into them (sendfile), or
 * copied where a copy is wanted. */
#ifndef AMPHI_NET_PAGE_SEGMENTS_H
#define AMPHI_NET_PAGE_SEGMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/pbuf.h"
#include "net/socket.h"

/* Bytes [off, off + n) of the source as segments of seg bytes each (the
 * last perhaps shorter), into p[]: a pbuf with room for the headers, and
 * chained behind it the pieces of pages the bytes lie in, each holding a
 * reference to its page until lwIP frees it.  How many were made;
 * fewer, with *err set, at the file's end (-EFAULT), on an error of the
 * source, or when lwIP's memory runs short (-ENOBUFS). */
u16_t page_source_segments(const struct page_source *src, size_t off, size_t n, u16_t seg,
			   struct pbuf **p, long *err);
/* Bytes [off, off + n) of the source copied to dst: 0 or -errno. */
long page_source_copy(const struct page_source *src, size_t off, void *dst, size_t n);

#endif
