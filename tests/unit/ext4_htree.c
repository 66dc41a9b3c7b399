/* test_ext4's directory-index half: the name hashes against e2fsprogs'
 * (debugfs dx_hash), and an indexed directory that the core grows from
 * one index level to two and splits, which e2fsck -fn must find clean
 * with its index still there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ext4_host.h"
#include "test_ext4.h"
#include "fs/ext4_internal.h"

/* debugfs's hash of name: 0 and *hash, or -1. */
static int debugfs_hash(const char *alg, const char *uuid, const char *name, uint32_t *hash)
{
	char cmd[1024], line[512];
	int ok = -1;

	snprintf(cmd, sizeof cmd, "debugfs -R 'dx_hash -h %s -s %s \"%s\"' %s 2>/dev/null", alg, uuid, name,
		 img4);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof line, p)) {
		const char *at = strstr(line, " is 0x");
		if (at && sscanf(at + 6, "%x", hash) == 1)
			ok = 0;
	}
	pclose(p);
	return ok;
}

/* The 16 bytes of a UUID string as the superblock holds s_hash_seed. */
static void seed_of(const char *uuid, uint32_t seed[4])
{
	uint8_t b[16];
	int k = 0;

	for (const char *p = uuid; *p && k < 16; p++)
		if (*p != '-') {
			sscanf(p, "%2hhx", &b[k++]);
			p++;
		}
	memcpy(seed, b, 16);
}

void htree_hashes_match_e2fsprogs(void **state)
{
	/* By number: debugfs 1.47 takes no names for the unsigned ones. */
	static const char *const algs[] = { "0", "1", "2", "3", "4", "5" };
	static const char *const seeds[] = { "00000000-0000-0000-0000-000000000000",
					     "3c4a5b6d-7e8f-9012-a3b4-c5d6e7f80912" };
	char longest[256], high[] = "caf\xc3\xa9-\xff\x80-name";
	const char *names[] = { "a", "hello", "entry-00042", "exactly-sixteen!",
				"a-name-of-thirty-three-characters", high, longest };

	(void)state;
	memset(longest, 'z', 255);
	longest[255] = 0;
	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++)
		for (size_t s = 0; s < 2; s++)
			for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
				uint32_t seed[4], want, got;
				seed_of(seeds[s], seed);
				assert_int_equal(debugfs_hash(algs[a], seeds[s], names[n], &want), 0);
				assert_int_equal(ext4_name_hash((unsigned)a, seed, names[n],
								(unsigned)strlen(names[n]), &got), 0);
				if (got != want)
					fail_msg("hash %s, seed %zu, of \"%s\": 0x%x, e2fsprogs 0x%x", algs[a], s,
						 names[n], got, want);
			}
	uint32_t seed[4] = { 0 }, h;
	assert_int_equal(ext4_name_hash(6, seed, "x", 1, &h), -EINVAL);
}

/* Adds (or removes) dir/NAME-k for k in [from, to) by step. */
static void names(struct ext4_fs *fs, const char *dir, int from, int to, int step, bool add)
{
	struct ext4_inode d, ei;
	struct ext4_new n = { S_IFREG | 0644, 0, 0, 0, NULL, NOW };
	char name[64], path[128];

	for (int k = from; k < to; k += step) {
		snprintf(name, sizeof name, "a-longer-file-name-%06d", k);
		snprintf(path, sizeof path, "%s/%s", dir, name);
		assert_int_equal(walk_path(fs, dir, &d), 0);
		if (!add)
			assert_int_equal(walk_path(fs, path, &ei), 0);
		mutex_lock(&fs->lock);
		if (add) {
			assert_int_equal(ext4_create(fs, &d, name, &n, &ei), 0);
		} else {
			assert_int_equal(ext4_unlink(fs, &d, name, &ei, NOW), 0);
			assert_int_equal(ext4_evict(fs, &ei, NOW), 0);
		}
		mutex_unlock(&fs->lock);
	}
}

/* What debugfs says of the directory: its flags and index depth. */
static void index_shape(const char *img, const char *dir, unsigned *flags, int *levels)
{
	char cmd[512], line[512];

	*flags = 0;
	*levels = -1;
	snprintf(cmd, sizeof cmd, "debugfs -R 'stat %s' %s 2>/dev/null; debugfs -R 'htree_dump %s' %s 2>/dev/null",
		 dir, img, dir, img);
	FILE *p = popen(cmd, "r");
	while (fgets(line, sizeof line, p)) {
		const char *f = strstr(line, "Flags: 0x"), *l = strstr(line, "Indirect levels: ");
		if (f)
			sscanf(f + 9, "%x", flags);
		if (l && *levels < 0)
			sscanf(l + 17, "%d", levels);
	}
	pclose(p);
}

static int count_one(void *arg, const char *name, unsigned len, uint64_t ino, unsigned type)
{
	(void)name, (void)len, (void)ino, (void)type;
	++*(int *)arg;
	return 0;
}

/* 1 KiB blocks: the root holds about 120 leaves, so 6000 names need a
 * second index level and more than one node under the root; a new
 * directory of 500 names gets an index of its own. */
void htree_grows_and_stays(void **state)
{
	char img[256];
	unsigned flags;
	int levels, n = 0;

	(void)state;
	snprintf(img, sizeof img, "%s/htree.img", tmp);
	assert_int_equal(host_sh("rm -rf %s/ht && mkdir -p %s/ht/big && for k in $(seq 200); do "
				 ": > %s/ht/big/seed-$k; done && mke2fs -q -F -t ext4 -b 1024 -d %s/ht %s 32M && "
				 "e2fsck -fyD %s >/dev/null 2>&1; e2fsck -fn %s >/dev/null",
				 tmp, tmp, tmp, tmp, img, img, img), 0);
	index_shape(img, "/big", &flags, &levels);
	assert_true(flags & EXT4_INDEX_FL);
	assert_int_equal(levels, 0);

	struct ext4_fs *fs = mount_img(img, false);
	assert_non_null(fs);
	names(fs, "big", 0, 6000, 1, true);
	names(fs, "big", 0, 6000, 7, false);
	/* A new directory gets its index when it outgrows its first block. */
	struct ext4_inode root, fresh;
	struct ext4_new dir = { S_IFDIR | 0755, 0, 0, 0, NULL, NOW };
	assert_int_equal(walk_path(fs, "", &root), 0);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_create(fs, &root, "fresh", &dir, &fresh), 0);
	mutex_unlock(&fs->lock);
	names(fs, "fresh", 0, 500, 1, true);
	unmount_img(fs);

	assert_int_equal(host_sh("e2fsck -fn %s > %s/fsck.out 2>&1 || { cat %s/fsck.out >&2; exit 1; }", img, tmp,
				 tmp), 0);
	index_shape(img, "/big", &flags, &levels);
	assert_true(flags & EXT4_INDEX_FL);
	assert_int_equal(levels, 1);
	index_shape(img, "/fresh", &flags, &levels);
	assert_true(flags & EXT4_INDEX_FL);
	assert_int_equal(levels, 0);
	fs = mount_img(img, true);
	struct ext4_inode d;
	assert_int_equal(walk_path(fs, "big", &d), 0);
	mutex_lock(&fs->lock);
	assert_int_equal(ext4_dir_iterate(fs, &d, count_one, &n), 0);
	mutex_unlock(&fs->lock);
	unmount_img(fs);
	assert_int_equal(n, 200 + 6000 - (6000 + 6) / 7);
}
