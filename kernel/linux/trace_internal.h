/* The trace's line buffer, the kinds of argument it decodes and the
 * table that gives each system call's. */
#ifndef AMPHI_LINUX_TRACE_INTERNAL_H
#define AMPHI_LINUX_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_LINE	1024	/* a longer line is cut, ending in "..." */
#define TRACE_STRLEN	32	/* bytes of a buffer shown, as strace -s 32 */
#define TRACE_PATHLEN	256	/* of a path */

struct tbuf {
	size_t len;
	bool cut;		/* something did not fit */
	char s[TRACE_LINE];
};

void tb_putc(struct tbuf *b, char c);
void tb_puts(struct tbuf *b, const char *s);
void tb_printf(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tb_ptr(struct tbuf *b, uint64_t p);		/* NULL or 0x... */
void tb_octal(struct tbuf *b, uint64_t v, int digits);	/* at least digits, leading 0s */
/* n bytes, quoted and escaped as strace shows them (never a raw newline
 * or quote: the program's bytes cannot end the line or forge another),
 * "..." after them if more. */
void tb_quoted(struct tbuf *b, const uint8_t *s, size_t n, bool more);
/* The C string at user address p, quoted, at most max bytes shown. */
void tb_user_string(struct tbuf *b, uint64_t p, size_t max);
/* len bytes at user address p, quoted, at most TRACE_STRLEN shown. */
void tb_user_bytes(struct tbuf *b, uint64_t p, size_t len);

/* A table of flag bits or of values and their names. */
struct tname {
	uint64_t value;
	const char *name;
};
/* Bits: names joined by '|', what is left in hex; zero as zero_name. */
void tb_flags(struct tbuf *b, uint64_t v, const struct tname *t, size_t n, const char *zero_name);
/* One value: its name, else fallback (printf format taking v). */
void tb_value(struct tbuf *b, uint64_t v, const struct tname *t, size_t n, const char *fallback);
#define TB_FLAGS(b, v, t, zero) tb_flags(b, v, t, sizeof t / sizeof t[0], zero)
#define TB_VALUE(b, v, t, fb) tb_value(b, v, t, sizeof t / sizeof t[0], fb)

void tb_signal(struct tbuf *b, int sig);		/* SIGUSR1, SIGRT_3 */
void tb_sigset(struct tbuf *b, uint64_t set);		/* [USR1 RT_1], ~[...] */

/* Argument kinds.  A_*_OUT are filled by the call: shown only when it
 * succeeded, else as a pointer. */
enum trace_arg {
	A_NONE,
	A_INT, A_LONG, A_UINT, A_HEX, A_PTR, A_OCT,
	A_FD, A_ATFD, A_PATH,
	A_BUF_IN,		/* the next argument is its length */
	A_BUF_OUT,		/* the result is its length */
	A_STR_OUT,		/* getcwd, readlink: the result is its length */
	A_IOV_IN, A_IOV_OUT,	/* the next argument is the count */
	A_OPEN_FLAGS, A_OPEN_MODE,	/* the mode only with O_CREAT/O_TMPFILE */
	A_AT_FLAGS, A_ACCESS_MODE, A_WHENCE,
	A_PROT, A_MAP_FLAGS, A_MREMAP_FLAGS, A_MADVISE,
	A_SIG, A_SIGSET, A_SIGSET_OUT, A_SIGHOW, A_SIGACTION, A_SIGACTION_OUT,
	A_STAT_OUT, A_STATX_OUT, A_UTSNAME_OUT, A_FDPAIR_OUT,
	A_TIMESPEC, A_TIMESPEC_OUT, A_TIMEVAL_OUT,
	A_CLOCK, A_TIMER_FLAGS,
	A_ARCH_PRCTL, A_FUTEX_OP, A_IOCTL, A_FCNTL, A_FCNTL_ARG,
	A_FAMILY, A_SOCK_TYPE, A_SOCKADDR, A_SOCKADDR_OUT, A_SOCKLEN_OUT,
	A_MSG_FLAGS, A_SHUT_HOW, A_SOCK_LEVEL, A_SOCK_OPT,
	A_CLONE_FLAGS, A_RLIMIT, A_RLIMIT_IN, A_RLIMIT_OUT,
	A_POLLFDS, A_EPOLL_OP, A_EPOLL_EVENT, A_EPOLL_FLAGS,
	A_FD_FLAGS,		/* O_CLOEXEC, O_NONBLOCK: pipe2, eventfd2, ... */
	A_GRND_FLAGS, A_PRCTL_OP,
	A_KINDS
};

/* How to show the result; 0: the call has no entry in the table. */
enum trace_ret { R_INT = 1, R_HEX, R_NONE /* never returns */ };

struct trace_call {
	uint8_t nargs;
	uint8_t ret;
	uint8_t arg[6];
};

/* By number; ret 0 for a call with no entry (its arguments are shown
 * as six hex numbers). */
extern const struct trace_call trace_calls[];
extern const int trace_calls_count;

/* Appends argument i of a call; false when it shows nothing (a mode
 * without O_CREAT), so no comma goes before it. */
bool trace_arg(struct tbuf *b, int kind, const uint64_t *a, int i, long ret);

/* A few decoded structures also used for the result line. */
void trace_pollfds_revents(struct tbuf *b, uint64_t p, uint64_t n, long ret);

#endif
