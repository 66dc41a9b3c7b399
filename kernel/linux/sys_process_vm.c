/* process_vm_readv and process_vm_writev: bytes moved between the
 * caller's memory and another process's, as Linux moves them.  Both
 * vectors are read first (EINVAL past IOV_MAX or for a negative length,
 * EFAULT for a bad vector or a local buffer outside user memory; the
 * local ones count at most MAX_RW_COUNT bytes); nothing to move is 0,
 * whatever the pid.  The caller must be allowed to reach the process as
 * a debugger (process_access.c, with its real ids: EPERM).  Bytes move
 * in order until either side meets memory it cannot use; the count moved
 * is the answer, or EFAULT when nothing moved. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "linux/fd.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define CHUNK		PAGE_SIZE	/* a remote store never spans two pages */

/* n iovecs from user memory into *out (kfree): their total bytes, or
 * -EINVAL, -EFAULT, -ENOMEM.  The caller's own (local) are checked to lie
 * in user memory, and cut to MAX_RW_COUNT bytes in all, as Linux's
 * import_iovec does. */
static long iovecs_in(uint64_t uiov, uint64_t n, bool local, struct iovec **out)
{
	uint64_t total = 0;
	long err = 0;

	*out = NULL;
	if (n > IOV_MAX)
		return -EINVAL;
	struct iovec *v = kmalloc(n ? n * sizeof *v : 1);
	if (!v)
		return -ENOMEM;
	if (copy_from_user(v, uiov, n * sizeof *v))
		err = -EFAULT;
	for (uint64_t i = 0; i < n && !err; i++) {
		if (v[i].len > INT64_MAX)
			err = -EINVAL;
		else if (local && !user_range_ok(v[i].base, v[i].len))
			err = -EFAULT;
		if (local && v[i].len > MAX_RW_COUNT - total)
			v[i].len = MAX_RW_COUNT - total;
		total = v[i].len > INT64_MAX - total ? INT64_MAX : total + v[i].len;
	}
	if (err) {
		kfree(v);
		return err;
	}
	*out = v;
	return (long)total;
}

/* Where one side of the transfer stands. */
struct side {
	const struct iovec *v;
	uint64_t n, i, done;	/* iovec i, done bytes into it */
};

/* The bytes that may move next from where s stands, skipping empty
 * iovecs; 0 at the end. */
static uint64_t side_left(struct side *s)
{
	while (s->i < s->n && s->done == s->v[s->i].len) {
		s->i++;
		s->done = 0;
	}
	return s->i < s->n ? s->v[s->i].len - s->done : 0;
}

static uint64_t side_at(const struct side *s) { return s->v[s->i].base + s->done; }

/* One piece of n bytes, within a page of the remote address: the bytes
 * moved. */
static size_t move(struct mm *mm, uint64_t local, uint64_t remote, size_t n, bool write, char *buf)
{
	if (write)
		return copy_from_user(buf, local, n) || vm_store(mm, remote, buf, n) ? 0 : n;
	size_t got = vm_load(mm, remote, buf, n, false);
	return got && copy_to_user(local, buf, got) ? 0 : got;
}

static long transfer(struct mm *mm, struct side *local, struct side *remote, bool write)
{
	char *buf = kmalloc_uninit(CHUNK);
	uint64_t total = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		uint64_t l = side_left(local), r = side_left(remote);
		if (!l || !r)
			break;
		uint64_t at = side_at(remote), room = CHUNK - (at & (CHUNK - 1));
		size_t want = l < r ? l : r;
		if (want > room)
			want = room;
		size_t n = move(mm, side_at(local), at, want, write, buf);
		total += n;
		local->done += n;
		remote->done += n;
		if (n < want)
			break;	/* one side cannot go on */
	}
	kfree(buf);
	return total ? (long)total : -EFAULT;
}

static long process_vm(const struct sysargs *a, bool write)
{
	struct iovec *lv = NULL, *rv = NULL;
	struct mm *mm = NULL;
	long err = a->a[5] ? -EINVAL : iovecs_in(a->a[1], a->a[2], true, &lv);

	if (err > 0)
		err = iovecs_in(a->a[3], a->a[4], false, &rv);
	if (err > 0) {	/* something to move */
		err = process_access((int)a->a[0], true, &mm);
		if (err == -EACCES)
			err = -EPERM;
		else if (!err && !mm)
			err = -ESRCH;	/* a zombie */
	}
	if (mm) {
		struct side local = { lv, a->a[2], 0, 0 }, remote = { rv, a->a[4], 0, 0 };
		err = transfer(mm, &local, &remote, write);
		mm_drop(mm);
	}
	kfree(lv);
	kfree(rv);
	return err;
}

static long sys_process_vm_readv(const struct sysargs *a) { return process_vm(a, false); }
static long sys_process_vm_writev(const struct sysargs *a) { return process_vm(a, true); }

static const struct syscall_entry process_vm_calls[] = {
	{ 310, sys_process_vm_readv },
	{ 311, sys_process_vm_writev },
};

SYSCALL_TABLE(process_vm_calls);
