/* The trace's line buffer and the pieces every decoder uses: numbers,
 * pointers, quoted strings and buffers from the program's memory, flag
 * sets, signal names and sets.  Escapes and truncation follow strace, so
 * a trace reads the same as one taken on Linux. */
#include <stdarg.h>

#include "core/format.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "linux/signal.h"
#include "linux/trace_internal.h"

void tb_putc(struct tbuf *b, char c)
{
	if (b->len + 1 < sizeof b->s)
		b->s[b->len++] = c;
	else
		b->cut = true;
}

void tb_puts(struct tbuf *b, const char *s)
{
	while (*s)
		tb_putc(b, *s++);
}

void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof b->s - b->len;

	va_start(ap, fmt);
	int n = vsnprintf(b->s + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		b->len = sizeof b->s - 1;
		b->cut = true;
	} else {
		b->len += (size_t)n;
	}
}

void tb_ptr(struct tbuf *b, uint64_t p)
{
	if (p)
		tb_printf(b, "0x%lx", p);
	else
		tb_puts(b, "NULL");
}

void tb_octal(struct tbuf *b, uint64_t v, int digits)
{
	char tmp[23];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + (v & 7));
		v >>= 3;
	} while (v);
	while (n < digits)
		tmp[n++] = '0';
	while (n)
		tb_putc(b, tmp[--n]);
}

static bool is_octal_digit(char c)
{
	return c >= '0' && c <= '7';
}

/* One byte inside quotes: C escapes, printable ASCII as is, the rest in
 * octal (three digits when a digit follows, so it cannot be misread). */
static void put_escaped(struct tbuf *b, uint8_t c, int next)
{
	switch (c) {
	case '"': tb_puts(b, "\\\""); return;
	case '\\': tb_puts(b, "\\\\"); return;
	case '\t': tb_puts(b, "\\t"); return;
	case '\n': tb_puts(b, "\\n"); return;
	case '\v': tb_puts(b, "\\v"); return;
	case '\f': tb_puts(b, "\\f"); return;
	case '\r': tb_puts(b, "\\r"); return;
	}
	if (c >= 0x20 && c < 0x7f)
		tb_putc(b, (char)c);
	else {
		tb_putc(b, '\\');
		tb_octal(b, c, next >= 0 && is_octal_digit((char)next) ? 3 : 1);
	}
}

void tb_quoted(struct tbuf *b, const uint8_t *s, size_t n, bool more)
{
	tb_putc(b, '"');
	for (size_t i = 0; i < n; i++)
		put_escaped(b, s[i], i + 1 < n ? s[i + 1] : -1);
	tb_putc(b, '"');
	if (more)
		tb_puts(b, "...");
}

void tb_user_string(struct tbuf *b, uint64_t p, size_t max)
{
	uint8_t s[TRACE_PATHLEN];

	if (max > sizeof s)
		max = sizeof s;
	if (!p || p >= USER_TOP) {
		tb_ptr(b, p);
		return;
	}
	size_t room = USER_TOP - p < max + 1 ? USER_TOP - p : max + 1;
	long n = arch_strnlen_user((const char *)p, room);
	size_t show = n < 0 ? 0 : (size_t)n < max ? (size_t)n : max;
	if (n < 0 || copy_from_user(s, p, show)) {
		tb_ptr(b, p);
		return;
	}
	tb_quoted(b, s, show, (size_t)n > max);
}

void tb_user_bytes(struct tbuf *b, uint64_t p, size_t len)
{
	uint8_t s[TRACE_STRLEN];
	size_t show = len < sizeof s ? len : sizeof s;

	if (copy_from_user(s, p, show)) {
		tb_ptr(b, p);
		return;
	}
	tb_quoted(b, s, show, len > show);
}

void tb_flags(struct tbuf *b, uint64_t v, const struct tname *t, size_t n, const char *zero_name)
{
	bool first = true;

	if (!v) {
		if (zero_name)
			tb_puts(b, zero_name);
		else
			tb_putc(b, '0');
		return;
	}
	for (size_t i = 0; i < n && v; i++) {
		if (!t[i].value || (v & t[i].value) != t[i].value)
			continue;
		tb_puts(b, first ? "" : "|");
		tb_puts(b, t[i].name);
		v &= ~t[i].value;
		first = false;
	}
	if (v)
		tb_printf(b, "%s0x%lx", first ? "" : "|", v);
}

void tb_value(struct tbuf *b, uint64_t v, const struct tname *t, size_t n, const char *fallback)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].value == v) {
			tb_puts(b, t[i].name);
			return;
		}
	}
	tb_printf(b, fallback, v);
}

static const char *const sig_names[32] = {
	[1] = "HUP", [2] = "INT", [3] = "QUIT", [4] = "ILL", [5] = "TRAP", [6] = "ABRT",
	[7] = "BUS", [8] = "FPE", [9] = "KILL", [10] = "USR1", [11] = "SEGV", [12] = "USR2",
	[13] = "PIPE", [14] = "ALRM", [15] = "TERM", [16] = "STKFLT", [17] = "CHLD",
	[18] = "CONT", [19] = "STOP", [20] = "TSTP", [21] = "TTIN", [22] = "TTOU", [23] = "URG",
	[24] = "XCPU", [25] = "XFSZ", [26] = "VTALRM", [27] = "PROF", [28] = "WINCH",
	[29] = "IO", [30] = "PWR", [31] = "SYS",
};

/* Without the SIG prefix, as in a set: USR1, RTMIN, RT_3. */
static void put_signal_short(struct tbuf *b, int sig)
{
	if (sig > 0 && sig < 32)
		tb_puts(b, sig_names[sig]);
	else if (sig == SIGRTMIN)
		tb_puts(b, "RTMIN");
	else if (sig > SIGRTMIN && sig <= NSIG)
		tb_printf(b, "RT_%d", sig - SIGRTMIN);
	else
		tb_printf(b, "%d", sig);
}

void tb_signal(struct tbuf *b, int sig)
{
	if (sig > 0 && sig <= NSIG)
		tb_puts(b, "SIG");
	put_signal_short(b, sig);
}

/* A set with more than half the signals reads better as what it lacks. */
void tb_sigset(struct tbuf *b, uint64_t set)
{
	bool first = true;
	int n = 0;

	for (uint64_t s = set; s; s &= s - 1)	/* the kernel has no libgcc popcount */
		n++;
	if (n > 32) {
		tb_putc(b, '~');
		set = ~set;
	}
	tb_putc(b, '[');
	for (int sig = 1; sig <= NSIG; sig++) {
		if (!(set & sig_bit(sig)))
			continue;
		if (!first)
			tb_putc(b, ' ');
		put_signal_short(b, sig);
		first = false;
	}
	tb_putc(b, ']');
}
