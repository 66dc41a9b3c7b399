/* epoll instances (epoll(7)): a set of watched files and the ones that
 * became ready, as a file that is itself pollable.
 *
 * Each item holds a reference to its file, taken at EPOLL_CTL_ADD and
 * dropped at EPOLL_CTL_DEL, when the epoll file goes, or when the file's
 * last descriptor is closed (epoll_forget_file), so a registration ends
 * when its file would, as on Linux, and epoll_wait never touches a freed
 * file.  An item whose descriptor was closed while another descriptor
 * keeps the file open stays, as on Linux; one whose descriptor now names
 * another file is dropped when next seen. */
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
/* A descriptor of f is being closed and its caller still holds that
 * reference: if epoll items hold all the others, they are dropped. */
void epoll_forget_file(struct file *f);

#endif
