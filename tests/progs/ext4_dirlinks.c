/* ext4_dirlinks DIR OP...: a directory near ext4's link limit.  Each OP
 * is mkdir:FROM:TO (subdirectories DIR/M/dFROM .. dTO-1, stopping at the
 * first error), rmdir:FROM:TO, or movein (DIR/x renamed to DIR/M/x, made
 * first), or stat (M's link count and size).  Prints one line
 * per OP: what was done, the first error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;

/* mkdir or rmdir of M/dFROM .. dTO-1: how many were done, and why not more. */
static void each(const char *op, int from, int to)
{
	char path[4096];
	int k, err = 0;

	for (k = from; k < to && !err; k++) {
		snprintf(path, sizeof path, "%s/M/d%d", dir, k);
		err = (op[0] == 'm' ? mkdir(path, 0755) : rmdir(path)) ? errno : 0;
	}
	if (err)
		printf("%s %d..%d: stopped at d%d: %s\n", op, from, to, k - 1, strerror(err));
	else
		printf("%s %d..%d: ok\n", op, from, to);
}

static void movein(void)
{
	char from[4096], to[4096];

	snprintf(from, sizeof from, "%s/x", dir);
	snprintf(to, sizeof to, "%s/M/x", dir);
	mkdir(from, 0755);
	printf("rename x to M/x: %s\n", rename(from, to) ? strerror(errno) : "ok");
}

static void show(void)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof path, "%s/M", dir);
	if (stat(path, &st))
		printf("stat M: %s\n", strerror(errno));
	else
		printf("M: %ld links, size %lld\n", (long)st.st_nlink, (long long)st.st_size);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc < 3)
		return 2;
	dir = argv[1];
	snprintf(path, sizeof path, "%s/M", dir);
	mkdir(path, 0755);
	for (int a = 2; a < argc; a++) {
		int from, to;
		if (!strcmp(argv[a], "movein"))
			movein();
		else if (!strcmp(argv[a], "stat"))
			show();
		else if (sscanf(argv[a], "%*[a-z]:%d:%d", &from, &to) == 2)
			each(argv[a][0] == 'm' ? "mkdir" : "rmdir", from, to);
		else
			return 2;
	}
	return 0;
}
