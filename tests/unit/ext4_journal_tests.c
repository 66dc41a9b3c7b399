/* test_ext4's journal half: crashes at every write of a run (the power
 * cut by dropping the writes after it; then again with a disk cache that
 * loses all but the newest unflushed write), replayed by the core and by
 * e2fsck; journals e2fsprogs' debugfs wrote (revokes, csum v3, 32-bit
 * tags, an escaped block) replayed by the core; the refusals; a failing
 * commit; and flipped bytes in a log that must never crash the core. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ext4_host.h"
#include "test_ext4.h"
#include "fs/ext4_internal.h"
#include "fs/jbd2_format.h"

static uint8_t data[16384];

static void fill_data(void)
{
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 29 + (i >> 9) + 1);
}

/* The file at path has exactly these bytes. */
static bool has_file(struct ext4_fs *fs, const char *path, const void *want, size_t len)
{
	struct ext4_inode ei;
	uint8_t got[sizeof data + 1];

	if (walk_path(fs, path, &ei))
		return false;
	mutex_lock(&fs->lock);
	long n = ext4_file_read(fs, &ei, got, sizeof got, 0);
	mutex_unlock(&fs->lock);
	return n == (long)len && !memcmp(got, want, len);
}

static bool exists(struct ext4_fs *fs, const char *path)
{
	struct ext4_inode ei;
	return walk_path(fs, path, &ei) == 0;
}

static void sync_ok(struct ext4_fs *fs) { assert_int_equal(ext4_fs_sync(fs), 0); }

/* Three transactions: the second frees a 3 MiB file's blocks, which the
 * third's new file may then take. */
static void workload(struct ext4_fs *fs)
{
	make(fs, "jdir", S_IFDIR | 0755, NULL);
	make(fs, "jdir/a", S_IFREG | 0644, NULL);
	write_at(fs, "jdir/a", data, 5000, 0);
	sync_ok(fs);
	remove_name(fs, "big");
	make(fs, "jdir/b", S_IFREG | 0644, NULL);
	write_at(fs, "jdir/b", data + 7, 10000, 0);
	move(fs, "jdir/a", "jdir/c");
	sync_ok(fs);
	make(fs, "jdir/e", S_IFREG | 0644, NULL);
	write_at(fs, "jdir/e", data + 3, sizeof data - 3, 0);
	sync_ok(fs);
}

/* Which of the workload's transactions the file system shows: 0 to 3,
 * or -1 for none of them (a mix). */
static int state_of(struct ext4_fs *fs)
{
	if (!exists(fs, "jdir"))
		return exists(fs, "big") ? 0 : -1;
	if (has_file(fs, "jdir/a", data, 5000) && exists(fs, "big") && !exists(fs, "jdir/b"))
		return 1;
	if (exists(fs, "jdir/a") || exists(fs, "big") || !has_file(fs, "jdir/c", data, 5000) ||
	    !has_file(fs, "jdir/b", data + 7, 10000))
		return -1;
	if (!exists(fs, "jdir/e"))
		return 2;
	return has_file(fs, "jdir/e", data + 3, sizeof data - 3) ? 3 : -1;
}

static size_t commit_at[16], ncommit;

/* Notes the write that puts a commit block on the disk (counted from 1). */
static void see_commit(uint64_t off, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	(void)off;
	if (len >= JBD2_HEADER && jbd2_get32(b) == JBD2_MAGIC && jbd2_get32(b + JBD2_H_TYPE) == JBD2_COMMIT &&
	    ncommit < 16)
		commit_at[ncommit++] = host_nwrites;
}

/* The workload on a copy of base, the power cut after `budget` writes
 * (-1: never).  The file system is then dropped without a write. */
static void run_cut(const char *base, long budget)
{
	copy_file(base, scratch);
	host_nwrites = 0;
	host_write_budget = budget;
	struct ext4_fs *fs = mount_img(scratch, false);
	assert_non_null(fs);
	workload(fs);
	host_power_cut();
	struct blk_dev *d = fs->dev;
	ext4_fs_close(fs);
	host_dev_close(d);
	host_write_budget = -1;
}

static void crash_points_of(const char *base)
{
	ncommit = 0;
	host_write_seen = see_commit;
	run_cut(base, -1);
	host_write_seen = NULL;
	size_t total = host_nwrites;
	assert_int_equal(ncommit, 3);
	char copy[160];
	snprintf(copy, sizeof copy, "%s/e2fsck-copy.img", tmp);
	for (size_t k = 0; k <= total; k++) {
		run_cut(base, (long)k);
		int want = 0;
		while (want < 3 && commit_at[want] <= k)
			want++;
		/* e2fsprogs replays our log too: at each commit, before the
		 * checkpoint, its result must pass e2fsck. */
		bool at_commit = want && commit_at[want - 1] == k;
		if (at_commit) {
			copy_file(scratch, copy);
			assert_true(host_sh("e2fsck -fy %s >/dev/null 2>&1", copy) <= 1);
			fsck_clean(copy);
		}
		struct ext4_fs *fs = mount_img(scratch, false);
		assert_non_null(fs);
		assert_false(fs->read_only);
		int got = state_of(fs);
		if (got != want)
			fprintf(stderr, "cut after write %zu of %zu: state %d, want %d\n", k, total, got, want);
		assert_int_equal(got, want);
		unmount_img(fs);
		fsck_clean(scratch);
		if (at_commit && want == 3)
			debugfs_has(copy, "/jdir/e", data + 3, sizeof data - 3);
	}
}

void journal_crash_points(void **state)
{
	(void)state;
	fill_data();
	for (int cache = 0; cache < 2; cache++) {
		host_volatile_cache = cache;
		crash_points_of(img4);	/* csum v3, 64-bit tags */
		crash_points_of(img4n);	/* no checksums */
	}
	host_volatile_cache = false;
}

/* ---- journals debugfs wrote ---------------------------------------------- */

static void block_is(const char *img, uint64_t blk, const void *want)
{
	uint8_t got[4096];
	int fd = open(img, O_RDONLY);
	assert_int_equal(pread(fd, got, 4096, (off_t)blk * 4096), 4096);
	close(fd);
	assert_memory_equal(got, want, 4096);
}

/* An image whose journal holds: transaction 1 writing blocks 3000 (it
 * begins with the journal's magic: escaped) and 3001, transaction 2
 * revoking 3001, transaction 3 writing 3500, and an uncommitted 4th
 * writing 3600.  opts: mke2fs's -O; csum: debugfs's jo -c. */
static void debugfs_journal(const char *img, const char *opts, bool csum)
{
	char p1[160], p2[160];
	snprintf(p1, sizeof p1, "%s/p1", tmp);
	snprintf(p2, sizeof p2, "%s/p2", tmp);
	uint8_t b[8192];
	memcpy(b, data, sizeof b);
	jbd2_put32(b, JBD2_MAGIC);
	int fd = open(p1, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, b, 8192), 8192);
	close(fd);
	fd = open(p2, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, data + 8192, 4096), 4096);
	close(fd);
	assert_int_equal(host_sh("mke2fs -q -F -t ext4 -b 4096 %s %s 16M && debugfs -w %s -f - >/dev/null 2>&1 <<EOF\n"
				 "jo %s\njw -b 3000,3001 %s\njw -r 3001\njw -b 3500 %s\njw -b 3600 -c %s\njc\nEOF",
				 opts, img, img, csum ? "-c" : "", p1, p2, p2), 0);
	assert_int_equal(host_sh("dumpe2fs -h %s 2>/dev/null | grep -q needs_recovery", img), 0);
}

static void replay_debugfs(const char *opts, bool csum)
{
	char img[160], ref[160];
	static const uint8_t zero[4096];
	uint8_t b[4096];

	snprintf(img, sizeof img, "%s/dj.img", tmp);
	snprintf(ref, sizeof ref, "%s/dj-e2fsck.img", tmp);
	debugfs_journal(img, opts, csum);
	copy_file(img, ref);
	assert_true(host_sh("e2fsck -fy %s >/dev/null 2>&1", ref) <= 1);
	host_log_lines = 0;
	struct ext4_fs *fs = mount_img(img, false);
	assert_non_null(fs);
	assert_false(fs->read_only);
	assert_int_equal(host_log_lines, 1);
	assert_non_null(strstr(host_log_last, "journal replayed"));
	unmount_img(fs);
	fsck_clean(img);
	memcpy(b, data, 4096);
	jbd2_put32(b, JBD2_MAGIC);
	block_is(img, 3000, b);
	block_is(img, 3001, zero);	/* revoked */
	block_is(img, 3500, data + 8192);
	block_is(img, 3600, zero);	/* never committed */
	/* e2fsck's replay wrote the same bytes. */
	uint8_t r[4096];
	static const uint64_t blocks[] = { 3000, 3001, 3500, 3600 };
	for (int k = 0; k < 4; k++) {
		int fd = open(ref, O_RDONLY);
		assert_int_equal(pread(fd, r, 4096, (off_t)blocks[k] * 4096), 4096);
		close(fd);
		block_is(img, blocks[k], r);
	}
}

void journal_from_debugfs(void **state)
{
	(void)state;
	fill_data();
	replay_debugfs("-O has_journal", true);	/* default ext4: csum v3, 64bit, revoke */
	replay_debugfs("-O ^64bit,^metadata_csum", false);	/* 32-bit tags, no checksums */
}

/* ---- refusals and failures ---------------------------------------------- */

/* The number a host tool prints about img (fmt has one %s for it). */
static uint64_t tool_number(const char *fmt, const char *img)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, fmt, img);
	FILE *f = popen(cmd, "r");
	unsigned long long n = 0;
	assert_int_equal(fscanf(f, "%llu", &n), 1);
	pclose(f);
	return n;
}

/* The journal superblock's block number (the journal inode's first). */
static uint64_t jsb_block(const char *img)
{
	return tool_number("debugfs -R 'bmap <8> 0' %s 2>/dev/null", img);
}

static uint64_t block_size_of(const char *img)
{
	return tool_number("dumpe2fs -h %s 2>/dev/null | sed -n 's/^Block size: *//p'", img);
}

static void patch_jsb(const char *img, uint32_t off, uint32_t value)
{
	uint8_t s[1024];
	uint64_t at = jsb_block(img) * block_size_of(img);
	int fd = open(img, O_RDWR);
	assert_int_equal(pread(fd, s, sizeof s, (off_t)at), sizeof s);
	jbd2_put32(s + off, value);
	assert_int_equal(pwrite(fd, s, sizeof s, (off_t)at), sizeof s);
	close(fd);
}

static void expect_line(const char *img, bool dev_ro, bool mounts, const char *word)
{
	struct blk_dev *d = host_dev_open(img);
	struct ext4_fs *fs;
	d->read_only = dev_ro;
	host_log_lines = 0;
	int err = ext4_fs_open(d, dev_ro, false, &fs);
	assert_int_equal(host_log_lines, 1);
	assert_non_null(strstr(host_log_last, word));
	if (mounts) {
		assert_int_equal(err, 0);
		assert_true(fs->read_only);
		ext4_fs_close(fs);
	} else
		assert_int_not_equal(err, 0);
	host_dev_close(d);
}

void journal_refusals(void **state)
{
	static const uint8_t zero[4096];
	char img[160];

	(void)state;
	fill_data();
	snprintf(img, sizeof img, "%s/dj.img", tmp);
	/* A read-only device: mounted read-only, nothing replayed. */
	debugfs_journal(img, "-O ^64bit,^metadata_csum", false);
	expect_line(img, true, true, "not replayed on a read-only device");
	block_is(img, 3500, zero);
	/* Fast commits to replay: refused. */
	patch_jsb(img, JBD2_S_INCOMPAT, JBD2_INCOMPAT_FAST_COMMIT | JBD2_INCOMPAT_64BIT | JBD2_INCOMPAT_REVOKE);
	expect_line(img, false, false, "fast commits");
	/* A journal superblock that is not one: read-only. */
	debugfs_journal(img, "-O ^64bit,^metadata_csum", false);
	patch_jsb(img, JBD2_H_MAGIC, 0x12345678);
	expect_line(img, false, true, "bad journal superblock magic");
	/* A committed tag naming a block past the end: read-only, nothing
	 * written. */
	debugfs_journal(img, "-O ^64bit,^metadata_csum", false);
	uint64_t log = (jsb_block(img) + 1) * 4096;	/* transaction 1's descriptor */
	int fd = open(img, O_RDWR);
	uint8_t tag[4];
	jbd2_put32(tag, 999999);
	assert_int_equal(pwrite(fd, tag, 4, (off_t)log + JBD2_HEADER), 4);
	close(fd);
	expect_line(img, false, true, "journal is corrupt");
	block_is(img, 3500, zero);
}

void journal_commit_failure(void **state)
{
	(void)state;
	fill_data();
	copy_file(img4, scratch);
	struct ext4_fs *fs = mount_img(scratch, false);
	assert_non_null(fs);
	make(fs, "kept", S_IFREG | 0644, NULL);
	write_at(fs, "kept", data, 3000, 0);
	sync_ok(fs);
	make(fs, "lost", S_IFREG | 0644, NULL);
	host_write_error = true;
	host_log_lines = 0;
	assert_int_equal(ext4_fs_sync(fs), -EIO);
	assert_int_equal(host_log_lines, 1);
	assert_non_null(strstr(host_log_last, "journal commit failed"));
	assert_true(fs->read_only);
	assert_int_equal(ext4_fs_sync(fs), -EIO);
	struct ext4_inode dir, ei;
	struct ext4_new n = { S_IFREG | 0644, 0, 0, 0, NULL, NOW };
	assert_int_equal(walk_path(fs, "", &dir), 0);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_create(fs, &dir, "more", &n, &ei), -EROFS);
	mutex_unlock(&fs->lock);
	struct blk_dev *d = fs->dev;
	ext4_fs_close(fs);
	host_dev_close(d);
	host_write_error = false;
	/* The disk holds the last good commit, and needs recovery. */
	fs = mount_img(scratch, false);
	assert_non_null(fs);
	assert_false(fs->read_only);
	assert_true(has_file(fs, "kept", data, 3000));
	assert_false(exists(fs, "lost"));
	unmount_img(fs);
	fsck_clean(scratch);
}

/* A log too small for the workload's transactions (its superblock says
 * 6 blocks): most are written home the unjournaled way, and the result
 * is still whole and clean. */
void journal_small_log(void **state)
{
	(void)state;
	fill_data();
	copy_file(img4n, scratch);
	patch_jsb(scratch, JBD2_S_MAXLEN, 6);
	struct ext4_fs *fs = mount_img(scratch, false);
	assert_non_null(fs);
	workload(fs);
	unmount_img(fs);
	fsck_clean(scratch);
	fs = mount_img(scratch, false);
	assert_non_null(fs);
	assert_int_equal(state_of(fs), 3);
	unmount_img(fs);
}

/* ---- fuzzing ------------------------------------------------------------- */

static void fuzz_log(const char *base, const char *crashed, int rounds, unsigned seed)
{
	uint64_t bs = block_size_of(base), log = (jsb_block(base) + 1) * bs;
	uint8_t b[4];

	srand(seed);
	for (int r = 0; r < rounds; r++) {
		copy_file(crashed, scratch);
		int fd = open(scratch, O_RDWR);
		for (int k = 1 + rand() % 4; k > 0; k--) {
			/* Mostly the first blocks of the log, sometimes the
			 * superblock of the journal. */
			off_t at = rand() % 8 ? (off_t)log + rand() % (12 * (int)bs) : (off_t)(log - bs) + rand() % 1024;
			assert_int_equal(pread(fd, b, 1, at), 1);
			b[0] ^= (uint8_t)(1 + rand() % 255);
			assert_int_equal(pwrite(fd, b, 1, at), 1);
		}
		close(fd);
		struct ext4_fs *fs = mount_img(scratch, false);
		if (!fs)
			continue;
		struct ext4_inode ei;
		walk_path(fs, "jdir/e", &ei);
		struct blk_dev *d = fs->dev;
		ext4_fs_sync(fs);	/* may fail: the replay may have written nonsense */
		ext4_fs_close(fs);
		host_dev_close(d);
	}
}

void journal_fuzz(void **state)
{
	char crashed[160];

	(void)state;
	fill_data();
	snprintf(crashed, sizeof crashed, "%s/crashed.img", tmp);
	const char *bases[] = { img4, img4n };
	for (int k = 0; k < 2; k++) {
		ncommit = 0;
		host_write_seen = see_commit;
		run_cut(bases[k], -1);
		host_write_seen = NULL;
		run_cut(bases[k], (long)commit_at[2]);	/* the last transaction in the log only */
		copy_file(scratch, crashed);
		fuzz_log(bases[k], crashed, 150, 7 + k);
	}
	char dj[160];
	snprintf(dj, sizeof dj, "%s/dj.img", tmp);
	debugfs_journal(dj, "-O has_journal", true);
	fuzz_log(dj, dj, 150, 11);
}
