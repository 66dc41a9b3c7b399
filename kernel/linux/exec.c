/* The program loader.  A file starting with "#!" names an interpreter, by
 * Linux's rules (binfmt_script: the first line, at most 256 bytes; the
 * interpreter's path and one optional argument; argv becomes interpreter,
 * argument, the script's path as given, then argv[1...]).  An ELF loads at
 * its addresses (ET_EXEC) or at a base (ET_DYN): a PIE or static-pie at
 * 0x555555554000 as Linux without randomization, its interpreter
 * (PT_INTERP: ld.so) wherever mmap would put it, and the program starts at
 * the interpreter's entry with AT_BASE, AT_PHDR and AT_ENTRY telling it
 * where the program is.  The initial stack follows the System V x86_64
 * ABI: argc, argv, envp, auxv, then the strings, laid out as Linux does. */
#include "linux/exec.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/string.h"
#include "core/vm.h"
#include "fs/vfs.h"
#include "fs/vfs_kernel.h"
#include "linux/exec_internal.h"

#define BINPRM_BUF	256	/* what Linux reads of a file to tell its kind */
#define MAX_DEPTH	5	/* interpreters of interpreters: ELOOP beyond, as Linux */

static bool spacetab(char c) { return c == ' ' || c == '\t'; }

/* The first byte in [first, last] that is not a space or tab, or NULL. */
static char *next_non_spacetab(char *first, char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

/* The first space, tab or NUL in [first, last], or NULL. */
static char *next_terminator(char *first, char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/* The first line of a "#!" file, in buf: BINPRM_BUF bytes, zero past the
 * file's end.  Its interpreter and optional argument, NUL-terminated
 * there, or -ENOEXEC where Linux's binfmt_script refuses: no interpreter,
 * or one the 256 bytes may have cut off. */
static int parse_script(char *buf, char **interp, char **arg)
{
	char *buf_end = buf + BINPRM_BUF - 1, *end = memchr(buf, '\n', BINPRM_BUF);

	if (!end) {
		end = next_non_spacetab(buf + 2, buf_end);
		if (!end || !next_terminator(end, buf_end))
			return -ENOEXEC;
		end = buf_end;
	}
	while (spacetab(end[-1]))
		end--;
	char *name = next_non_spacetab(buf + 2, end), *sep;
	if (!name || name == end)
		return -ENOEXEC;
	*arg = NULL;
	sep = next_terminator(name, end);
	if (sep && *sep)
		*arg = next_non_spacetab(sep, end);
	*end = 0;
	if (sep)
		*sep = 0;
	*interp = name;
	return 0;
}

static int check_limit(const struct exec_args *a)
{
	size_t ptrs = (size_t)((a->argc ? a->argc : 1) + a->envc) * sizeof(void *);

	return a->len + ptrs > a->limit ? -E2BIG : 0;
}

/* A set-user-ID file (or set-group-ID with group execute) runs with its
 * owner's (group's) id as the effective one, unless no_new_privs.  Scripts
 * never do: only the ELF that runs is looked at. */
static void apply_setid(struct exec_args *a, struct inode *i)
{
	if (a->no_new_privs)
		return;
	vfs_lock();
	if (i->mode & S_ISUID)
		a->ids[1] = i->uid;
	if ((i->mode & (S_ISGID | 010)) == (S_ISGID | 010))
		a->ids[3] = i->gid;
	vfs_unlock();
}

int exec_image(struct mm *mm, const char *path, struct exec_args *a, struct exec_result *res,
	       struct trapframe *tf, const char **why)
{
	char hdr[BINPRM_BUF + 1];
	struct exec_start start;
	const char *file = path;	/* what runs: the script's interpreter next */
	char *execfn = kmalloc(strlen(path) + 1);
	int err = execfn ? 0 : -ENOMEM;

	if (execfn)
		memcpy(execfn, path, strlen(path) + 1);
	for (int depth = 0; !err; depth++) {
		struct inode *i;
		*why = "cannot be opened as a program";
		if (depth > MAX_DEPTH) {
			err = -ELOOP;
			break;
		}
		if ((err = vfs_open_exec(file, &i, res->exe)))
			break;
		memset(hdr, 0, sizeof hdr);
		long n = vfs_read_at(i, hdr, BINPRM_BUF, 0);
		char *interp, *arg;
		if (n >= 2 && hdr[0] == '#' && hdr[1] == '!') {
			inode_put(i);
			res->script = true;
			*why = "a script whose #! line Linux would refuse";
			if (!(err = parse_script(hdr, &interp, &arg)) &&
			    !(err = exec_args_script(a, interp, arg, file)))
				err = check_limit(a);
			file = a->argv[0];
			continue;
		}
		err = n < 0 ? (int)n : n < 4 || memcmp(hdr, "\x7f" "ELF", 4) ? -ENOEXEC : 0;
		*why = "not a program (no ELF or #! header)";
		if (!err)
			apply_setid(a, i);
		if (!err)
			err = exec_load_elf(mm, i, res->exe, &start, &res->cut_short, why);
		if (err)
			inode_put(i);
		else
			res->inode = i;	/* where /proc/PID/exe leads */
		break;
	}
	if (!err) {
		*why = "cannot set up its stack";
		err = exec_stack(mm, a, execfn, &start, tf);
	}
	if (!err)
		mm->brk_base = mm->brk = start.brk;
	kfree(execfn);
	return err;
}
