/* test_ext4's writing half: the core changes each image (create, link,
 * unlink, rename, mkdir, rmdir, symlinks, writes, truncation), then
 * e2fsck -fn must find it clean and debugfs must read the bytes back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ext4_host.h"
#include "test_ext4.h"
#include "fs/ext4_internal.h"


/* The directory holding path's last part and that part. */
static void split_path(struct ext4_fs *fs, const char *path, struct ext4_inode *dir, const char **base)
{
	char parent[256];
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - path) : 0, path);
	assert_int_equal(walk_path(fs, parent, dir), 0);
}

void make(struct ext4_fs *fs, const char *path, uint32_t mode, const char *target)
{
	struct ext4_inode dir, ei;
	const char *base;
	struct ext4_new n = { mode, 1000, 1000, 0, target, NOW };

	split_path(fs, path, &dir, &base);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_create(fs, &dir, base, &n, &ei), 0);
	mutex_unlock(&fs->lock);
}

void write_at(struct ext4_fs *fs, const char *path, const void *data, size_t len, uint64_t off)
{
	struct ext4_inode ei;
	assert_int_equal(walk_path(fs, path, &ei), 0);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_file_write(fs, &ei, data, len, off), (long)len);
	mutex_unlock(&fs->lock);
}

static void truncate_to(struct ext4_fs *fs, const char *path, uint64_t size)
{
	struct ext4_inode ei;
	assert_int_equal(walk_path(fs, path, &ei), 0);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_truncate(fs, &ei, size), 0);
	mutex_unlock(&fs->lock);
}

void remove_name(struct ext4_fs *fs, const char *path)
{
	struct ext4_inode dir, ei;
	const char *base;

	assert_int_equal(walk_path(fs, path, &ei), 0);
	split_path(fs, path, &dir, &base);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_unlink(fs, &dir, base, &ei, NOW), 0);
	assert_int_equal(ext4_evict(fs, &ei, NOW), 0);
	mutex_unlock(&fs->lock);
}

static void hard_link(struct ext4_fs *fs, const char *old, const char *new)
{
	struct ext4_inode dir, ei;
	const char *base;

	assert_int_equal(walk_path(fs, old, &ei), 0);
	split_path(fs, new, &dir, &base);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_link(fs, &dir, base, &ei, NOW), 0);
	mutex_unlock(&fs->lock);
}

void move(struct ext4_fs *fs, const char *old, const char *new)
{
	struct ext4_inode odir, ndir, ei, target;
	const char *ob, *nb;
	bool replace = walk_path(fs, new, &target) == 0;

	assert_int_equal(walk_path(fs, old, &ei), 0);
	split_path(fs, old, &odir, &ob);
	split_path(fs, new, &ndir, &nb);
	mutex_lock(&fs->lock);
	struct ext4_inode *nd = odir.ino == ndir.ino ? &odir : &ndir;
	assert_int_equal(ext4_rename(fs, &odir, ob, nd, nb, &ei, replace ? &target : NULL, NOW), 0);
	if (replace)
		assert_int_equal(ext4_evict(fs, &target, NOW), 0);
	mutex_unlock(&fs->lock);
}

/* What debugfs reads at path equals want. */
void debugfs_has(const char *img, const char *path, const void *want, size_t len)
{
	char out[256];
	snprintf(out, sizeof out, "%s/out", tmp);
	assert_int_equal(host_sh("debugfs -R 'dump %s %s' %s 2>/dev/null", path, out, img), 0);
	int fd = open(out, O_RDONLY);
	assert_true(fd >= 0);
	uint8_t *got = malloc(len + 1);
	assert_int_equal(read(fd, got, len + 1), (ssize_t)len);
	close(fd);
	assert_memory_equal(got, want, len);
	free(got);
}

void fsck_clean(const char *img)
{
	int st = host_sh("e2fsck -fn %s > %s/fsck.out 2>&1", img, tmp);
	if (st || getenv("EXT4_TEST_VERBOSE"))
		host_sh("cat %s/fsck.out >&2", tmp);
	assert_int_equal(st, 0);
}

static uint16_t super_state(const char *img)
{
	struct ext4_super_disk sb;
	int fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, &sb, sizeof sb, 1024), sizeof sb);
	close(fd);
	return sb.s_state;
}

static void write_image(const char *img)
{
	static uint8_t data[300000];
	char name[64], longt[300];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 13 + (i >> 10));
	copy_file(img, scratch);
	struct ext4_fs *fs = mount_img(scratch, false);
	assert_non_null(fs);
	assert_false(fs->read_only);

	make(fs, "new", S_IFREG | 0640, NULL);
	write_at(fs, "new", data, sizeof data, 0);
	make(fs, "d1", S_IFDIR | 0755, NULL);
	make(fs, "d1/sub", S_IFDIR | 0700, NULL);
	make(fs, "d1/f", S_IFREG | 0644, NULL);
	write_at(fs, "d1/f", "tiny\n", 5, 0);
	make(fs, "d1/fast", S_IFLNK | 0777, "../new");
	memset(longt, 'y', sizeof longt - 1);
	longt[sizeof longt - 1] = 0;
	make(fs, "d1/slow", S_IFLNK | 0777, longt);
	hard_link(fs, "d1/f", "f-link");
	move(fs, "hello", "d1/hello2");
	move(fs, "d1/sub", "moved-sub");
	move(fs, "f-link", "fast");	/* over an existing name */
	remove_name(fs, "empty");
	truncate_to(fs, "big", 5000);
	/* Scattered blocks: more extents than the inode holds, then cut. */
	make(fs, "scatter", S_IFREG | 0600, NULL);
	for (int k = 0; k < 40; k++)
		write_at(fs, "scatter", data + k, 100, (uint64_t)k * 3 * fs->block_size + 7);
	truncate_to(fs, "scatter", 20 * 3 * fs->block_size + 50);
	make(fs, "holey", S_IFREG | 0644, NULL);
	write_at(fs, "holey", data, 10, 5 << 20);
	/* The indexed directory grows and shrinks. */
	for (int k = 0; k < 300; k++) {
		snprintf(name, sizeof name, "many/new-%04d-with-a-longer-name", k);
		make(fs, name, S_IFREG | 0644, NULL);
	}
	for (int k = 0; k < NMANY; k += 3) {
		snprintf(name, sizeof name, "many/entry-%05d", k);
		remove_name(fs, name);
	}
	make(fs, "gone", S_IFDIR | 0755, NULL);
	make(fs, "gone/x", S_IFREG | 0644, NULL);
	write_at(fs, "gone/x", data, 9000, 0);
	remove_name(fs, "gone/x");
	remove_name(fs, "gone");
	/* Between syncs the disk keeps the last consistent state, marked
	 * clean; a sync marks it clean again when it is done. */
	assert_true(super_state(scratch) & EXT4_STATE_CLEAN);
	unmount_img(fs);
	assert_true(super_state(scratch) & EXT4_STATE_CLEAN);

	fsck_clean(scratch);
	debugfs_has(scratch, "/new", data, sizeof data);
	debugfs_has(scratch, "/d1/hello2", "hello, world\n", 13);
	debugfs_has(scratch, "/fast", "tiny\n", 5);
	uint8_t *big = malloc(5000);
	for (size_t i = 0; i < 5000; i++)
		big[i] = (uint8_t)(i * 7 + (i >> 12));
	debugfs_has(scratch, "/big", big, 5000);
	free(big);

	/* And through the reader again: the scattered file's pieces. */
	fs = mount_img(scratch, true);
	struct ext4_inode ei;
	uint8_t got[100];
	assert_int_equal(walk_path(fs, "scatter", &ei), 0);
	assert_int_equal(ei.size, 20 * 3 * fs->block_size + 50);
	assert_true(((struct ext4_extent_header *)ei.raw.i_block)->eh_depth > 0 ||
		    !(ei.raw.i_flags & EXT4_EXTENTS_FL));
	for (int k = 0; k < 20; k++) {
		mutex_lock(&fs->lock);
		assert_int_equal(ext4_file_read(fs, &ei, got, 100, (uint64_t)k * 3 * fs->block_size + 7), 100);
		mutex_unlock(&fs->lock);
		assert_memory_equal(got, data + k, 100);
	}
	char t[400];
	assert_int_equal(walk_path(fs, "d1/slow", &ei), 0);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_readlink(fs, &ei, t, sizeof t), sizeof longt - 1);
	mutex_unlock(&fs->lock);
	assert_int_equal(walk_path(fs, "moved-sub", &ei), 0);
	assert_int_equal(walk_path(fs, "gone", &ei), -2);
	unmount_img(fs);
}

void writes_ext2(void **state) { (void)state; write_image(img2); }
void writes_ext4(void **state) { (void)state; write_image(img4); }
void writes_ext4_nocsum(void **state) { (void)state; write_image(img4n); }

/* Small groups, most never initialised by mke2fs (BLOCK_UNINIT,
 * INODE_UNINIT): the writes must set their bitmaps up. */
void writes_ext4_uninit_groups(void **state)
{
	struct ext4_fs *fs = mount_img(img4g, true);
	int uninit = 0;

	(void)state;
	for (uint32_t g = 0; g < fs->ngroups; g++)
		uninit += (ext4_group(fs, g)->bg_flags & (EXT4_BG_BLOCK_UNINIT | EXT4_BG_INODE_UNINIT)) != 0;
	unmount_img(fs);
	assert_true(uninit > 4);
	write_image(img4g);
	fs = mount_img(scratch, true);
	int now = 0;
	for (uint32_t g = 0; g < fs->ngroups; g++)
		now += (ext4_group(fs, g)->bg_flags & (EXT4_BG_BLOCK_UNINIT | EXT4_BG_INODE_UNINIT)) != 0;
	unmount_img(fs);
	assert_true(now < uninit);
}
