/* ISO 9660 with Rock Ridge: discs made by Debian's xorriso from a tree on
 * the host decode back to that tree (names, modes, owners, sizes, link
 * targets, bytes); a disc without Rock Ridge gives Linux's plain names; and
 * discs with bytes flipped all over their metadata decode to errors, never
 * to a read outside the image (ASan watches: the image sits in a buffer of
 * exactly its size) or a walk that does not end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "iso9660.h"

#define MANY 300	/* entries in one directory: more than one block of records */

struct image {
	uint8_t *data;
	size_t size;
};

static char tree[64];

static void put_file(const char *rel, const char *data, size_t len, mode_t mode)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tree, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void put_dir(const char *rel)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tree, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void put_link(const char *rel, const char *target)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", tree, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int make_tree(void **state)
{
	(void)state;
	static char big[5000];
	char name[32];

	strcpy(tree, "/tmp/amphi-iso-XXXXXX");
	assert_non_null(mkdtemp(tree));
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7 + i / 251);
	put_file("Hello.txt", "hello\n", 6, 0644);
	put_dir("a");
	put_dir("a/b");
	put_file("a/b/deep-file-with-a-rather-long-name.data", big, sizeof big, 0600);
	put_file("a/exec", "#!/bin/sh\n", 10, 0750);
	put_link("link", "a/b/deep-file-with-a-rather-long-name.data");
	put_link("abs", "/etc/passwd");
	put_link("dots", "../x/./y");
	put_dir("many");
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof name, "many/entry-number-%03d", i);
		put_file(name, name, strlen(name), 0644);
	}
	char path[256];
	snprintf(path, sizeof path, "%s/a/exec", tree);
	if (geteuid() == 0)
		assert_int_equal(chown(path, 1234, 5678), 0);
	return 0;
}

static int drop_tree(void **state)
{
	(void)state;
	char cmd[2 * sizeof tree + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s %s.iso", tree, tree);
	return system(cmd);
}

/* The disc xorriso makes of the tree, in a buffer of exactly its size. */
static struct image make_image(const char *options)
{
	char cmd[512], path[128];
	snprintf(path, sizeof path, "%s.iso", tree);
	snprintf(cmd, sizeof cmd, "xorriso -as mkisofs -quiet %s -o %s %s 2>/dev/null", options, path, tree);
	assert_int_equal(system(cmd), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	struct image im = { malloc(st.st_size), st.st_size };
	FILE *f = fopen(path, "rb");
	assert_int_equal(fread(im.data, 1, im.size, f), im.size);
	fclose(f);
	return im;
}

static int read_block(void *ctx, uint32_t block, uint8_t *buf)
{
	struct image *im = ctx;
	if ((uint64_t)block * ISO_BLOCK + ISO_BLOCK > im->size)
		return -EIO;
	memcpy(buf, im->data + (size_t)block * ISO_BLOCK, ISO_BLOCK);
	return 0;
}

/* One entry as a walk meets it; the test's visitor compares it with the
 * host's tree. */
struct entry {
	const char *path;
	const struct iso_record *r;
	const struct iso_rr *rr;
	const uint8_t *data;	/* file data inside the image, or NULL */
};
typedef void visit_fn(void *arg, const struct entry *e);

struct walk {
	struct image *im;
	unsigned skip;		/* the root's SP skip */
	visit_fn *visit;
	void *arg;
	unsigned entries;	/* bounds a walk of a hostile disc */
};

static int walk_dir(struct walk *w, const char *path, uint32_t extent, uint32_t size, int depth);

static int walk_record(struct walk *w, const char *dir, const struct iso_record *r, int depth)
{
	uint8_t scratch[ISO_BLOCK];
	struct iso_rr rr;
	char name[ISO_NAME_MAX + 1], path[1024];

	if (iso_record_is_dots(r))
		return 0;
	if (iso_record_rr(r, w->skip, &rr, read_block, w->im, scratch) || iso_entry_name(r, &rr, name) < 0)
		return -1;
	if (rr.relocated)
		return 0;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	uint64_t end = (uint64_t)r->extent * ISO_BLOCK + r->size;
	struct entry e = { path, r, &rr, end <= w->im->size ? w->im->data + (size_t)r->extent * ISO_BLOCK : NULL };
	w->visit(w->arg, &e);
	if (r->flags & ISO_FLAG_DIR)
		return walk_dir(w, path, rr.has_cl ? rr.cl_block : r->extent, r->size, depth + 1);
	return 0;
}

static int walk_dir(struct walk *w, const char *path, uint32_t extent, uint32_t size, int depth)
{
	uint8_t block[ISO_BLOCK];

	if (depth > 16)
		return -1;
	for (uint32_t b = 0; b < (size + ISO_BLOCK - 1) / ISO_BLOCK; b++) {
		if (read_block(w->im, extent + b, block))
			return -1;
		for (size_t off = 0; off < ISO_BLOCK;) {
			struct iso_record r;
			int rc = iso_record_parse(block + off, ISO_BLOCK - off, &r);
			if (rc)
				break;	/* the block's end (1) or a bad record (-1): next block */
			if (++w->entries > 10 * MANY)
				return -1;
			/* Decoded again from a copy of exactly its length, so ASan
			 * sees a read past the record, not only past the block. */
			uint8_t *copy = malloc(r.len);
			memcpy(copy, block + off, r.len);
			off += r.len;
			if (!iso_record_parse(copy, r.len, &r))
				walk_record(w, path, &r, depth);
			free(copy);
		}
	}
	return 0;
}

/* Walks the whole disc: 0, or -1 where it cannot start. */
static int walk(struct image *im, visit_fn *visit, void *arg)
{
	struct iso_volume v;
	struct iso_record root;
	struct iso_rr rr;
	uint8_t block[ISO_BLOCK], scratch[ISO_BLOCK];
	struct walk w = { im, 0, visit, arg, 0 };

	if (read_block(im, ISO_FIRST_VD, block) || iso_parse_primary(block, &v, &root))
		return -1;
	/* SP lives in the root's "." record, the first of its extent. */
	struct iso_record dot;
	if (read_block(im, root.extent, block) || iso_record_parse(block, ISO_BLOCK, &dot))
		return -1;
	if (!iso_record_rr(&dot, 0, &rr, read_block, im, scratch) && rr.has_sp)
		w.skip = rr.sp_skip;
	return walk_dir(&w, "", root.extent, root.size, 0);
}

struct seen {
	unsigned files, dirs, links, many;
	bool rock_ridge;
};

static void compare_with_host(void *arg, const struct entry *e)
{
	struct seen *s = arg;
	char host[1024], target[1024];
	struct stat st;

	snprintf(host, sizeof host, "%s%s", tree, e->path);
	assert_int_equal(lstat(host, &st), 0);
	assert_true(e->rr->has_px);
	assert_int_equal(e->rr->mode, st.st_mode);
	assert_int_equal(e->rr->uid, st.st_uid);
	assert_int_equal(e->rr->gid, st.st_gid);
	assert_true(e->rr->has_tf);
	assert_int_equal(e->rr->mtime, st.st_mtime);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(host, target, sizeof target);
		assert_true(e->rr->has_sl);
		assert_int_equal(e->rr->link_len, n);
		assert_memory_equal(e->rr->link, target, n);
		s->links++;
	} else if (S_ISDIR(st.st_mode)) {
		s->dirs++;
	} else {
		assert_int_equal(e->r->size, st.st_size);
		char *bytes = malloc(st.st_size + 1);
		FILE *f = fopen(host, "rb");
		assert_int_equal(fread(bytes, 1, st.st_size, f), (size_t)st.st_size);
		fclose(f);
		assert_non_null(e->data);
		assert_memory_equal(e->data, bytes, st.st_size);
		free(bytes);
		s->files++;
		s->many += !strncmp(e->path, "/many/", 6);
	}
}

static void rock_ridge_gives_the_tree_back(void **state)
{
	(void)state;
	struct image im = make_image("-R");
	struct seen s = { 0 };

	assert_int_equal(walk(&im, compare_with_host, &s), 0);
	assert_int_equal(s.dirs, 3);		/* a, a/b, many: and nothing twice */
	assert_int_equal(s.links, 3);
	assert_int_equal(s.files, 3 + MANY);
	assert_int_equal(s.many, MANY);
	free(im.data);
}

static void find_hello(void *arg, const struct entry *e)
{
	if (!strcmp(e->path, "/hello.txt")) {
		assert_false(e->rr->has_rr);
		assert_int_equal(e->r->size, 6);
		assert_memory_equal(e->data, "hello\n", 6);
		*(int *)arg += 1;
	}
}

static void plain_discs_give_linux_names(void **state)
{
	(void)state;
	struct image im = make_image("--norock");
	int found = 0;

	assert_int_equal(walk(&im, find_hello, &found), 0);
	assert_int_equal(found, 1);
	free(im.data);
}

static void ignore(void *arg, const struct entry *e) { (void)arg, (void)e; }

/* The metadata xorriso writes sits before the file data: flipping bytes in
 * the volume descriptors and directory blocks hits records, SUSP entries
 * and CE pointers. */
static void flipped_bytes_never_read_outside(void **state)
{
	(void)state;
	struct image im = make_image("-R");
	struct image copy = { malloc(im.size), im.size };
	size_t meta = 64 * ISO_BLOCK < im.size ? 64 * ISO_BLOCK : im.size;

	srandom(12);
	for (int round = 0; round < 3000; round++) {
		memcpy(copy.data, im.data, im.size);
		int flips = 1 + random() % 8;
		for (int i = 0; i < flips; i++) {
			size_t at = ISO_FIRST_VD * ISO_BLOCK + random() % (meta - ISO_FIRST_VD * ISO_BLOCK);
			copy.data[at] ^= (uint8_t)(1 + random() % 255);
		}
		walk(&copy, ignore, NULL);
	}
	free(copy.data);
	free(im.data);
}

static void records_overrunning_their_block_are_refused(void **state)
{
	(void)state;
	uint8_t rec[40] = { 40 };
	struct iso_record r;

	rec[32] = 5;	/* id length */
	assert_int_equal(iso_record_parse(rec, 39, &r), -1);	/* longer than what is left */
	assert_int_equal(iso_record_parse(rec, 40, &r), 0);
	rec[32] = 10;	/* the id runs past the record */
	assert_int_equal(iso_record_parse(rec, 40, &r), -1);
	rec[0] = 20;	/* shorter than a record can be */
	assert_int_equal(iso_record_parse(rec, 40, &r), -1);
	rec[0] = 0;
	assert_int_equal(iso_record_parse(rec, 40, &r), 1);
}

static void continuation_loops_end(void **state)
{
	(void)state;
	/* A CE entry naming the area it sits in, again and again. */
	uint8_t block[ISO_BLOCK] = { 'C', 'E', 28, 1 };
	struct image im = { malloc(20 * ISO_BLOCK), 20 * ISO_BLOCK };
	block[4] = 3;		/* block 3, offset 0, length 28 */
	block[20] = 28;
	memset(im.data, 0, im.size);
	memcpy(im.data + 3 * ISO_BLOCK, block, ISO_BLOCK);
	struct iso_record r = { .su = block, .su_len = 28 };
	struct iso_rr rr;
	uint8_t scratch[ISO_BLOCK];
	assert_int_equal(iso_record_rr(&r, 0, &rr, read_block, &im, scratch), -1);
	free(im.data);
}

static void dates_decode(void **state)
{
	(void)state;
	const uint8_t t7[7] = { 124, 12, 4, 12, 30, 15, 4 };	/* 2024-12-04 12:30:15 +01:00 */
	assert_int_equal(iso_time7(t7), 1733315415 - 3600);
	assert_int_equal(iso_time17((const uint8_t *)"2024120412301500\0"), 1733315415);
	const uint8_t bad[7] = { 124, 13, 4, 12, 30, 15, 0 };
	assert_int_equal(iso_time7(bad), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rock_ridge_gives_the_tree_back),
		cmocka_unit_test(plain_discs_give_linux_names),
		cmocka_unit_test(flipped_bytes_never_read_outside),
		cmocka_unit_test(records_overrunning_their_block_are_refused),
		cmocka_unit_test(continuation_loops_end),
		cmocka_unit_test(dates_decode),
	};
	return cmocka_run_group_tests(tests, make_tree, drop_tree);
}
