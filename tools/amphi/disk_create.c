/* amphi disk create FILE SIZE [--from DIR] [--type ext4|ext2]: a raw
 * image of SIZE bytes holding a file system made by e2fsprogs' mke2fs,
 * filled from a host folder with --from (mke2fs -d).  Any failure leaves
 * no file behind. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "amphi.h"

#define MIN_DISK	(1ull << 20)	/* mke2fs itself refuses what is too small for its content */
#define MAX_DISK	(1ull << 44)

/* Runs mke2fs with argv; its output goes to a pipe, of which the last
 * line is the error shown when it fails; dies then. */
static void run_mke2fs(char **argv, const char *file)
{
	int p[2];
	char out[4096];
	size_t n = 0;

	if (pipe(p))
		die("disk create: pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execvp("mke2fs", argv);
		execv("/sbin/mke2fs", argv);	/* outside a non-root PATH */
		execv("/usr/sbin/mke2fs", argv);
		fprintf(stderr, "cannot run mke2fs (install e2fsprogs): %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	for (ssize_t r; (r = read(p[0], out + n, sizeof out - 1 - n)) > 0 || (r < 0 && errno == EINTR);)
		if (r > 0 && (n += (size_t)r) == sizeof out - 1)
			n = 0;	/* keep the end: the last line is the one wanted */
	close(p[0]);
	out[n] = 0;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	unlink(file);
	while (n && out[n - 1] == '\n')
		out[--n] = 0;
	char *last = strrchr(out, '\n');
	die("disk create: mke2fs failed: %s", last ? last + 1 : n ? out : "no message");
}

int disk_create(int argc, char **argv)
{
	static const struct option options[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from = NULL, *type = "ext4";
	uint64_t size;
	struct stat st;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'f': from = optarg; break;
		case 't':
			if (strcmp(optarg, "ext4") && strcmp(optarg, "ext2"))
				die("disk create: --type wants ext4 or ext2, not '%s'", optarg);
			type = optarg;
			break;
		case 'h': cmd_disk_usage(stdout); exit(0);
		case ':': die("disk create: %s needs a value (see amphi help disk)", opt_failed(argv));
		default: die("disk create: unknown option '%s' (see amphi help disk)", opt_failed(argv));
		}
	}
	if (argc - optind != 2)
		die("disk create: wants FILE SIZE (see amphi help disk)");
	const char *file = argv[optind], *sz = argv[optind + 1];
	if (parse_size(sz, &size) || size < MIN_DISK || size > MAX_DISK)
		die("disk create: SIZE wants 1M to 16T (a number of MiB, or with K, M or G), not '%s'", sz);
	if (from && (stat(from, &st) || !S_ISDIR(st.st_mode)))
		die("disk create: --from %s: %s", from, stat(from, &st) ? strerror(errno) : "not a folder");
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		die("disk create: %s: %s", file, strerror(errno));
	if (ftruncate(fd, (off_t)size)) {
		int e = errno;
		close(fd);
		unlink(file);
		die("disk create: %s: %s", file, strerror(e));
	}
	close(fd);
	char *args[] = { "mke2fs", "-q", "-F", "-t", (char *)type, "-E", "root_owner=0:0",
			 from ? "-d" : NULL, (char *)from, (char *)file, NULL };
	if (!from)
		memmove(&args[7], &args[9], 2 * sizeof args[0]);
	run_mke2fs(args, file);
	return 0;
}
