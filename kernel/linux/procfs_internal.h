/* Shared by procfs*.c. */
#ifndef AMPHI_LINUX_PROCFS_INTERNAL_H
#define AMPHI_LINUX_PROCFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/seqbuf.h"
#include "fs/vfs.h"

/* A file whose text gen() writes afresh on every open. */
struct proc_file {
	const char *name;
	void (*gen)(struct seqbuf *s);
};

/* Opens i as a text file made by gen(s, ctx) now: 0 and *out, gen's
 * error, or -EACCES for anything but reading, -ENOMEM.  plain: see below. */
typedef int proc_gen_fn(struct seqbuf *s, void *ctx);
int proc_text_open(struct inode *i, unsigned flags, bool plain, proc_gen_fn *gen, void *ctx,
		   struct file **out);

/* The same, the text made by gen(s, ctx) at the first read instead, with
 * nothing of the VFS's held (open runs under vfs_lock): for a text made
 * from what takes locks some hold while they wait for vfs_lock, or may
 * sleep (another program's memory).  ctx must live as long as the file
 * (its inode does).  gen's error is each read's. */
int proc_late_open(struct inode *i, unsigned flags, bool plain, proc_gen_fn *gen, void *ctx,
		   struct file **out);
/* Opens a struct proc_file (its i->priv) as a seq_file made at the first
 * read. */
extern const struct inode_ops proc_late_inode_ops;

/* A read of the text s from *pos on (which it moves): bytes, or -EFAULT. */
long proc_text_read(const struct seqbuf *s, const struct iobuf *b, int64_t *pos);
/* A seq_file's lseek(SEEK_END): -EINVAL, as Linux's. */
int proc_seq_seek_end(struct file *f, int64_t *end);

/* Caller holds vfs_lock.  0, or -ENOMEM.  Most files are seq_files on
 * Linux, which refuse lseek's SEEK_END; plain ones (cmdline, environ,
 * /proc/sys) count it from their size, 0. */
int proc_add_files(struct inode *dir, const struct proc_file *files, int n, bool plain);
int proc_add_link(struct inode *dir, const char *name, const struct inode_ops *ops);
/* Names i (whose reference it takes) in dir, unless the name is taken:
 * 0, or -ENOMEM when i is NULL. */
int proc_add_inode(struct inode *dir, const char *name, struct inode *i);
/* A new directory (NULL if no memory); not referenced by the caller. */
struct inode *proc_add_dir(struct inode *dir, const char *name, uint32_t mode,
			   const struct inode_ops *ops);
/* An inode of /proc's kind, not in any directory (one reference). */
struct inode *proc_inode(uint32_t mode, const struct inode_ops *ops, void *priv);

void proc_gen_mounts(struct seqbuf *s);
void proc_gen_mountinfo(struct seqbuf *s);

/* procfs_sys.c: the files about the machine, and /proc/sys. */
int proc_sys_make(struct inode *proc);
/* A pid (or fd) spelled in decimal, or -1. */
int proc_parse_number(const char *name);

/* procfs_net.c: /proc/net and its files; the directory (NULL before). */
int proc_net_make(struct inode *proc);
struct inode *proc_net_dir(void);
/* procfs_sysvipc.c: /proc/sysvipc, its files made at the first look. */
int proc_sysvipc_make(struct inode *proc);
/* procfs_pid.c: a process's directory, /proc/PID (NULL if no memory). */
struct inode *proc_pid_dir_make(struct inode *proc, int pid);
/* Who owns /proc/PID's entries: the process's effective ids, or root's
 * once it is undumpable (Linux's task_dump_owner); fd: its fd directory
 * and links, which stay the process's own (Linux lets a process into its
 * own fds whatever their owner). */
void proc_pid_owner(int pid, bool fd, uint32_t *uid, uint32_t *gid);
/* Whether the caller may read what pid's memory, descriptors and links
 * show (environ, maps, exe, cwd, root, fd), as Linux's ptrace_may_access
 * with PTRACE_MODE_READ_FSCREDS: its own process, CAP_SYS_PTRACE, or fs
 * ids equal to all of the dumpable target's real, effective and saved
 * ones.  0, or -EACCES (and -ENOENT without such a process). */
int proc_pid_may_read(int pid);
/* Inode numbers of a process's entries: stable for a pid. */
uint64_t proc_pid_ino(int pid, int entry);
/* procfs_mem.c: /proc/PID/mem of the process pid. */
struct inode *proc_mem_make(int pid);
/* procfs_fd.c: /proc/PID/fd of the process pid. */
struct inode *proc_fd_dir_make(int pid);
/* procfs_kmsg.c: adds /proc/kmsg.  Caller holds vfs_lock.  0, or -ENOMEM. */
int proc_kmsg_make(struct inode *proc);

#endif
