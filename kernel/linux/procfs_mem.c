/* /proc/PID/mem: a process's memory as a file whose offsets are its
 * addresses, for debuggers, as Linux's.  Opening it takes what ptrace's
 * attach would (process_access.c) and holds the address space from then
 * on, so the file keeps reading the program it was opened on.  Reads see
 * every mapping whatever its protection; writes go where the program may
 * store and into private mappings it may not (a breakpoint in its text
 * lands in a copy of the page, its own).  An address nothing maps is EIO,
 * unless some bytes moved first; once the process is gone, reads find
 * nothing (0). */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/vm.h"
#include "fs/file.h"
#include "fs/vfs_file.h"
#include "linux/procfs_internal.h"
#include "linux/process.h"

/* At most a page each time, so a store never spans two mappings' pages. */
static size_t piece(uint64_t addr, size_t left)
{
	size_t room = PAGE_SIZE - (addr & (PAGE_SIZE - 1));

	return left < room ? left : room;
}

static long mem_rw(struct file *f, const struct iobuf *b, int64_t *pos, bool write)
{
	struct mm *mm = f->priv;
	char *buf = kmalloc_uninit(PAGE_SIZE);
	size_t done = 0;
	long err = buf ? 0 : -ENOMEM;

	if (!mm || !__atomic_load_n(&mm->users, __ATOMIC_ACQUIRE)) {
		kfree(buf);
		return 0;
	}
	while (!err && done < b->len) {
		uint64_t addr = (uint64_t)*pos + done;
		size_t n = piece(addr, b->len - done), moved = 0;
		if (write && !(err = iobuf_drain(b, done, buf, n)))
			moved = vm_poke(mm, addr, buf, n) ? 0 : n;
		if (!write && (moved = vm_load(mm, addr, buf, n, true)))
			err = iobuf_fill(b, done, buf, moved);
		if (!err)
			done += moved;
		if (moved < n)
			break;
	}
	kfree(buf);
	*pos += (int64_t)done;
	return done ? (long)done : err ? err : -EIO;
}

static long mem_read(struct file *f, const struct iobuf *b, int64_t *pos) { return mem_rw(f, b, pos, false); }
static long mem_write(struct file *f, const struct iobuf *b, int64_t *pos) { return mem_rw(f, b, pos, true); }

static void mem_release(struct file *f)
{
	if (f->priv)
		mm_drop(f->priv);
}

static const struct file_ops mem_ops = {
	.read = mem_read,
	.write = mem_write,
	.poll = vfs_file_poll,
	.stat = vfs_file_stat,
	.release = mem_release,
};

static int mem_open(struct inode *i, unsigned flags, struct file **out)
{
	struct mm *mm = NULL;
	int err = process_access((int)(uintptr_t)i->priv, false, &mm);

	if (err)
		return err == -ESRCH ? -ENOENT : err;
	*out = vfs_file_new(i, &mem_ops, (flags & (O_ACCMODE | O_NONBLOCK)) | O_LARGEFILE, mm);
	if (!*out && mm)
		mm_drop(mm);
	return *out ? 0 : -ENOMEM;
}

static const struct inode_ops mem_inode_ops = { .open = mem_open };

struct inode *proc_mem_make(int pid)
{
	return proc_inode(S_IFREG | 0600, &mem_inode_ops, (void *)(uintptr_t)pid);
}
