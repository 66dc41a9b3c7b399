/* ^D on a terminal ends one read, not the input: the program reads a line,
 * then meets the ^D (a read of 0 bytes), then reads the line typed after
 * it.  Whoever drives the terminal types "abc" when asked for the first
 * line, ^D when asked for the end, "more" when asked for the rest.
 * tests/vm/test_tty_eof.py runs it with amphi on a pty, and natively. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void read_once(const char *asking)
{
	char buf[64];

	printf("%s\n", asking);
	fflush(stdout);
	ssize_t n = read(0, buf, sizeof buf);
	printf("read %zd\n", n);
}

int main(void)
{
	read_once("first line?");
	read_once("end?");
	read_once("the rest?");
	return 0;
}
