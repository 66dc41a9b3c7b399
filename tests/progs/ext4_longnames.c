/* ext4_longnames DIR COUNT: COUNT hard links to DIR/target, each named
 * DIR/D/ with a distinct name of 255 bytes (the longest), every one found
 * again by stat, then all removed; a name of 256 bytes is ENAMETOOLONG.
 * Prints what it did and the link count left. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[4096];

/* DIR/D/ and name k, len bytes long. */
static const char *named(const char *dir, int k, int len)
{
	int n = snprintf(path, sizeof path, "%s/D/%d-", dir, k);

	memset(path + n, 'a' + k % 26, (size_t)len - (size_t)n + strlen(dir) + 3);
	path[strlen(dir) + 3 + len] = 0;
	return path;
}

int main(int argc, char **argv)
{
	char target[4096];
	struct stat st;
	int n, k, found = 0;

	if (argc != 3)
		return 2;
	const char *dir = argv[1];
	n = atoi(argv[2]);
	snprintf(target, sizeof target, "%s/D", dir);
	mkdir(target, 0755);
	snprintf(target, sizeof target, "%s/target", dir);
	close(open(target, O_CREAT | O_WRONLY, 0644));
	printf("256 bytes: %s\n", link(target, named(dir, 0, 256)) ? strerror(errno) : "ok");
	for (k = 0; k < n && !link(target, named(dir, k, 255)); k++)
		;
	printf("linked %d%s%s\n", k, k < n ? ": " : "", k < n ? strerror(errno) : "");
	for (int j = 0; j < k; j++)
		found += !stat(named(dir, j, 255), &st);
	printf("found %d\n", found);
	for (k = 0; k < n && !unlink(named(dir, k, 255)); k++)
		;
	printf("removed %d%s%s\n", k, k < n ? ": " : "", k < n ? strerror(errno) : "");
	stat(target, &st);
	printf("links %ld\n", (long)st.st_nlink);
	return 0;
}
