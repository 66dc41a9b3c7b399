/* The program to run: found (as a shell would, plus the current
 * directory), read whole, and checked with the same elf_check the kernel
 * runs, so bad input is refused with a reason before anything boots. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "amphi.h"
#include "elf_check.h"

/* A name with a slash is a path.  A bare name is taken from the current
 * directory if it is there, else looked up in PATH like execvp(). */
static char *program_find(const char *typed)
{
	if (strchr(typed, '/') || access(typed, F_OK) == 0)
		return xstrdup(typed);
	const char *path = getenv("PATH");
	if (!path)
		return xstrdup(typed);
	char *dirs = xstrdup(path), *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", d, typed);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
			free(dirs);
			return cand;
		}
		free(cand);
	}
	free(dirs);
	return xstrdup(typed);
}

static void read_all(int fd, struct program *p)
{
	size_t got = 0;

	p->data = xmalloc(p->size);
	while (got < p->size) {
		ssize_t n = read(fd, p->data + got, p->size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", p->typed, strerror(errno));
		if (n == 0)
			die("%s: file shrank while being read", p->typed);
		got += (size_t)n;
	}
}

/* O_NONBLOCK: opening a FIFO must not hang; fstat then refuses it. */
static int open_regular(const char *path, const char *typed, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s", typed, strerror(errno));
	if (fstat(fd, st) < 0)
		die("%s: %s", typed, strerror(errno));
	if (S_ISDIR(st->st_mode))
		die("%s: %s", typed, strerror(EISDIR));
	if (!S_ISREG(st->st_mode))
		die("%s: not a regular file", typed);
	/* cpio sizes are 32 bits. */
	if ((uint64_t)st->st_size >= UINT32_MAX)
		die("%s: too large (the initrd holds files under 4 GiB)", typed);
	return fd;
}

void program_load(struct program *p, const char *typed)
{
	char *found = program_find(typed);
	struct stat st;
	const char *why;
	struct elf_info info;

	p->typed = typed;
	int fd = open_regular(found, typed, &st);
	p->size = (size_t)st.st_size;
	p->mode = st.st_mode & 0777;
	p->mtime = (uint32_t)st.st_mtime;
	read_all(fd, p);
	close(fd);
	p->path = realpath(found, NULL);
	if (!p->path)
		die("%s: %s", typed, strerror(errno));
	free(found);
	if (elf_check(p->data, p->size, p->size, &info, &why) < 0)
		die("%s: %s", typed, why);
	p->is_pie = info.is_pie;
}

/* --before "PROGRAM ARG...": words split at spaces, no quoting. */
static void step_from_words(const char *cmd_name, struct step *s, const char *cmd)
{
	char *words = xstrdup(cmd), *save = NULL;
	char *prog = strtok_r(words, " ", &save);

	if (!prog)
		die("%s: --before wants a command, not '%s'", cmd_name, cmd);
	for (char *w; (w = strtok_r(NULL, " ", &save));) {
		s->args = xrealloc(s->args, sizeof(char *) * (s->nargs + 1));
		s->args[s->nargs++] = w;
	}
	program_load(&s->prog, prog);
}

struct step *steps_load(const char *cmd, const struct run_opts *o, const char *prog)
{
	size_t nsteps = o->nbefore + 1;
	struct step *steps = xmalloc(nsteps * sizeof *steps);

	memset(steps, 0, nsteps * sizeof *steps);
	for (size_t i = 0; i < o->nbefore; i++)
		step_from_words(cmd, &steps[i], o->before[i]);
	program_load(&steps[o->nbefore].prog, prog);
	steps[o->nbefore].args = o->args;
	steps[o->nbefore].nargs = o->nargs;
	return steps;
}
