/* /proc/sysvipc: the System V IPC objects in Linux's columns (its
 * sysvipc_*_proc_show), as util-linux's ipcs and lsipc read them.  Every
 * object is listed to every user, whatever its permissions, as on Linux;
 * the files themselves are root's, mode 0444.  Each open file takes a
 * snapshot of a kind's table (ipc_list, under its lock) and formats it
 * here.
 *
 * The snapshot is taken at the first read, not at open as other /proc
 * files take theirs: open runs under vfs_lock, and shmget and a segment's
 * removal hold the segments' lock while they make or drop the segment's
 * file, which takes vfs_lock; a table's lock taken under vfs_lock would
 * deadlock with them. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "linux/ipc.h"
#include "linux/procfs_internal.h"

#define TAKE_TRIES	8	/* a table that keeps growing is cut short after that */

typedef int list_fn(struct ipc_info *out, int max);

/* The whole table, however it grows between two looks: a kmalloc'd array
 * of *n (kfree it), or NULL when out of memory (s marked failed). */
static struct ipc_info *take(struct seqbuf *s, list_fn *list, int *n)
{
	int max = 16;

	for (int tries = 0;; tries++) {
		struct ipc_info *buf = kmalloc(sizeof *buf * (size_t)max);
		if (!buf) {
			s->failed = true;
			return NULL;
		}
		int count = list(buf, max);
		if (count <= max || tries == TAKE_TRIES) {
			*n = count < max ? count : max;
			return buf;
		}
		kfree(buf);
		max = count + count / 4 + 1;
	}
}

static void gen_msg(struct seqbuf *s)
{
	int n;
	struct ipc_info *v = take(s, msg_list, &n);

	if (!v)
		return;
	seq_printf(s, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
		      "      stime      rtime      ctime\n");
	for (int k = 0; k < n; k++) {
		const struct ipc_object *o = &v[k].obj;
		seq_printf(s, "%10d %10d  %4o  %10lu %10lu %5u %5u ", o->key, o->id, o->mode,
			   v[k].msg.cbytes, v[k].msg.qnum, (unsigned)v[k].msg.lspid, (unsigned)v[k].msg.lrpid);
		seq_printf(s, "%5u %5u %5u %5u %10lu %10lu %10lu\n", o->uid, o->gid, o->cuid, o->cgid,
			   (uint64_t)v[k].msg.stime, (uint64_t)v[k].msg.rtime, (uint64_t)o->ctime);
	}
	kfree(v);
}

static void gen_sem(struct seqbuf *s)
{
	int n;
	struct ipc_info *v = take(s, sem_list, &n);

	if (!v)
		return;
	seq_printf(s, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	for (int k = 0; k < n; k++) {
		const struct ipc_object *o = &v[k].obj;
		seq_printf(s, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lu %10lu\n", o->key, o->id, o->mode,
			   (unsigned)v[k].sem.nsems, o->uid, o->gid, o->cuid, o->cgid,
			   (uint64_t)v[k].sem.otime, (uint64_t)o->ctime);
	}
	kfree(v);
}

/* The mode holds SHM_DEST and SHM_LOCKED above the permission bits, as
 * Linux's shows them; sizes are 21 wide on a 64-bit kernel. */
static void gen_shm(struct seqbuf *s)
{
	int n;
	struct ipc_info *v = take(s, shm_list, &n);

	if (!v)
		return;
	seq_printf(s, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid"
		      "  cgid      atime      dtime      ctime                   rss                  swap\n");
	for (int k = 0; k < n; k++) {
		const struct ipc_object *o = &v[k].obj;
		seq_printf(s, "%10d %10d  %4o %21lu %5u %5u  %5lu ", o->key, o->id, o->mode, v[k].shm.size,
			   (unsigned)v[k].shm.cpid, (unsigned)v[k].shm.lpid, v[k].shm.nattch);
		seq_printf(s, "%5u %5u %5u %5u %10lu %10lu %10lu %21lu %21lu\n", o->uid, o->gid, o->cuid,
			   o->cgid, (uint64_t)v[k].shm.atime, (uint64_t)v[k].shm.dtime, (uint64_t)o->ctime,
			   v[k].shm.rss, (uint64_t)0);
	}
	kfree(v);
}

static const struct proc_file sysvipc_files[] = {
	{ "msg", gen_msg }, { "sem", gen_sem }, { "shm", gen_shm },
};

static int fill_sysvipc(struct inode *dir);
static const struct inode_ops sysvipc_dir_ops = { .fill = fill_sysvipc };

/* At the first look, as /proc/net's: the boot makes only the directory.
 * Caller holds vfs_lock. */
static int fill_sysvipc(struct inode *dir)
{
	int err = 0;

	dir->ops = NULL;
	for (size_t k = 0; k < sizeof sysvipc_files / sizeof sysvipc_files[0] && !err; k++)
		err = proc_add_inode(dir, sysvipc_files[k].name,
				     proc_inode(S_IFREG | 0444, &proc_late_inode_ops, (void *)&sysvipc_files[k]));
	if (err)
		dir->ops = &sysvipc_dir_ops;
	return err;
}

int proc_sysvipc_make(struct inode *proc)
{
	return proc_add_dir(proc, "sysvipc", 0555, &sysvipc_dir_ops) ? 0 : -ENOMEM;
}
