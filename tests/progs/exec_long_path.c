/* /proc/self/exe of a program whose path is longer than 255 bytes: the
 * whole path, and exec of /proc/self/exe (how a program starts itself
 * again) runs the same program.  The kernel used to keep 255 bytes of it:
 * the link read short and the exec found no such file.  Copies itself to
 * a 387-byte path under DIR (default /tmp) and runs that. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PART	"/abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"

static void copy_self(const char *to)
{
	static char buf[1 << 16];
	int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, (size_t)n);
	close(in);
	close(out);
}

static void show_exe(const char *want)
{
	char got[4096];
	ssize_t n = readlink("/proc/self/exe", got, sizeof got - 1);

	got[n > 0 ? n : 0] = 0;
	printf("exe is the path: %s (%zd bytes)\n", strcmp(got, want) ? "no" : "yes", n);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "again")) {	/* started through /proc/self/exe */
		show_exe(argv[2]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "long")) {
		show_exe(argv[2]);
		fflush(stdout);
		execl("/proc/self/exe", "again", "again", argv[2], (char *)NULL);
		printf("exec of /proc/self/exe: %m\n");
		return 1;
	}
	char path[1024];
	snprintf(path, sizeof path, "%s", argc > 1 ? argv[1] : "/tmp");
	for (int i = 0; i < 6; i++) {
		strcat(path, PART);
		mkdir(path, 0755);
	}
	strcat(path, "/prog");
	copy_self(path);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		execl(path, path, "long", path, (char *)NULL);
		printf("exec: %m\n");
		_exit(1);
	}
	int st;
	waitpid(c, &st, 0);
	printf("exec_long_path %s\n", WIFEXITED(st) && !WEXITSTATUS(st) ? "ok" : "failed");
	return 0;
}
