/* The signals amphi run passes on to its program (console.c sends each as a
 * frame): SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH,
 * each as often as it comes; and the one `amphi stop` sends, which stops
 * the VM whatever the program does (signals_stop_request).
 *
 * They stay blocked all the time except inside ppoll(), so the one place
 * that looks at them cannot miss one that lands just before it waits.
 * SIGCONT is caught the same way only to wake that wait: a job brought to
 * the foreground may now read the terminal.  SIGPIPE is ignored: a closed
 * stdout shows up as EPIPE, which the console handles. */
#include <signal.h>
#include <string.h>
#include "amphi.h"

#define NSIGS	65

static volatile sig_atomic_t pending[NSIGS];	/* how many of each came */
static sigset_t wait_mask, child_mask;

static void on_signal(int sig)
{
	if (sig != SIGCONT && sig < NSIGS)
		pending[sig]++;
}

/* Real-time, so no program or terminal sends it by accident. */
int signals_stop_request(void)
{
	return SIGRTMIN + 1;
}

#define CAUGHT	{ SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, \
		  signals_stop_request() }

void signals_init(void)
{
	const int sigs[] = CAUGHT;
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_BLOCK, &block, &child_mask);
	wait_mask = child_mask;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigdelset(&wait_mask, sigs[i]);
}

const sigset_t *signals_wait_mask(void)
{
	return &wait_mask;
}

const sigset_t *signals_child_mask(void)
{
	return &child_mask;
}

/* In a vfork()ed child, which shares amphi's memory until it execs: a
 * signal caught there would count in amphi's pending[]. */
void signals_default(void)
{
	const int sigs[] = CAUGHT;

	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

/* One signal that came and was not taken yet (the lowest number first), or
 * 0.  Only called while they are blocked. */
int signals_take(void)
{
	for (int sig = 1; sig < NSIGS; sig++) {
		if (pending[sig]) {
			pending[sig]--;
			return sig;
		}
	}
	return 0;
}

/* For a daemon that takes its signals from a signalfd: they stay blocked,
 * and QEMU starts with the mask from before. */
void signals_block(const sigset_t *set)
{
	sigprocmask(SIG_BLOCK, set, &child_mask);
}
