/* epoll instances (epoll(7)): a set of watched files and the ones that
 * became ready, as a file that is itself pollable.
 *
 * As on Linux, an item is keyed by (descriptor number, file) and holds no
 * reference to its file: a registration does not keep a file open, and it
 * ends at EPOLL_CTL_DEL, when the epoll file goes, or when its file is
 * released (epoll_forget_file, before anything of the file is torn down),
 * so epoll_wait never touches a freed file.  A file is released when its
 * last reference goes, not at its last close: while another descriptor
 * (a dup, a forked process's) or a system call in progress keeps it, its
 * items stay and are reported, with the number they were added under,
 * as on Linux.  Nothing depends on which process looks. */
#ifndef AMPHI_FS_EPOLL_H
#define AMPHI_FS_EPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct file;
struct iobuf;

#define EPOLL_CTL_ADD	1
#define EPOLL_CTL_DEL	2
#define EPOLL_CTL_MOD	3

#define EPOLLIN		0x00000001u
#define EPOLLOUT	0x00000004u
#define EPOLLERR	0x00000008u
#define EPOLLHUP	0x00000010u
#define EPOLLRDHUP	0x00002000u
#define EPOLLEXCLUSIVE	(1u << 28)
#define EPOLLWAKEUP	(1u << 29)
#define EPOLLONESHOT	(1u << 30)
#define EPOLLET		(1u << 31)

/* struct epoll_event as x86_64 programs lay it out (packed: 12 bytes). */
struct epoll_event_user {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* A new epoll file (one reference); NULL when out of memory. */
struct file *epoll_new(void);
bool epoll_is(const struct file *f);
/* EPOLL_CTL_ADD, _MOD, _DEL of (fd, target) in ep: 0 or -EEXIST, -ENOENT,
 * -EINVAL, -ELOOP, -EPERM (target cannot be polled), -ENOMEM. */
int epoll_ctl(struct file *ep, int op, int fd, struct file *target, uint32_t events, uint64_t data);
/* Copies up to max ready events to out (struct epoll_event_user each),
 * waiting until deadline (clock_ns(); 0: for ever; past: not at all).
 * How many, or -EINTR (a signal; epoll_wait is never restarted), -EFAULT. */
long epoll_wait(struct file *ep, const struct iobuf *out, int max, uint64_t deadline);
/* f's last reference is gone: its items go from every epoll.  For file.c,
 * first in a release; takes each watching epoll's mutex in turn. */
void epoll_forget_file(struct file *f);
/* The file of the nth item (from 0) that watches descriptor fd, not
 * referenced, for kcmp to compare with (KCMP_EPOLL_TFD): 0 and *out,
 * -EINVAL when ep is no epoll, -ENOENT when there is no such item. */
int epoll_item_file(struct file *ep, int fd, unsigned long nth, const struct file **out);

#endif
