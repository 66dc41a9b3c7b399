/* /proc/PID/cmdline and environ as Linux reads them: from the program's
 * memory, so what a program writes over its arguments (setproctitle, as
 * redis and nginx do) is what ps shows.  The program execs itself with a
 * known argv and environment, then, in that image:
 *   plain      cmdline and environ as exec laid them out
 *   inplace    argv[0] shortened in place: the bytes as they now lie
 *   title      the arguments' area cleared and a title written over it and
 *              on into the environment's (its last NUL gone): one string
 *   env        an environment string changed in place
 *   child      a forked child reads its parent's rewritten cmdline
 * NUL bytes print as '|'.  Lines from Linux 6.18 (the same program built
 * with musl). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void show(const char *what, const char *path)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;

	if (f)
		fclose(f);
	printf("%s (%zu): ", what, n);
	for (size_t i = 0; i < n; i++)
		putchar(buf[i] ? buf[i] : '|');
	putchar('\n');
}

/* The arguments' and environment's strings lie end to end from argv[0]. */
static char *strings_end(char **argv)
{
	char *end = argv[0];

	for (char **v = argv; *v; v++)
		end = *v + strlen(*v) + 1;
	for (char **v = environ; *v; v++)
		end = *v + strlen(*v) + 1;
	return end;
}

static void run_case(const char *name, char **argv)
{
	char c[16];

	snprintf(c, sizeof c, "%s", name);	/* argv's strings are about to change */
	if (!strcmp(c, "plain")) {
		show("cmdline", "/proc/self/cmdline");
		show("environ", "/proc/self/environ");
	} else if (!strcmp(c, "inplace")) {
		strcpy(argv[0], "ab");
		show("cmdline", "/proc/self/cmdline");
	} else if (!strcmp(c, "title") || !strcmp(c, "child")) {
		char *start = argv[0], *end = strings_end(argv);
		memset(start, 0, end - start);
		snprintf(start, end - start, "title: %s", "a long one that runs past the arguments");
		if (!strcmp(c, "title")) {
			show("cmdline", "/proc/self/cmdline");
			return;
		}
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/cmdline", (int)getpid());
		fflush(stdout);
		pid_t pid = fork();
		if (!pid) {
			show("the parent's, from its child", path);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	} else if (!strcmp(c, "env")) {
		environ[1][0] = 'Z';
		show("environ", "/proc/self/environ");
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[2], "again")) {
		run_case(argv[1], argv);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: proc_cmdline plain|inplace|title|env|child\n");
		return 2;
	}
	char *args[] = { "proc_cmdline", argv[1], "again", NULL };
	char *env[] = { "A=1", "BB=22", "CCC=333", NULL };
	execve("/proc/self/exe", args, env);
	perror("execve");
	return 1;
}
