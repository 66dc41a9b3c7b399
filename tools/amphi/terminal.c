/* amphi's terminal in the modes the program sets (docs/protocol.md, frame
 * M).  The guest has no line discipline: echo, line editing and the
 * signal keys are done by the host terminal amphi reads, so when the
 * program turns echo off (a password prompt) or line editing off (an
 * editor, a pager) amphi sets the same on its own terminal, and puts the
 * terminal back as it found it when it exits.  Only the modes that decide
 * what the host's line discipline does with input are taken: echo,
 * canonical mode, the signal and extended keys, CR to NL and flow control. */
#include "amphi.h"

#include <stdbool.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#define INPUT_MODES	(ICRNL | IXON)
#define LOCAL_MODES	(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN)

static struct termios found;
static bool changed;

static void put_back(void)
{
	tcsetattr(0, TCSADRAIN, &found);
}

void terminal_set_modes(uint32_t iflag, uint32_t lflag)
{
	struct termios t;

	/* Not amphi's to set: no terminal, or amphi is a background job
	 * (tcsetattr would stop it with SIGTTOU) */
	if (!isatty(0) || tcgetpgrp(0) != getpgrp() || tcgetattr(0, &t))
		return;
	if (!changed) {
		found = t;
		changed = true;
		atexit(put_back);
	}
	t.c_iflag = (t.c_iflag & ~(tcflag_t)INPUT_MODES) | (iflag & INPUT_MODES);
	t.c_lflag = (t.c_lflag & ~(tcflag_t)LOCAL_MODES) | (lflag & LOCAL_MODES);
	if (!(lflag & ICANON)) {	/* each key as it comes */
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
	}
	tcsetattr(0, TCSADRAIN, &t);
}
