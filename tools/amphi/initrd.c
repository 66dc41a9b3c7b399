/* The initrd: a cpio archive holding the program at its own absolute path
 * (so /proc/self/exe and the program's path agree, docs/protocol.md),
 * the directories above it, and /.amphi/config with exe, arg and env.
 * The server VM's holds the config alone (initrd_write_config). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "amphi.h"
#include "config.h"
#include "cpio.h"

#define DIR_MODE (S_IFDIR | 0755)
#define PAD_PATH ".amphi/pad"
#define GUEST_PAGE 4096		/* the kernel's page, which files start on */

/* A growing buffer that the lib/ writers append to. */
struct blob {
	char *data;
	size_t len, cap;
};

static void blob_reserve(struct blob *b, size_t more)
{
	if (more > SIZE_MAX / 2 - b->len)
		die_status(EXIT_VMFAIL, "initrd too large");
	if (b->len + more <= b->cap)
		return;
	b->cap = (b->len + more) * 2;
	b->data = xrealloc(b->data, b->cap);
}

static void add_pair(struct blob *b, const char *key, const char *value)
{
	blob_reserve(b, strlen(key) + strlen(value) + 2);
	if (config_append(b->data, b->cap, &b->len, key, value) < 0)
		die_status(EXIT_VMFAIL, "internal error: config does not fit");
}

static void append(struct blob *b, const char *name, uint32_t mode, uint32_t mtime,
		   const void *data, size_t size)
{
	blob_reserve(b, cpio_entry_size(strlen(name), size));
	if (cpio_append(b->data, b->cap, &b->len, name, mode, mtime, data, size) < 0)
		die_status(EXIT_VMFAIL, "internal error: initrd entry does not fit");
}

/* A file of a page or more starts its data on a page, after an entry of
 * zeros the kernel skips (it is amphi's own, under /.amphi): the kernel
 * then takes the file's pages as they lie instead of copying them, which
 * saves the copy's time and the memory of the archive, freed after. */
static void add_entry(struct blob *b, const char *name, uint32_t mode, uint32_t mtime,
		      const void *data, size_t size)
{
	static const char zeros[GUEST_PAGE];

	if (S_ISREG(mode) && size >= GUEST_PAGE)
		append(b, PAD_PATH, S_IFREG | 0600, 0, zeros,
		       cpio_padding_for(b->len, strlen(PAD_PATH), strlen(name), GUEST_PAGE));
	append(b, name, mode, mtime, data, size);
}

static void emit_pair(void *ctx, const char *key, const char *value)
{
	add_pair(ctx, key, value);
}

/* For each step, exe then argv (as typed, then the ARGs); then the
 * environment, which every step gets. */
static struct blob config_build(const struct step *steps, size_t nsteps, const struct run_opts *o)
{
	struct blob c = { 0 };

	for (size_t s = 0; s < nsteps; s++) {
		add_pair(&c, "exe", steps[s].prog.path);
		add_pair(&c, "arg", steps[s].prog.typed);
		for (size_t i = 0; i < steps[s].nargs; i++)
			add_pair(&c, "arg", steps[s].args[i]);
	}
	for (size_t i = 0; i < o->nenv; i++)
		add_pair(&c, "env", o->env[i]);
	net_config(&o->net, emit_pair, &c);
	if (o->trace)
		add_pair(&c, "trace", o->trace);
	if (o->user)
		add_pair(&c, "user", o->user);
	/* Which of amphi's own streams are terminals: the program's isatty()
	 * and stdio buffering should see what a native run would. */
	char tty[4] = "", *t = tty;
	for (int fd = 0; fd < 3; fd++)
		if (o->tty_all || isatty(fd))
			*t++ = (char)('0' + fd);
	if (*tty)
		add_pair(&c, "tty", tty);
	return c;
}

/* "work", "work/main", "work/main/build" for "/work/main/build/hello":
 * an extractor (the kernel's included) then never meets a file whose
 * directory it has not seen. */
static void add_parents(struct blob *b, const char *path)
{
	for (const char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		char *dir = strndup(path + 1, (size_t)(s - path - 1));
		if (!dir)
			die_status(EXIT_VMFAIL, "out of memory");
		add_entry(b, dir, DIR_MODE, 0, NULL, 0);
		free(dir);
	}
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		die_status(EXIT_VMFAIL, "%s: %s", path, strerror(errno));
	int r = write_full(fd, data, len);
	if (r < 0 || close(fd) < 0)
		die_status(EXIT_VMFAIL, "%s: %s", path, strerror(r < 0 ? -r : errno));
}

static void emit_host_entry(void *ctx, const char *name, uint32_t mode, uint32_t mtime,
			    const void *data, size_t size)
{
	add_entry(ctx, name, mode, mtime, data, size);
}

/* The --files trees come first: the program and the config, added after,
 * win where a tree holds the same names. */
static void add_program(struct blob *a, const struct step *steps, size_t s)
{
	const struct program *p = &steps[s].prog;

	for (size_t i = 0; i < s; i++)
		if (!strcmp(steps[i].prog.path, p->path))
			return;	/* already in: one copy serves every step */
	add_parents(a, p->path);
	add_entry(a, p->path + 1, S_IFREG | p->mode, p->mtime, p->data, p->size);
}

/* ---- host files at their own paths (libs.c's) ------------------------------ */

static bool added(struct pathset *seen, const char *name)
{
	for (size_t i = 0; i < seen->n; i++)
		if (!strcmp(seen->v[i], name))
			return true;
	pathset_add(seen, name);
	return false;
}

static void add_host_file(struct blob *a, const char *path, const struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *data = xmalloc(st->st_size ? (size_t)st->st_size : 1);
	size_t got = 0;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, data + got, (size_t)st->st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: %s", path, n < 0 ? strerror(errno) : "file shrank while being read");
		got += (size_t)n;
	}
	close(fd);
	add_entry(a, path + 1, st->st_mode, (uint32_t)st->st_mtime, data, got);
	free(data);
}

/* path (absolute) with every directory and symlink on its way, as the host
 * has them: a loader that opens /lib64/ld-linux-x86-64.so.2 in the guest
 * follows the same links to the same file.  With links_only, the file the
 * links lead to is not added (the program is, at its own path). */
static void add_host_path(struct blob *a, struct pathset *seen, const char *path, int depth,
			  bool links_only)
{
	struct stat st;
	char target[PATH_MAX];

	if (depth > 40)
		die("%s: too many levels of symbolic links", path);
	for (const char *s = strchr(path + 1, '/');; s = strchr(s + 1, '/')) {
		char *prefix = s ? xasprintf("%.*s", (int)(s - path), path) : xstrdup(path);
		if (lstat(prefix, &st) < 0)
			die("%s: %s", prefix, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(prefix, target, sizeof target - 1);
			if (n < 0)
				die("%s: %s", prefix, strerror(errno));
			target[n] = 0;
			if (!added(seen, prefix))
				add_entry(a, prefix + 1, st.st_mode, (uint32_t)st.st_mtime, target, (size_t)n);
			char *dir = xasprintf("%.*s", (int)(strrchr(prefix, '/') - prefix), prefix);
			char *next = xasprintf("%s%s%s%s", target[0] == '/' ? "" : dir,
					       target[0] == '/' ? "" : "/", target, s ? s : "");
			add_host_path(a, seen, next, depth + 1, links_only);
			free(next);
			free(dir);
			free(prefix);
			return;
		}
		if (!added(seen, prefix)) {
			if (S_ISDIR(st.st_mode))
				add_entry(a, prefix + 1, S_IFDIR | (st.st_mode & 07777), 0, NULL, 0);
			else if (S_ISREG(st.st_mode) && !s && !links_only)
				add_host_file(a, prefix, &st);
		}
		free(prefix);
		if (!s)
			return;
	}
}

/* The config, the trailer, and the file: every archive ends so.  Its size. */
static uint64_t archive_finish(struct blob *a, struct blob *config, const char *path)
{
	add_entry(a, ".amphi", DIR_MODE, 0, NULL, 0);
	add_entry(a, CONFIG_PATH, S_IFREG | 0644, 0, config->data, config->len);
	blob_reserve(a, cpio_entry_size(10, 0));
	if (cpio_trailer(a->data, a->cap, &a->len) < 0)
		die_status(EXIT_VMFAIL, "internal error: initrd trailer does not fit");
	write_file(path, a->data, a->len);
	free(config->data);
	free(a->data);
	return a->len;
}

uint64_t initrd_write(const char *path, const struct step *steps, size_t nsteps,
		  const struct run_opts *o, const struct pathset *libs)
{
	struct blob config = config_build(steps, nsteps, o);
	struct blob a = { 0 };
	struct pathset seen = { 0 };

	for (size_t i = 0; i < libs->n; i++)
		add_host_path(&a, &seen, libs->v[i], 0, false);
	/* A program typed as an absolute path through symlinks (/usr/bin/python3
	 * to python3.11) is found at that path too: programs run argv[0]
	 * again (python's sys.executable). */
	for (size_t s = 0; s < nsteps; s++)
		if (steps[s].prog.typed[0] == '/' && strcmp(steps[s].prog.typed, steps[s].prog.path))
			add_host_path(&a, &seen, steps[s].prog.typed, 0, true);
	for (size_t i = 0; i < o->nfiles; i++) {
		const char *colon = strchr(o->files[i], ':');
		if (colon && colon[1] && strcmp(colon + 1, "/"))
			add_parents(&a, colon + 1);
		hostdir_walk(o->files[i], emit_host_entry, &a);
	}
	for (size_t s = 0; s < nsteps; s++)
		add_program(&a, steps, s);
	return archive_finish(&a, &config, path);
}

void initrd_write_config(const char *path, initrd_config_fn *fill, void *ctx)
{
	struct blob config = { 0 }, a = { 0 };

	fill(ctx, emit_pair, &config);
	archive_finish(&a, &config, path);
}
