/* The ext2/ext4 core (kernel/fs/ext4_*.c, bcache.c) on the host, against
 * images Debian's mke2fs makes from a tree this test builds: every file,
 * directory, link and symlink reads back as the host wrote it; refused
 * features and bad checksums give one log line and an error; and images
 * with flipped bytes in their metadata never crash the reader (the test
 * runs under ASan and UBSan). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ext4_host.h"
#include "test_ext4.h"
#include "fs/bcache.h"
#include "fs/ext4_internal.h"
#include "crc32c.h"

#define EUCLEAN	117

const char *tmp;
char src[128], img2[128], img4[128], img4n[128], img4g[128], scratch[128];

/* ---- the tree ------------------------------------------------------------ */

static void put(const char *rel, const void *data, size_t n)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", src, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static void make_tree(void)
{
	char name[64], p[512];
	size_t big = 3 << 20;
	uint8_t *b = malloc(big);

	assert_int_equal(host_sh("mkdir -p %s/sub/deep/er/est %s/many", src, src), 0);
	put("hello", "hello, world\n", 13);
	put("empty", "", 0);
	put("sub/deep/er/est/leaf", "leaf\n", 5);
	for (size_t i = 0; i < big; i++)
		b[i] = (uint8_t)(i * 7 + (i >> 12));
	put("big", b, big);
	/* Ten 4 KiB pieces a MiB apart and a hole at the end: ten extents,
	 * more than the inode holds, so the tree has a level below it. */
	snprintf(p, sizeof p, "%s/sparse", src);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	for (int k = 0; k < 10; k++)
		assert_int_equal(pwrite(fd, b + k * 4096, 4096, (off_t)k * (1 << 20) + k * 4096), 4096);
	assert_int_equal(ftruncate(fd, 12 << 20), 0);
	close(fd);
	free(b);
	/* Mostly empty files: the names fill many directory blocks, the
	 * contents no data blocks. */
	for (int k = 0; k < NMANY; k++) {
		snprintf(name, sizeof name, "many/entry-%05d", k);
		put(name, name, k % 100 ? 0 : strlen(name));
	}
	assert_int_equal(host_sh("cd %s && ln hello sub/hello-link && ln -s hello fast && "
				 "ln -s sub/$(printf 'x%%.0s' $(seq 190)) slow && chmod 600 sub/hello-link && "
				 "chown 1000:1001 big && chmod 751 sub", src), 0);
}

static int setup(void **state)
{
	(void)state;
	tmp = host_tmpdir();
	snprintf(src, sizeof src, "%s/src", tmp);
	snprintf(img2, sizeof img2, "%s/ext2.img", tmp);
	snprintf(img4, sizeof img4, "%s/ext4.img", tmp);
	snprintf(img4n, sizeof img4n, "%s/ext4-nocsum.img", tmp);
	snprintf(img4g, sizeof img4g, "%s/ext4-groups.img", tmp);
	snprintf(scratch, sizeof scratch, "%s/scratch.img", tmp);
	make_tree();
	/* ext2 with 1 KiB blocks: big needs double indirect blocks.  The ext4
	 * images get their directories indexed by e2fsck -D (mke2fs -d
	 * writes linear ones). */
	if (host_sh("mke2fs -q -F -t ext2 -b 1024 -d %s %s 16M", src, img2) ||
	    host_sh("mke2fs -q -F -t ext4 -d %s %s 16M && e2fsck -fyD %s >/dev/null 2>&1;"
		    "e2fsck -fn %s >/dev/null", src, img4, img4, img4) ||
	    host_sh("mke2fs -q -F -t ext4 -O ^metadata_csum -d %s %s 16M", src, img4n) ||
	    host_sh("mke2fs -q -F -t ext4 -b 1024 -g 1024 -N 4096 -d %s %s 24M", src, img4g))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return host_sh("rm -rf %s", tmp);
}

/* ---- reading through the core -------------------------------------------- */

struct ext4_fs *mount_img(const char *path, bool ro)
{
	struct blk_dev *d = host_dev_open(path);
	struct ext4_fs *fs;

	assert_non_null(d);
	int err = ext4_fs_open(d, ro, false, &fs);
	if (err) {
		host_dev_close(d);
		return NULL;
	}
	return fs;
}

void unmount_img(struct ext4_fs *fs)
{
	struct blk_dev *d = fs->dev;
	assert_int_equal(ext4_fs_sync(fs), 0);
	ext4_fs_close(fs);
	host_dev_close(d);
}

struct lookup {
	const char *name;
	uint64_t ino;
};

static int match(void *arg, const char *name, unsigned len, uint64_t ino, unsigned type)
{
	struct lookup *l = arg;

	(void)type;
	if (len != strlen(l->name) || memcmp(name, l->name, len))
		return 0;
	l->ino = ino;
	return 1;
}

/* The inode number dir names name: 0, -ENOENT or -errno. */
static int dir_lookup(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint64_t *ino)
{
	struct lookup l = { name, 0 };
	int r = ext4_dir_iterate(fs, dir, match, &l);

	if (r <= 0)
		return r < 0 ? r : -2;
	*ino = l.ino;
	return 0;
}

/* The inode at a path relative to the root: 0 or -errno. */
int walk_path(struct ext4_fs *fs, const char *path, struct ext4_inode *ei)
{
	char buf[512], *save, *part;
	uint64_t ino = EXT4_ROOT_INO;
	int err;

	snprintf(buf, sizeof buf, "%s", path);
	mutex_lock(&fs->lock);
	err = ext4_inode_read(fs, ino, ei);
	for (part = strtok_r(buf, "/", &save); part && !err; part = strtok_r(NULL, "/", &save)) {
		err = dir_lookup(fs, ei, part, &ino);
		if (!err)
			err = ext4_inode_read(fs, ino, ei);
	}
	mutex_unlock(&fs->lock);
	return err;
}

static int count_entry(void *arg, const char *name, unsigned len, uint64_t ino, unsigned type)
{
	(void)name, (void)len, (void)ino, (void)type;
	++*(int *)arg;
	return 0;
}

static void compare_file(struct ext4_fs *fs, struct ext4_inode *ei, const char *host)
{
	struct stat st;
	assert_int_equal(stat(host, &st), 0);
	uint8_t *want = malloc(st.st_size + 1), *got = malloc(st.st_size + 4097);
	int fd = open(host, O_RDONLY);
	assert_int_equal(read(fd, want, st.st_size), st.st_size);
	close(fd);
	mutex_lock(&fs->lock);
	/* Odd offsets and lengths: partial blocks at both ends. */
	long n = ext4_file_read(fs, ei, got, 1, 0);
	if (st.st_size > 1)
		n += ext4_file_read(fs, ei, got + 1, st.st_size + 4096, 1);
	mutex_unlock(&fs->lock);
	assert_int_equal(n, st.st_size);
	assert_memory_equal(got, want, st.st_size);
	free(want);
	free(got);
}

/* Each host entry under rel is in the image with its type, permissions,
 * owner, link count, size and contents; and the image directory holds as
 * many entries as the host's. */
static int compare_tree(struct ext4_fs *fs, const char *rel)
{
	char hp[600], ip[600], target[600], got[600];
	struct ext4_inode ei;
	struct stat st;
	int nhost = 0, nimg = 0;

	snprintf(hp, sizeof hp, "%s/%s", src, rel);
	DIR *dir = opendir(hp);
	assert_non_null(dir);
	for (struct dirent *de; (de = readdir(dir));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, "lost+found"))
			continue;
		nhost++;
		snprintf(hp, sizeof hp, "%s/%s/%s", src, rel, de->d_name);
		snprintf(ip, sizeof ip, "%s/%s", rel, de->d_name);
		assert_int_equal(lstat(hp, &st), 0);
		assert_int_equal(walk_path(fs, ip, &ei), 0);
		assert_int_equal(ei.raw.i_mode, st.st_mode);
		assert_int_equal(ei.raw.i_uid | ei.raw.i_uid_high << 16, st.st_uid);
		assert_int_equal(ei.raw.i_gid | ei.raw.i_gid_high << 16, st.st_gid);
		assert_int_equal(ei.raw.i_links_count, st.st_nlink);
		if (S_ISDIR(st.st_mode)) {
			compare_tree(fs, ip);
			continue;
		}
		assert_int_equal(ei.size, st.st_size);
		if (S_ISREG(st.st_mode)) {
			compare_file(fs, &ei, hp);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(hp, target, sizeof target);
			target[n] = 0;
			mutex_lock(&fs->lock);
			assert_int_equal(ext4_readlink(fs, &ei, got, sizeof got), n);
			mutex_unlock(&fs->lock);
			assert_string_equal(got, target);
		}
	}
	closedir(dir);
	assert_int_equal(walk_path(fs, rel, &ei), 0);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_dir_iterate(fs, &ei, count_entry, &nimg), 0);
	mutex_unlock(&fs->lock);
	if (!*rel)
		nimg--;	/* lost+found */
	assert_int_equal(nimg, nhost);
	return nhost;
}

static void read_image(const char *img)
{
	struct ext4_fs *fs = mount_img(img, true);
	assert_non_null(fs);
	assert_int_equal(compare_tree(fs, ""), 8);
	unmount_img(fs);
}

static void reads_ext2(void **state) { (void)state; read_image(img2); }
static void reads_ext4(void **state) { (void)state; read_image(img4); }
static void reads_ext4_nocsum(void **state) { (void)state; read_image(img4n); }

/* The shapes the test means to cover are really in the images. */
static void images_have_the_shapes(void **state)
{
	struct ext4_fs *fs = mount_img(img4, true);
	struct ext4_inode ei;

	(void)state;
	assert_true(fs->csum);
	assert_int_equal(fs->desc_size, 64);
	assert_int_equal(walk_path(fs, "many", &ei), 0);
	assert_true(ei.raw.i_flags & EXT4_INDEX_FL);
	assert_int_equal(walk_path(fs, "sparse", &ei), 0);
	assert_true(ei.raw.i_flags & EXT4_EXTENTS_FL);
	assert_true(((struct ext4_extent_header *)ei.raw.i_block)->eh_depth > 0);
	assert_int_equal(walk_path(fs, "slow", &ei), 0);
	assert_false(ext4_inode_fast_symlink(fs, &ei));
	assert_int_equal(walk_path(fs, "fast", &ei), 0);
	assert_true(ext4_inode_fast_symlink(fs, &ei));
	assert_int_equal(walk_path(fs, "nothere", &ei), -2);
	unmount_img(fs);
	fs = mount_img(img2, true);
	assert_int_equal(walk_path(fs, "big", &ei), 0);
	assert_false(ei.raw.i_flags & EXT4_EXTENTS_FL);
	assert_int_not_equal(ei.raw.i_block[13], 0);	/* double indirect */
	unmount_img(fs);
}

/* ---- refusals and checksums ---------------------------------------------- */

void copy_file(const char *from, const char *to)
{
	assert_int_equal(host_sh("cp %s %s", from, to), 0);
}

/* Changes the scratch image's superblock and fixes its checksum. */
static void patch_super(void (*fn)(struct ext4_super_disk *s))
{
	struct ext4_super_disk s;
	int fd = open(scratch, O_RDWR);

	assert_int_equal(pread(fd, &s, sizeof s, 1024), sizeof s);
	fn(&s);
	s.s_checksum = crc32c(~0u, &s, offsetof(struct ext4_super_disk, s_checksum));
	assert_int_equal(pwrite(fd, &s, sizeof s, 1024), sizeof s);
	close(fd);
}

static void set_inline_data(struct ext4_super_disk *s) { s->s_feature_incompat |= EXT4_INCOMPAT_INLINE_DATA; }
static void set_unknown_incompat(struct ext4_super_disk *s) { s->s_feature_incompat |= 0x80000000u; }
static void set_quota(struct ext4_super_disk *s) { s->s_feature_ro_compat |= EXT4_RO_COMPAT_QUOTA; }

static void expect_refused(void (*fn)(struct ext4_super_disk *s), const char *word)
{
	copy_file(img4, scratch);
	patch_super(fn);
	host_log_lines = 0;
	assert_null(mount_img(scratch, false));
	assert_int_equal(host_log_lines, 1);
	assert_non_null(strstr(host_log_last, word));
}

static void expect_read_only(void (*fn)(struct ext4_super_disk *s), const char *word)
{
	copy_file(img4, scratch);
	patch_super(fn);
	host_log_lines = 0;
	struct ext4_fs *fs = mount_img(scratch, false);
	assert_non_null(fs);
	assert_true(fs->read_only);
	assert_int_equal(host_log_lines, 1);
	assert_non_null(strstr(host_log_last, word));
	unmount_img(fs);
}

static void features(void **state)
{
	(void)state;
	expect_refused(set_inline_data, "unsupported feature inline_data");
	expect_refused(set_unknown_incompat, "0x80000000");
	expect_read_only(set_quota, "quota");
}

/* A byte changed in the root inode, the superblock, a directory block:
 * -EUCLEAN and one line naming the checksum. */
static void bad_checksums(void **state)
{
	struct ext4_fs *fs = mount_img(img4, true);
	struct ext4_inode ei;
	uint64_t root_off, many_blk;

	(void)state;
	uint32_t g0_itable = (uint32_t)ext4_group_inode_table(fs, 0);
	root_off = ((uint64_t)g0_itable << fs->log_block) + fs->inode_size + 0x40;
	assert_int_equal(walk_path(fs, "hello", &ei), 0);
	assert_int_equal(walk_path(fs, "sub", &ei), 0);
	uint64_t run;
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_map(fs, &ei, 0, &many_blk, &run), 0);
	mutex_unlock(&fs->lock);
	many_blk <<= fs->log_block;
	unmount_img(fs);

	const uint64_t offs[] = { root_off, 1024 + 0x60 + 3, many_blk + 20 };
	const char *words[] = { "inode checksum", "superblock checksum", "directory block checksum" };
	for (int k = 0; k < 3; k++) {
		copy_file(img4, scratch);
		int fd = open(scratch, O_RDWR);
		uint8_t c;
		assert_int_equal(pread(fd, &c, 1, (off_t)offs[k]), 1);
		c ^= 0x10;
		assert_int_equal(pwrite(fd, &c, 1, (off_t)offs[k]), 1);
		close(fd);
		host_log_lines = 0;
		fs = mount_img(scratch, true);
		if (k == 1) {
			assert_null(fs);
		} else {
			assert_non_null(fs);
			assert_int_equal(walk_path(fs, k ? "sub/deep" : "", &ei), -EUCLEAN);
			unmount_img(fs);
		}
		assert_int_equal(host_log_lines, 1);
		assert_non_null(strstr(host_log_last, words[k]));
	}
}

/* ---- fuzzing ------------------------------------------------------------- */

struct walk {
	struct ext4_fs *fs;
	int depth, budget;
	uint8_t *buf;
};

static void walk_inode(struct walk *w, uint64_t ino);

static int walk_entry(void *arg, const char *name, unsigned len, uint64_t ino, unsigned type)
{
	struct walk *w = arg;
	(void)name, (void)len, (void)type;
	if (w->budget-- <= 0)
		return 1;
	walk_inode(w, ino);
	return 0;
}

/* Reads everything reachable from ino, bounded: a corrupt directory may
 * name its own ancestor (the VFS loads directories one at a time, so it
 * never walks such a loop; this walker must bound itself). */
static void walk_inode(struct walk *w, uint64_t ino)
{
	struct ext4_inode ei;
	char target[4200];

	if (ext4_inode_read(w->fs, ino, &ei))
		return;
	switch (ei.raw.i_mode & 0170000) {
	case 0040000:
		if (w->depth < 12) {
			w->depth++;
			ext4_dir_iterate(w->fs, &ei, walk_entry, w);
			w->depth--;
		}
		break;
	case 0100000:
		for (uint64_t off = 0; off < ei.size && off < (4 << 20); off += 1 << 20)
			if (ext4_file_read(w->fs, &ei, w->buf, 1 << 20, off) < 0)
				break;
		break;
	case 0120000:
		ext4_readlink(w->fs, &ei, target, sizeof target);
		break;
	}
}

static void walk_all(struct ext4_fs *fs, uint8_t *buf)
{
	struct walk w = { fs, 0, 20000, buf };
	mutex_lock(&fs->lock);
	walk_inode(&w, EXT4_ROOT_INO);
	mutex_unlock(&fs->lock);
}

/* The blocks a clean walk of the image reads except file data: where
 * flipped bytes are worth the most. */
static size_t metadata_blocks(const char *img, uint64_t **out, uint32_t *bs)
{
	struct ext4_fs *fs = mount_img(img, true);
	uint8_t *buf = malloc(1 << 20);
	uint64_t *offs;

	host_reads_reset();
	walk_all(fs, buf);
	*bs = fs->block_size;
	size_t n = host_reads(&offs);
	*out = malloc(n * sizeof **out);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		(*out)[k++] = offs[i];
	/* The superblock and descriptors too (read before the reset). */
	(*out)[0] = 1024;
	(*out)[1 % k] = (uint64_t)(fs->first_data_block + 1) << fs->log_block;
	unmount_img(fs);
	free(buf);
	return k;
}

/* Changes on a corrupt file system: each may fail, none may crash. */
static void change_some(struct ext4_fs *fs, uint8_t *buf)
{
	struct ext4_inode root, ei, dir;
	struct ext4_new n = { S_IFREG | 0644, 0, 0, 0, NULL, NOW };
	struct ext4_new d = { S_IFDIR | 0755, 0, 0, 0, NULL, NOW };
	uint64_t ino;

	mutex_lock(&fs->lock);
	if (!ext4_inode_read(fs, EXT4_ROOT_INO, &root) && !ext4_create(fs, &root, "fz", &n, &ei)) {
		ext4_file_write(fs, &ei, buf, 70000, 4096 * 3);
		ext4_truncate(fs, &ei, 5000);
		if (!ext4_unlink(fs, &root, "fz", &ei, NOW))
			ext4_evict(fs, &ei, NOW);
	}
	if (!ext4_inode_read(fs, EXT4_ROOT_INO, &root) && !ext4_create(fs, &root, "fzd", &d, &dir))
		ext4_create(fs, &dir, "inner", &n, &ei);
	if (!ext4_inode_read(fs, EXT4_ROOT_INO, &root) && !dir_lookup(fs, &root, "big", &ino) &&
	    !ext4_inode_read(fs, ino, &ei))
		ext4_truncate(fs, &ei, 100);
	if (!ext4_inode_read(fs, EXT4_ROOT_INO, &root) && !dir_lookup(fs, &root, "many", &ino) &&
	    !ext4_inode_read(fs, ino, &dir) && !dir_lookup(fs, &dir, "entry-00010", &ino) &&
	    !ext4_inode_read(fs, ino, &ei) && !ext4_unlink(fs, &dir, "entry-00010", &ei, NOW))
		ext4_evict(fs, &ei, NOW);
	mutex_unlock(&fs->lock);
}

static void unmount_fuzzed(struct ext4_fs *fs)
{
	struct blk_dev *d = fs->dev;
	ext4_fs_sync(fs);	/* may fail: a corrupt group */
	ext4_fs_close(fs);
	host_dev_close(d);
}

/* Flips 1-4 bytes of the scratch image's metadata, mounts it and reads
 * everything, then puts the bytes back. */
static void fuzz_image(const char *img, int rounds, unsigned seed)
{
	uint64_t *blocks, offs[4];
	uint32_t bs;
	size_t n = metadata_blocks(img, &blocks, &bs);
	uint8_t *buf = malloc(1 << 20), old[4];
	int mounted = 0, writes = 0;

	srand(seed);
	copy_file(img, scratch);
	int fd = open(scratch, O_RDWR);
	for (int r = 0; r < rounds; r++) {
		int flips = 1 + rand() % 4;
		for (int k = 0; k < flips; k++) {
			offs[k] = (blocks[rand() % n] & ~(uint64_t)(bs - 1)) + (uint64_t)(rand() % bs);
			assert_int_equal(pread(fd, &old[k], 1, (off_t)offs[k]), 1);
			uint8_t c = old[k] ^ (uint8_t)(1 + rand() % 255);
			assert_int_equal(pwrite(fd, &c, 1, (off_t)offs[k]), 1);
		}
		bool writable = r % 4 == 0;
		struct ext4_fs *fs = mount_img(scratch, !writable);
		if (fs) {
			mounted++;
			walk_all(fs, buf);
			if (!fs->read_only) {
				writes++;
				change_some(fs, buf);
			}
			unmount_fuzzed(fs);
		}
		if (writable) {	/* written to: start again from the clean image */
			close(fd);
			copy_file(img, scratch);
			fd = open(scratch, O_RDWR);
		} else {
			for (int k = flips - 1; k >= 0; k--)
				assert_int_equal(pwrite(fd, &old[k], 1, (off_t)offs[k]), 1);
		}
	}
	close(fd);
	assert_true(mounted > rounds / 4);
	assert_true(writes > rounds / 16);
	free(blocks);
	free(buf);
}

static void fuzz_ext2(void **state) { (void)state; fuzz_image(img2, 200, 1); }
static void fuzz_ext4(void **state) { (void)state; fuzz_image(img4, 200, 2); }
static void fuzz_ext4_nocsum(void **state) { (void)state; fuzz_image(img4n, 200, 3); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_ext2),
		cmocka_unit_test(reads_ext4),
		cmocka_unit_test(reads_ext4_nocsum),
		cmocka_unit_test(images_have_the_shapes),
		cmocka_unit_test(features),
		cmocka_unit_test(bad_checksums),
		cmocka_unit_test(writes_ext2),
		cmocka_unit_test(writes_ext4),
		cmocka_unit_test(writes_ext4_nocsum),
		cmocka_unit_test(writes_ext4_uninit_groups),
		cmocka_unit_test(journal_crash_points),
		cmocka_unit_test(journal_from_debugfs),
		cmocka_unit_test(journal_refusals),
		cmocka_unit_test(journal_commit_failure),
		cmocka_unit_test(journal_small_log),
		cmocka_unit_test(journal_fuzz),
		cmocka_unit_test(htree_hashes_match_e2fsprogs),
		cmocka_unit_test(htree_grows_and_stays),
		cmocka_unit_test(dir_records_that_do_not_chain),
		cmocka_unit_test(fuzz_ext2),
		cmocka_unit_test(fuzz_ext4),
		cmocka_unit_test(fuzz_ext4_nocsum),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
