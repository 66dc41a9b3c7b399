/* What tests/unit/test_ext4.c shares with ext4_writes.c: the images its
 * setup made, and the helpers that mount them and walk their paths. */
#ifndef AMPHI_TESTS_TEST_EXT4_H
#define AMPHI_TESTS_TEST_EXT4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/ext4_internal.h"

#define NMANY	3000				/* entries in many/ */
#define NOW	1700000000123456789ll		/* the time of every change */

extern const char *tmp;
extern char src[128], img2[128], img4[128], img4n[128], img4g[128], scratch[128];

struct ext4_fs *mount_img(const char *path, bool ro);
void unmount_img(struct ext4_fs *fs);
int walk_path(struct ext4_fs *fs, const char *path, struct ext4_inode *ei);
void copy_file(const char *from, const char *to);

/* ext4_writes.c: changes through the core (each asserts success) and
 * the host's tools' view of an image. */
void make(struct ext4_fs *fs, const char *path, uint32_t mode, const char *target);
void write_at(struct ext4_fs *fs, const char *path, const void *data, size_t len, uint64_t off);
void remove_name(struct ext4_fs *fs, const char *path);
void move(struct ext4_fs *fs, const char *old, const char *new);
void debugfs_has(const char *img, const char *path, const void *want, size_t len);
void fsck_clean(const char *img);
void writes_ext2(void **state);
void writes_ext4(void **state);
void writes_ext4_nocsum(void **state);
void writes_ext4_uninit_groups(void **state);

/* ext4_journal_tests.c */
void journal_crash_points(void **state);
void journal_from_debugfs(void **state);
void journal_refusals(void **state);
void journal_commit_failure(void **state);
void journal_small_log(void **state);
void journal_fuzz(void **state);

/* ext4_htree.c */
void htree_hashes_match_e2fsprogs(void **state);
void htree_grows_and_stays(void **state);

/* ext4_records.c */
void dir_records_that_do_not_chain(void **state);

#endif
