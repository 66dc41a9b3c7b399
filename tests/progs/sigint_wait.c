/* Prints "ready", then waits for SIGINT: with argument "catch" a handler
 * reports it and the program exits 0; with "ignore" it is ignored; without,
 * the default action ends it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_int(int sig) { got = sig; }

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "catch"))
		signal(SIGINT, on_int);
	if (argc > 1 && !strcmp(argv[1], "ignore"))
		signal(SIGINT, SIG_IGN);
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 600 && !got; i++)
		usleep(100000);
	printf(got ? "got SIGINT\n" : "no signal\n");
	return got ? 0 : 1;
}
