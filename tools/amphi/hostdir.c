/* --files HOSTDIR[:GUESTDIR]: a host folder's tree, walked in an order an
 * extractor can follow (every directory before what it holds), handed to a
 * callback entry by entry. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "amphi.h"

struct walk {
	hostdir_emit_fn *emit;
	void *ctx;
};

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = xrealloc(NULL, la + lb + 2);

	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static void emit_file(struct walk *w, const char *host, const char *guest, const struct stat *st)
{
	int fd = open(host, O_RDONLY | O_CLOEXEC);
	size_t size = (size_t)st->st_size, got = 0;
	char *data = xrealloc(NULL, size ? size : 1);

	if (fd < 0)
		die("--files: %s: %s", host, strerror(errno));
	while (got < size) {
		ssize_t n = read(fd, data + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("--files: %s: %s", host, n < 0 ? strerror(errno) : "file shrank while being read");
		got += (size_t)n;
	}
	close(fd);
	w->emit(w->ctx, guest, st->st_mode, (uint32_t)st->st_mtime, data, size);
	free(data);
}

static void emit_link(struct walk *w, const char *host, const char *guest, const struct stat *st)
{
	char target[4096];
	ssize_t n = readlink(host, target, sizeof target);

	if (n < 0 || n == sizeof target)
		die("--files: %s: cannot read the link", host);
	w->emit(w->ctx, guest, st->st_mode, (uint32_t)st->st_mtime, target, (size_t)n);
}

static void walk_tree(struct walk *w, const char *host, const char *guest);

/* The entries of directory host, named under guest ("" for the root). */
static void walk_children(struct walk *w, const char *host, const char *guest)
{
	DIR *d = opendir(host);

	if (!d)
		die("--files: %s: %s", host, strerror(errno));
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *h = join(host, e->d_name);
		char *g = *guest ? join(guest, e->d_name) : xstrdup(e->d_name);
		walk_tree(w, h, g);
		free(h);
		free(g);
	}
	closedir(d);
}

static void walk_tree(struct walk *w, const char *host, const char *guest)
{
	struct stat st;

	if (lstat(host, &st) < 0)
		die("--files: %s: %s", host, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		emit_file(w, host, guest, &st);
	} else if (S_ISLNK(st.st_mode)) {
		emit_link(w, host, guest, &st);
	} else if (S_ISDIR(st.st_mode)) {
		w->emit(w->ctx, guest, st.st_mode, (uint32_t)st.st_mtime, NULL, 0);
		walk_children(w, host, guest);
	}
	/* Sockets, FIFOs and devices are skipped: they have no contents. */
}

void hostdir_walk(const char *spec, hostdir_emit_fn *emit, void *ctx)
{
	char *host = xstrdup(spec), *colon = strchr(host, ':');
	const char *guest = colon ? colon + 1 : "/";
	struct walk w = { emit, ctx };
	struct stat st;

	if (colon)
		*colon = 0;
	if (!*host || guest[0] != '/')
		die("--files wants HOSTDIR[:/GUESTDIR], not '%s'", spec);
	if (stat(host, &st) < 0 || !S_ISDIR(st.st_mode))
		die("--files: %s: not a directory", host);
	/* Archive names have no leading slash; the root itself is not an entry. */
	while (*guest == '/')
		guest++;
	if (*guest)
		walk_tree(&w, host, guest);
	else
		walk_children(&w, host, "");
	free(host);
}
