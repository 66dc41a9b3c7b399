#include "fs/file.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/uaccess.h"

long iobuf_fill(const struct iobuf *b, size_t off, const void *src, size_t n)
{
	if (off + n > b->len)
		return -EFAULT;
	if (b->kernel) {
		memcpy(b->kernel + off, src, n);
		return 0;
	}
	return copy_to_user(b->user + off, src, n) ? -EFAULT : 0;
}

long iobuf_drain(const struct iobuf *b, size_t off, void *dst, size_t n)
{
	if (off + n > b->len)
		return -EFAULT;
	if (b->kernel) {
		memcpy(dst, b->kernel + off, n);
		return 0;
	}
	return copy_from_user(dst, b->user + off, n) ? -EFAULT : 0;
}

struct file *file_new(const struct file_ops *ops, unsigned flags, void *priv)
{
	struct file *f = kmalloc(sizeof *f);

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->priv = priv;
	list_init(&f->ep_items);
	return f;
}

void file_get(struct file *f) { __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED); }

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->ops->release)
		f->ops->release(f);
	kfree(f->path);
	kfree(f);
}
