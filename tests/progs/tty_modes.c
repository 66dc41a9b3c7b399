/* Terminal modes a program sets reach the terminal it is typed at: with
 * echo off a password is not shown, with canonical mode off a key comes
 * without its Enter, and after the modes are put back a line is echoed
 * again.  Run on a pty; prints a transcript to compare with Linux's.
 * "tty_modes leave": ends with the terminal raw, for amphi to put back. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void set(const struct termios *t)
{
	if (tcsetattr(0, TCSANOW, t))
		perror("tcsetattr");
}

int main(int argc, char **argv)
{
	struct termios saved, t;
	char line[64] = "";
	char key = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (tcgetattr(0, &saved)) {
		perror("tcgetattr");
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "leave")) {
		t = saved;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
		set(&t);
		printf("left raw\n");
		return 0;
	}
	t = saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	set(&t);
	printf("password? ");
	if (fgets(line, sizeof line, stdin))
		printf("\nread %zu\n", strlen(line));
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	set(&t);
	printf("key? ");
	if (read(0, &key, 1) == 1)
		printf("\nkey %c\n", key);
	set(&saved);
	printf("line? ");
	if (fgets(line, sizeof line, stdin))
		printf("read %zu\n", strlen(line));
	return 0;
}
