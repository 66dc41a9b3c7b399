/* The system call trace (amphi run --trace; docs/amphi.md).
 *
 * Tracing costs nothing while it is off: turning it on puts trace_entry in
 * the dispatch table in place of every call asked for, and keeps the real
 * handlers aside.  syscall_dispatch never looks at a flag.
 *
 * A line is written when its call returns, whole, so lines of several
 * threads never mix: "TID name(arguments) = result".  Arguments the call
 * fills in are read after it; a call that never returns (exit,
 * exit_group) is written as it is made, with "= ?".  Signals taken and
 * the program's end get lines of their own, as in strace.  Lines go to
 * amphi as FRAME_TRACE frames, each under the console's lock. */
#include "linux/trace.h"

#include "core/errno.h"
#include "core/sched.h"
#include "core/string.h"
#include "dev/console.h"
#include "frame.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/trace_internal.h"

#define RESULT_COLUMN	39	/* where " = " goes, as strace -f -o aligns it */
#define NR_RT_SIGRETURN	15
#define NR_POLL		7
#define NR_PPOLL	271

extern const char *const errno_names[][2];
extern const int errno_names_count;

bool trace_on;
static syscall_fn *real[NR_SYSCALLS];	/* the handlers trace_entry stands in for */

static void line_start(struct tbuf *b, int tid)
{
	b->len = 0;
	b->cut = false;
	tb_printf(b, "%-5d ", tid);
}

static void line_send(struct tbuf *b)
{
	if (b->cut) {	/* what fit, marked as cut, and the newline */
		b->len = sizeof b->s - 5;
		tb_puts(b, "...");
	}
	b->s[b->len++] = '\n';
	console_write(FRAME_TRACE, b->s, b->len);
}

static void put_call(struct tbuf *b, uint64_t nr, const uint64_t *a, long ret)
{
	const struct trace_call *c = nr < (uint64_t)trace_calls_count ? &trace_calls[nr] : NULL;
	bool known = c && c->ret;
	int n = known ? c->nargs : 6;

	tb_puts(b, syscall_name((int)nr));
	tb_putc(b, '(');
	if (nr == NR_RT_SIGRETURN) {	/* its "arguments" are the frame: show the mask it restored */
		tb_puts(b, "{mask=");
		tb_sigset(b, current()->sigmask);
		tb_putc(b, '}');
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		size_t mark = b->len;
		if (i)
			tb_puts(b, ", ");
		if (!known)
			tb_printf(b, "0x%lx", a[i]);
		else if (!trace_arg(b, c->arg[i], a, i, ret))
			b->len = mark;
	}
	tb_putc(b, ')');
}

static const char *restart_text(long err)
{
	switch (err) {
	case ERESTARTSYS: return "ERESTARTSYS (restarted if SA_RESTART is set)";
	case ERESTARTNOINTR: return "ERESTARTNOINTR (restarted)";
	case ERESTARTNOHAND: return "ERESTARTNOHAND (restarted if no handler)";
	case ERESTART_RESTARTBLOCK: return "ERESTART_RESTARTBLOCK (restarted by restart_syscall)";
	}
	return NULL;
}

static void put_result(struct tbuf *b, uint64_t nr, const uint64_t *a, long ret, bool returns)
{
	const struct trace_call *c = nr < (uint64_t)trace_calls_count ? &trace_calls[nr] : NULL;
	while (b->len < RESULT_COLUMN)
		tb_putc(b, ' ');
	if (!returns) {
		tb_puts(b, " = ?");
		return;
	}
	if (ret < 0 && ret >= -4095) {
		const char *restart = restart_text(-ret);
		if (restart)
			tb_printf(b, " = ? %s", restart);
		else if (-ret < errno_names_count && errno_names[-ret][0])
			tb_printf(b, " = -1 %s (%s)", errno_names[-ret][0], errno_names[-ret][1]);
		else
			tb_printf(b, " = -1 E%ld", -ret);
		return;
	}
	tb_printf(b, c && c->ret == R_HEX ? " = 0x%lx" : " = %ld", ret);
	if (nr == NR_POLL || nr == NR_PPOLL)
		trace_pollfds_revents(b, a[0], a[1], ret);
}

/* Out of line: the line's buffer is on the stack only after the call. */
static void __attribute__((noinline)) trace_line(uint64_t nr, const struct sysargs *a, long ret,
						  bool returns)
{
	struct tbuf b;

	line_start(&b, current()->tid);
	put_call(&b, nr, a->a, ret);
	put_result(&b, nr, a->a, ret, returns);
	line_send(&b);
}

/* In the dispatch table in place of each traced call. */
static long trace_entry(const struct sysargs *a)
{
	uint64_t nr = a->tf->error;	/* the call's number, as entry.S pushed it */
	const struct trace_call *c = nr < (uint64_t)trace_calls_count ? &trace_calls[nr] : NULL;

	if (c && c->ret == R_NONE)
		trace_line(nr, a, 0, false);
	long ret = real[nr] ? real[nr](a) : syscall_unimplemented(nr);
	trace_line(nr, a, ret, true);
	return ret;
}

static void trace_one(int nr)
{
	syscall_fn *old = syscall_replace(nr, trace_entry);

	if (old != trace_entry)	/* not traced already */
		real[nr] = old;
	trace_on = true;
}

/* Before the program's first instruction: no thread is in a call yet. */
void trace_configure(const char *calls)
{
	bool all = !strcmp(calls, "all");

	for (int nr = 0; nr < NR_SYSCALLS; nr++) {
		const char *name = syscall_name(nr);
		size_t len = strlen(name);
		const char *p = calls;
		bool want = all && strcmp(name, "unknown");
		while (!want && (p = strstr(p, name))) {
			want = (p == calls || p[-1] == ',') && (p[len] == ',' || !p[len]);
			p += len;
		}
		if (want)
			trace_one(nr);
	}
}

/* ---- signals and the end ------------------------------------------------------- */

static const char *sig_code(int sig, int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_TKILL: return "SI_TKILL";
	}
	if (sig == SIGSEGV)
		return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : NULL;
	if (sig == SIGFPE)
		return code == FPE_INTDIV ? "FPE_INTDIV" : code == FPE_FLTDIV ? "FPE_FLTDIV" :
		       code == FPE_FLTINV ? "FPE_FLTINV" : NULL;
	if (sig == SIGILL && code == ILL_ILLOPN)
		return "ILL_ILLOPN";
	if (sig == SIGTRAP && code == TRAP_BRKPT)
		return "TRAP_BRKPT";
	if (sig == SIGBUS && code == BUS_ADRALN)
		return "BUS_ADRALN";
	return NULL;
}

static void put_siginfo(struct tbuf *b, int sig, const struct linux_siginfo *info)
{
	const char *code = sig_code(sig, info->code);

	tb_puts(b, "{si_signo=");
	tb_signal(b, sig);
	if (code)
		tb_printf(b, ", si_code=%s", code);
	else
		tb_printf(b, ", si_code=%d", info->code);
	if (info->code == SI_USER || info->code == SI_TKILL || info->code == SI_QUEUE)
		tb_printf(b, ", si_pid=%d, si_uid=%u", info->kill.pid, info->kill.uid);
	if (info->code == SI_QUEUE)
		tb_printf(b, ", si_int=%d, si_ptr=0x%lx", (int32_t)info->kill.value, info->kill.value);
	else if (info->code == SI_TIMER)
		tb_printf(b, ", si_timerid=%d, si_overrun=%d", info->timer.tid, info->timer.overrun);
	else if (info->code > 0 && info->code != SI_KERNEL) {
		tb_puts(b, ", si_addr=");
		tb_ptr(b, info->fault.addr);
	}
	tb_putc(b, '}');
}

void trace_signal(int sig, const struct linux_siginfo *info)
{
	struct tbuf b;

	if (!trace_on)
		return;
	line_start(&b, current()->tid);
	tb_puts(&b, "--- ");
	tb_signal(&b, sig);
	tb_putc(&b, ' ');
	put_siginfo(&b, sig, info);
	tb_puts(&b, " ---");
	line_send(&b);
}

void trace_process_end(int status, int killed_by)
{
	struct tbuf b;

	if (!trace_on)
		return;
	line_start(&b, process_current()->pid);
	if (killed_by) {
		tb_puts(&b, "+++ killed by ");
		tb_signal(&b, killed_by);
		tb_puts(&b, " +++");
	} else {
		tb_printf(&b, "+++ exited with %d +++", status & 0xff);
	}
	line_send(&b);
}
