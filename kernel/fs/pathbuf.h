/* Buffers of PATH_MAX bytes for the path a system call is working on.
 * Every path call needs one for a moment; a small pool keeps them, so the
 * calls do not take pages from the page allocator and give them back each
 * time (which scatters the long-lived pages of others across RAM). */
#ifndef AMPHI_FS_PATHBUF_H
#define AMPHI_FS_PATHBUF_H

/* PATH_MAX bytes, not zeroed; NULL when out of memory. */
char *pathbuf_get(void);
void pathbuf_put(char *buf);	/* NULL is allowed */

#endif
