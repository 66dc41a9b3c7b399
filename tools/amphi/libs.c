/* What a dynamically linked program needs in the guest: its interpreter
 * (PT_INTERP) and every shared object its DT_NEEDED entries name, found as
 * the host's loader would find them, recursively, without running anything
 * on the host.  The paths are the host's own, so the guest's loader finds
 * each file where it looks (initrd.c brings each with the symlinks on its
 * way: /lib64 -> usr/lib64 and the like).
 *
 * The search follows ld.so(8): DT_RPATH (of the object, then of the
 * program) when the object has no DT_RUNPATH, LD_LIBRARY_PATH (the run's
 * own, from -e), DT_RUNPATH, then the system's directories (ld.so.conf and
 * the defaults; musl's ld-musl-ARCH.path and its defaults).  $ORIGIN is the
 * object's directory.  A candidate counts only if it is an x86_64 ELF64. */
#define _XOPEN_SOURCE 700	/* nftw */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "amphi.h"
#include "elf64.h"
#include "elf_check.h"
#include "elf_dyn.h"

#define GLIBC_DIRS	"/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib"
#define MUSL_DIRS	"/lib:/usr/local/lib:/usr/lib"

/* One object being looked at: its file, read whole. */
struct object {
	char *path;		/* as found (not resolved) */
	uint8_t *data;
	size_t size;
	struct elf_dyn dyn;
};

struct search {
	const char *typed;		/* the program, for messages */
	const char *ld_library_path;	/* the run's, or NULL */
	char *system_dirs;		/* colon-separated */
	const char *exe_rpath;		/* the program's DT_RPATH */
	char *exe_dir;
	bool musl;
	/* A --files tree's shared objects: a need the host's loader could not
	 * resolve either is passed over (java's libraries need libjvm.so,
	 * which the launcher loads first from the tree by its path). */
	bool lenient;
	struct pathset *out;
};

void pathset_add(struct pathset *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], path))
			return;
	s->v = xrealloc(s->v, sizeof *s->v * (s->n + 1));
	s->v[s->n++] = xstrdup(path);
}

static bool read_file(const char *path, uint8_t **data, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct elf64_ehdr)) {
		close(fd);
		return false;
	}
	*size = (size_t)st.st_size;
	*data = xmalloc(*size);
	size_t got = 0;
	while (got < *size) {
		ssize_t n = read(fd, *data + got, *size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got < *size) {
		free(*data);
		return false;
	}
	return true;
}

/* An x86_64 ELF64 the loader could take (the check ld.so makes). */
static bool loadable(const uint8_t *data, size_t size)
{
	struct elf64_ehdr eh;

	if (size < sizeof eh)
		return false;
	memcpy(&eh, data, sizeof eh);
	return !memcmp(eh.e_ident, ELF_MAGIC, 4) && eh.e_ident[ELF_EI_CLASS] == ELF_CLASS64 &&
	       eh.e_machine == ELF_EM_X86_64 && (eh.e_type == ELF_ET_DYN || eh.e_type == ELF_ET_EXEC);
}

/* The directory of path, allocated ("." for a bare name). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - path), path);
}

/* "$ORIGIN/../lib" in a search path, for an object in dir. */
static char *expand_origin(const char *entry, const char *dir)
{
	const char *o = strstr(entry, "$ORIGIN");
	const char *o2 = strstr(entry, "${ORIGIN}");

	if (o2)
		return xasprintf("%.*s%s%s", (int)(o2 - entry), entry, dir, o2 + 9);
	if (o)
		return xasprintf("%.*s%s%s", (int)(o - entry), entry, dir, o + 7);
	return xstrdup(entry);
}

/* The first directory of `dirs` (colon-separated) holding a loadable name. */
static char *search_dirs(const char *dirs, const char *name, const char *origin)
{
	if (!dirs)
		return NULL;
	char *copy = xstrdup(dirs), *save = NULL, *found = NULL;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *dir = expand_origin(d, origin);
		char *cand = xasprintf("%s/%s", dir, name);
		uint8_t *data;
		size_t size;
		if (read_file(cand, &data, &size)) {
			if (loadable(data, size))
				found = cand;
			free(data);
		}
		if (found != cand)
			free(cand);
		free(dir);
	}
	free(copy);
	return found;
}

static char *resolve(struct search *s, const struct object *obj, const char *name)
{
	char *dir = dir_of(obj->path), *found = NULL;

	if (strchr(name, '/')) {
		found = xstrdup(name);
	} else {
		if (!obj->dyn.runpath) {
			found = search_dirs(obj->dyn.rpath, name, dir);
			if (!found)
				found = search_dirs(s->exe_rpath, name, s->exe_dir);
		}
		if (!found)
			found = search_dirs(s->ld_library_path, name, dir);
		if (!found)
			found = search_dirs(obj->dyn.runpath, name, dir);
		if (!found)
			found = search_dirs(s->system_dirs, name, dir);
	}
	free(dir);
	return found;
}

static void needs_of(struct search *s, const char *path, int depth);

/* Each DT_NEEDED of obj, found, brought, and looked into in turn. */
static void follow(struct search *s, const struct object *obj, int depth)
{
	for (int i = 0; i < obj->dyn.nneeded; i++) {
		const char *name = obj->dyn.needed[i];
		if (s->musl && !strcmp(name, "libc.so"))
			continue;	/* musl's loader is its libc */
		char *found = resolve(s, obj, name);
		if (!found && s->lenient)
			continue;
		if (!found)
			die("%s: needs %s, which is nowhere this host's loader would look",
			    s->typed, name);
		needs_of(s, found, depth + 1);
		free(found);
	}
}

/* Brings path and what it needs (once each; dependency loops end). */
static void needs_of(struct search *s, const char *path, int depth)
{
	struct object obj = { .path = (char *)path };

	for (size_t i = 0; i < s->out->n; i++)
		if (!strcmp(s->out->v[i], path))
			return;
	if (depth > 64)
		die("%s: its libraries need each other more than 64 deep", s->typed);
	if (!read_file(path, &obj.data, &obj.size) || !loadable(obj.data, obj.size))
		die("%s: needs %s, which is not an x86_64 shared object", s->typed, path);
	pathset_add(s->out, path);
	if (elf_dyn_read(obj.data, obj.size, &obj.dyn) < 0)
		die("%s: %s: a malformed dynamic section", s->typed, path);
	follow(s, &obj, depth);
	free(obj.data);
}

/* ld.so.conf's directories (with its includes, one level), then the
 * defaults; or musl's path file, else its defaults. */
static char *system_dirs(bool musl)
{
	char *dirs = xstrdup("");
	char line[PATH_MAX];
	FILE *f = fopen(musl ? "/etc/ld-musl-x86_64.path" : "/etc/ld.so.conf", "re");
	glob_t g = { 0 };

	for (size_t gi = 0; f; gi++) {
		while (fgets(line, sizeof line, f)) {
			line[strcspn(line, "#\n")] = 0;
			char *w = line + strspn(line, " \t");
			if (!*w)
				continue;
			if (!musl && !strncmp(w, "include", 7) && (w[7] == ' ' || w[7] == '\t')) {
				glob(w + 8 + strspn(w + 8, " \t"), GLOB_APPEND, NULL, &g);
				continue;
			}
			char *t = xasprintf("%s%s%s", dirs, *dirs ? ":" : "", w);
			free(dirs);
			dirs = t;
		}
		fclose(f);
		f = gi < g.gl_pathc ? fopen(g.gl_pathv[gi], "re") : NULL;
	}
	globfree(&g);
	char *t = xasprintf("%s%s%s", dirs, *dirs ? ":" : "", musl ? MUSL_DIRS : GLIBC_DIRS);
	free(dirs);
	return t;
}

/* The program's interpreter path, allocated; NULL for a static one. */
static char *interp_of(const struct program *p)
{
	struct elf_info info;
	const char *why;

	if (elf_check(p->data, p->size, p->size, &info, &why) < 0 || !info.interp_len)
		return NULL;
	return xasprintf("%.*s", (int)info.interp_len, (const char *)p->data + info.interp_off);
}

static bool is_musl(const char *interp)
{
	const char *base = strrchr(interp, '/');

	return !strncmp(base ? base + 1 : interp, "ld-musl", 7);
}

void libs_for_program(const struct program *p, const char *ld_library_path, struct pathset *out)
{
	struct elf_dyn dyn;
	char *interp = interp_of(p);

	if (!interp)
		return;
	struct search s = { .typed = p->typed, .ld_library_path = ld_library_path, .out = out,
			    .musl = is_musl(interp) };
	if (elf_dyn_read(p->data, p->size, &dyn) < 0)
		die("%s: a malformed dynamic section", p->typed);
	s.exe_rpath = dyn.rpath;
	s.exe_dir = dir_of(p->path);
	s.system_dirs = system_dirs(s.musl);
	if (access(interp, R_OK))
		die("%s: its interpreter %s is not on this host", p->typed, interp);
	needs_of(&s, interp, 0);
	struct object exe = { .path = p->path, .data = p->data, .size = p->size, .dyn = dyn };
	follow(&s, &exe, 0);
	free(interp);
	free(s.exe_dir);
	free(s.system_dirs);
}

/* --files trees: the shared objects in them (python's extension modules,
 * say) need their own libraries too, which the program's DT_NEEDED do not
 * name; and a dynamically linked program in them (which the program may
 * run) needs its own interpreter and libraries, found as for the program
 * itself (musl's or glibc's way, by its interpreter).  nftw has no context
 * argument: one tree at a time. */
static struct search *tree_search;

static int tree_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct object obj = { .path = (char *)path };

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode) || !read_file(path, &obj.data, &obj.size))
		return 0;
	struct program prog = { .typed = path, .path = (char *)path, .data = obj.data, .size = obj.size };
	char *interp = interp_of(&prog);
	if (interp)
		libs_for_program(&prog, tree_search->ld_library_path, tree_search->out);
	else if (loadable(obj.data, obj.size) && elf_dyn_read(obj.data, obj.size, &obj.dyn) == 0)
		follow(tree_search, &obj, 1);
	free(interp);
	free(obj.data);
	return 0;
}

void libs_for_tree(const char *hostdir, const struct program *p, const char *ld_library_path,
		   struct pathset *out)
{
	char *interp = interp_of(p);
	struct search s = { .typed = hostdir, .ld_library_path = ld_library_path, .out = out,
			    .musl = interp && is_musl(interp), .exe_dir = xstrdup(hostdir),
			    .lenient = true };

	s.system_dirs = system_dirs(s.musl);
	tree_search = &s;
	nftw(hostdir, tree_entry, 16, FTW_PHYS);
	tree_search = NULL;
	free(interp);
	free(s.exe_dir);
	free(s.system_dirs);
}

/* The run's own LD_LIBRARY_PATH (-e), which the guest's loader will use. */
static const char *ld_library_path(const struct run_opts *o)
{
	for (size_t i = 0; i < o->nenv; i++)
		if (!strncmp(o->env[i], "LD_LIBRARY_PATH=", 16))
			return o->env[i] + 16;
	return NULL;
}

/* What dynamically linked programs need: their interpreter and libraries,
 * and those of the shared objects the --files trees bring. */
void libs_for_run(const struct run_opts *o, const struct step *steps, size_t nsteps,
		  struct pathset *libs)
{
	const char *lp = ld_library_path(o);

	for (size_t i = 0; i < nsteps; i++)
		libs_for_program(&steps[i].prog, lp, libs);
	for (size_t i = 0; i < o->nfiles; i++) {
		char *dir = xstrdup(o->files[i]);
		char *colon = strchr(dir, ':');
		if (colon)
			*colon = 0;
		libs_for_tree(dir, &steps[nsteps - 1].prog, lp, libs);
		free(dir);
	}
}
