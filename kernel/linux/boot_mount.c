/* The mounts the kernel command line asks for, made after the initrd is
 * unpacked and before the program starts (docs/storage.md):
 *
 *   mount=DEVNAME:GUESTDIR[:ro]   a block device (vda, vda1, nvme0n1): each
 *                                 registered type that needs a device is
 *                                 tried on it, then on its partitions
 *   share=TAG:GUESTDIR[:ro]       a 9p share by its mount tag
 *
 * GUESTDIR is made if missing.  A mount that fails is one line on the
 * program's standard error and a failed start (boot_mount's caller ends
 * the run with status 125). */
#include "linux/boot_mount.h"

#include "arch/x86_64/bootinfo.h"
#include "boot_cmdline.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/printk.h"
#include "core/string.h"
#include "dev/blk.h"
#include "dev/console.h"
#include "fs/mount.h"
#include "fs/vfs.h"
#include "fs/vfs_kernel.h"
#include "frame.h"

/* Block devices come with the block layer (dev/blk.c): until it is linked
 * in, no disk is found. */
#pragma weak blk_find
#pragma weak blk_each

extern const char *const errno_names[][2];
extern const int errno_names_count;

struct request {
	bool share;
	char name[32];
	char dir[BOOT_GUESTDIR_MAX + 1];
	bool ro;
};

static const char *why(int err)
{
	return -err > 0 && -err < errno_names_count && errno_names[-err][1] ? errno_names[-err][1] : "error";
}

static int complain(const struct request *r, const char *reason)
{
	char line[400];
	int n = snprintf(line, sizeof line, "amphi: cannot mount %s %s on %s: %s\n",
			 r->share ? "share" : "disk", r->name, r->dir, reason);

	console_write(FRAME_STDERR, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	return -EINVAL;
}

static size_t word_len(const char *p)
{
	size_t n = 0;

	while (p[n] && p[n] != ' ')
		n++;
	return n;
}

/* "NAME:DIR[:ro]" up to the next blank; false if malformed. */
static bool parse(const char *v, struct request *r)
{
	size_t len = word_len(v);
	const char *c = memchr(v, ':', len);
	size_t colon = c ? (size_t)(c - v) : len;

	if (colon >= len || colon == 0 || colon >= sizeof r->name)
		return false;
	memcpy(r->name, v, colon);
	size_t dlen = len - colon - 1;
	r->ro = dlen > 3 && !strncmp(v + len - 3, ":ro", 3);
	if (r->ro)
		dlen -= 3;
	if (!dlen || dlen >= sizeof r->dir || v[colon + 1] != '/')
		return false;
	memcpy(r->dir, v + colon + 1, dlen);
	return !memchr(r->dir, ':', dlen);
}

/* Tries each type that needs a device on d; 0, or the first type's error
 * that was not "not this type" (-EINVAL), else -EINVAL. */
static int try_types(struct blk_dev *d, const struct request *r, struct inode *dir)
{
	char source[40];
	int first = -EINVAL;

	snprintf(source, sizeof source, "/dev/%s", d->name);
	for (unsigned k = 0; fs_type_at(k); k++) {
		const struct fs_type *t = fs_type_at(k);
		if (t->nodev)
			continue;
		int err = mount_add(t, source, d, "", r->ro, dir);
		if (!err)
			return 0;
		if (err != -EINVAL && first == -EINVAL)
			first = err;
	}
	return first;
}

struct parts {
	struct blk_dev *disk;
	const struct request *r;
	struct inode *dir;
	int err;
	bool done;
};

static void try_partition(struct blk_dev *d, void *arg)
{
	struct parts *p = arg;

	if (p->done || d->parent != p->disk)
		return;
	int err = try_types(d, p->r, p->dir);
	p->done = !err;
	if (err != -EINVAL || p->err == -EINVAL)
		p->err = err;
}

static int mount_disk(const struct request *r, struct inode *dir)
{
	struct blk_dev *d = blk_find ? blk_find(r->name) : NULL;
	unsigned long before = printk_lines();
	char said[160];

	if (!d)
		return complain(r, "no such disk");
	int err = try_types(d, r, dir);
	if (err == -EINVAL && !d->parent && blk_each) {
		struct parts p = { d, r, dir, -EINVAL, false };
		blk_each(try_partition, &p);
		err = p.done ? 0 : p.err;
	}
	if (!err)
		return 0;
	/* A file system type that refused it said why in the kernel's log
	 * ("ext4: vda: unsupported feature inline_data: not mounted"),
	 * which only -v shows: that line says more than an errno. */
	if (printk_lines() != before) {
		printk_last(said, sizeof said);
		if (strstr(said, r->name))	/* about this disk, not some other news */
			return complain(r, said);
	}
	return complain(r, err == -EINVAL ? "no file system amphi can mount on it" : why(err));
}

static int mount_one(const struct request *r)
{
	struct inode *dir;
	const struct fs_type *t = fs_type_find("9p");

	if (r->share && !t)
		return complain(r, "this kernel has no 9p");
	vfs_lock();
	int err = vfs_make_dirs(r->dir, 0755, &dir);
	if (err) {
		vfs_unlock();
		return complain(r, why(err));
	}
	if (r->share)
		err = mount_add(t, r->name, NULL, "", r->ro, dir);
	else
		err = mount_disk(r, dir);
	inode_put(dir);
	vfs_unlock();
	return err && r->share ? complain(r, why(err)) : err;
}

int boot_mount(void)
{
	for (const char *p = boot_info.cmdline; *p; p += word_len(p), p += *p == ' ') {
		struct request r = { .share = !strncmp(p, "share=", 6) };
		if (!r.share && strncmp(p, "mount=", 6))
			continue;
		if (!parse(p + 6, &r)) {
			size_t n = word_len(p + 6);
			memcpy(r.name, p + 6, n < sizeof r.name ? n : sizeof r.name - 1);
			snprintf(r.dir, sizeof r.dir, "a directory");
			return complain(&r, "not NAME:/GUESTDIR[:ro]");
		}
		int err = mount_one(&r);
		if (err)
			return err;
	}
	return 0;
}
