/* SIGINT, SIGTERM, SIGHUP: the first goes on to the program (console.c
 * sends it as a frame), a second stops the VM.
 *
 * They stay blocked all the time except inside ppoll(), so the one place
 * that looks at them cannot miss one that lands just before it waits.
 * SIGCONT is caught the same way only to wake that wait: a job brought to
 * the foreground may now read the terminal.  SIGPIPE is ignored: a closed
 * stdout shows up as EPIPE, which the console handles. */
#include <signal.h>
#include <string.h>
#include "amphi.h"

static volatile sig_atomic_t caught;
static sigset_t wait_mask, child_mask;

static void on_signal(int sig)
{
	if (sig != SIGCONT)
		caught = sig;
}

void signals_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCONT };
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

int signals_take(void)
{
	int sig = caught;

	caught = 0;
	return sig;
}

/* For a daemon that takes its signals from a signalfd: they stay blocked,
 * and QEMU starts with the mask from before. */
void signals_block(const sigset_t *set)
{
	sigprocmask(SIG_BLOCK, set, &child_mask);
}
