/* execve and execveat.  The new image is built in a new address space
 * first (exec.c): anything that fails there (a missing file, a bad ELF,
 * E2BIG, no memory) returns to the old program untouched.  Then the point
 * of no return: the other threads end (as exit_group would end them, but
 * the process goes on), the address space is replaced, descriptors marked
 * close-on-exec close, caught signals go back to their default, the
 * alternate stack, TLS and FPU state are reset, and a vfork parent goes on. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pathbuf.h"
#include "fs/vfs.h"
#include "fs/vfs_kernel.h"
#include "linux/cred.h"
#include "linux/exec.h"
#include "linux/fork.h"
#include "linux/futex.h"
#include "linux/process.h"
#include "linux/robust.h"
#include "linux/signal_internal.h"
#include "linux/sys_fs_internal.h"
#include "linux/syscall.h"

#define MAX_ARG_STRLEN	(32 * PAGE_SIZE)
#define AT_EMPTY_PATH	0x1000
#define AT_SYMLINK_NOFOLLOW 0x100
#define READ_IMPLIES_EXEC 0x0400000u

/* Appends the strings of the NULL-terminated array at uv to a->buf (cap
 * bytes, grown as needed); their count in *n.  -EFAULT, -E2BIG, -ENOMEM. */
static int copy_strings(struct exec_args *a, uint64_t uv, int *n, size_t *cap)
{
	for (*n = 0; uv; (*n)++) {
		uint64_t us;
		if (copy_from_user(&us, uv + (uint64_t)*n * 8, sizeof us))
			return -EFAULT;
		if (!us)
			return 0;
		long len = us < USER_TOP ? arch_strnlen_user((const char *)us, MAX_ARG_STRLEN) : -EFAULT;
		if (len < 0)
			return -EFAULT;
		if (len >= (long)MAX_ARG_STRLEN)
			return -E2BIG;
		/* Each string costs its bytes and its pointer against the limit. */
		if (a->len + (size_t)len + 1 + ((size_t)*n + a->argc + 2) * 8 > a->limit)
			return -E2BIG;
		while (a->len + (size_t)len + 1 > *cap) {
			char *bigger = kmalloc(*cap * 2);
			if (!bigger)
				return -ENOMEM;
			memcpy(bigger, a->buf, a->len);
			kfree(a->buf);
			a->buf = bigger;
			*cap *= 2;
		}
		if (copy_from_user(a->buf + a->len, us, (size_t)len))
			return -EFAULT;
		a->buf[a->len + len] = 0;	/* another thread may change it meanwhile */
		a->len += (size_t)len + 1;
	}
	return 0;
}

/* argv and envp from the program.  An empty argv gets one empty string,
 * as Linux gives since 5.18. */
static int args_from_user(struct exec_args *a, uint64_t uargv, uint64_t uenvp, size_t limit)
{
	size_t cap = PAGE_SIZE;

	*a = (struct exec_args){ .limit = limit, .buf = kmalloc(cap) };
	if (!a->buf)
		return -ENOMEM;
	int err = copy_strings(a, uargv, &a->argc, &cap);
	if (!err && !a->argc) {
		a->buf[a->len++] = 0;
		a->argc = 1;
	}
	if (!err)
		err = copy_strings(a, uenvp, &a->envc, &cap);
	if (!err)
		err = exec_args_index(a);
	return err;
}

/* The new address space replaces the old one.  Under sig_lock, so /proc
 * never takes a reference to one on its way out. */
static void switch_mm(struct thread *t, struct mm *mm)
{
	struct mm *old = t->mm;

	if (t->clear_child_tid && __atomic_load_n(&old->users, __ATOMIC_RELAXED) > 1) {
		uint32_t zero = 0;	/* a vfork parent shares it: tell it, as Linux */
		if (!copy_to_user(t->clear_child_tid, &zero, sizeof zero))
			futex_wake(t->clear_child_tid, 1, ~0u);
	}
	t->clear_child_tid = 0;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	t->mm = mm;
	mm_switch_to(mm);
	spin_unlock_irqrestore(&sig_lock, flags);
	mm_unuse(old);
}

/* After the point of no return: what a new program must not inherit. */
static void fresh_start(struct thread *t, const char *execfn, const uint32_t ids[4])
{
	thread_own_files(t);	/* without memory for a copy, the shared table stays */
	fdtable_close_on_exec(t->files);
	signal_exec();
	arch_fpu_init_state(t->fpu);
	arch_fpu_restore(t->fpu);
	t->fs_base = 0;
	arch_set_fs_base(0);
	__atomic_store_n(&process_of(t)->membarrier_registered, 0, __ATOMIC_RELAXED);
	/* x86_64's exec clears READ_IMPLIES_EXEC (a program with an
	 * executable stack would set it again; amphi's never ask for one). */
	__atomic_fetch_and(&process_of(t)->personality, ~READ_IMPLIES_EXEC, __ATOMIC_RELAXED);
	process_exec_done(process_of(t), t, execfn, ids);
}

/* The exec itself; *cut_short says the new image is to die at once
 * (exec_end), which the caller does once it has given back its buffers.
 * name, if not NULL, is the file's own path when path is a descriptor's
 * /proc/self/fd/N link: /proc/PID/exe and comm take it, as Linux's. */
static long do_exec(const char *path, uint64_t uargv, uint64_t uenvp, struct trapframe *tf,
		    bool *cut_short, const char *name)
{
	struct thread *t = current();
	struct process *p = process_of(t);
	struct exec_args a = { 0 };
	struct exec_result *res = kmalloc(sizeof *res);	/* zeroed */
	struct exec_strings *strings = NULL;
	struct mm *mm = mm_new();
	struct trapframe ntf;
	const char *why;
	long err = res && mm ? 0 : -ENOMEM;

	if (!err) {
		process_limits_to_mm(p, mm);	/* the new program's mappings count */
		err = args_from_user(&a, uargv, uenvp, exec_args_limit(p->limits[RLIMIT_STACK].cur));
	}
	cred_exec_prepare(p, &a);
	if (!err)
		err = exec_image(mm, path, &a, res, &ntf, &why);
	if (!err && name && !res->script)
		snprintf(res->exe, sizeof res->exe, "%s", name);
	if (!err && !(strings = exec_strings_new(res->exe, res->inode)))
		err = -ENOMEM;
	int tid = t->tid;	/* the one its locks hold; exec makes it the pid */
	if (!err)
		err = process_exec_alone();
	if (!err) {	/* past the point of no return: nothing fails */
		robust_list_release(t, tid);	/* the old image's locks die with it */
		process_set_identity(p, strings);
		strings = NULL;
		switch_mm(t, mm);
		mm = NULL;
		fresh_start(t, name ? name : path, a.ids);
		*tf = ntf;
	}
	*cut_short = !err && res->cut_short;
	exec_strings_put(strings);
	if (mm)
		mm_unuse(mm);
	exec_args_free(&a);
	if (res && res->inode)
		inode_put(res->inode);
	kfree(res);
	return err;
}

/* An exec's end, its buffers given back: a new image whose file ends
 * inside its segments dies, as Linux's loader fails past its point of no
 * return. */
static long exec_end(long err, bool cut_short)
{
	if (cut_short)
		process_killed(SIGSEGV, "its file ends inside its segments", false);
	return err;
}

static long sys_execve(const struct sysargs *a)
{
	char *path;
	long err = path_from_user(a->a[0], &path);

	if (err)
		return err;
	bool cut_short = false;
	err = do_exec(path, a->a[1], a->a[2], a->tf, &cut_short, NULL);
	pathbuf_put(path);
	return exec_end(err, cut_short);
}

/* The absolute path descriptor fd was opened by, copied (or NULL). */
static char *fd_path(int fd)
{
	struct file *f = fd_get(fd);
	char *name = NULL;

	if (f && f->path && f->path[0] == '/' && (name = pathbuf_get()))
		snprintf(name, PATH_MAX, "%s", f->path);
	if (f)
		file_put(f);
	return name;
}

/* Whether dirfd is an open descriptor: 0 or -EBADF. */
static long dirfd_open(int dirfd)
{
	struct file *f = fd_get(dirfd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

/* execveat: a path relative to dirfd, or dirfd itself (AT_EMPTY_PATH), is
 * reached through /proc/self/fd/N, whose links lead to the open file.
 * AT_SYMLINK_NOFOLLOW refuses a path naming a symlink (ELOOP). */
static long sys_execveat(const struct sysargs *a)
{
	int dirfd = (int)a->a[0], flags = (int)a->a[4];
	char *path, *full;
	bool cut_short = false;
	long err;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if ((err = path_from_user(a->a[1], &path)))
		return err;
	if (path[0] != '/' && dirfd != AT_FDCWD && (path[0] || flags & AT_EMPTY_PATH) &&
	    (err = dirfd_open(dirfd))) {
		pathbuf_put(path);
		return err;
	}
	if (!(full = pathbuf_get())) {
		pathbuf_put(path);
		return -ENOMEM;
	}
	if (path[0] == '/' || dirfd == AT_FDCWD)
		err = snprintf(full, PATH_MAX, "%s", path) >= PATH_MAX ? -ENAMETOOLONG : 0;
	else if (!path[0])
		err = flags & AT_EMPTY_PATH ? (snprintf(full, PATH_MAX, "/proc/self/fd/%d", dirfd), 0) : -ENOENT;
	else
		err = snprintf(full, PATH_MAX, "/proc/self/fd/%d/%s", dirfd, path) >= PATH_MAX ?
		      -ENAMETOOLONG : 0;
	if (!err && !full[0])
		err = -ENOENT;
	if (!err && path[0] && (flags & AT_SYMLINK_NOFOLLOW) && vfs_is_symlink(full))
		err = -ELOOP;
	char *name = !err && !path[0] ? fd_path(dirfd) : NULL;	/* dirfd itself */
	if (!err)
		err = do_exec(full, a->a[2], a->a[3], a->tf, &cut_short, name);
	pathbuf_put(name);
	pathbuf_put(full);
	pathbuf_put(path);
	return exec_end(err, cut_short);
}

static const struct syscall_entry exec_calls[] = {
	{ 59, sys_execve },
	{ 322, sys_execveat },
};

SYSCALL_TABLE(exec_calls);
