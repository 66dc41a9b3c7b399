/* The host side of tests/unit/test_ext4.c: a block device over an image
 * file, the kernel functions the ext4 core calls, and images made with
 * Debian's mke2fs from a tree the test builds. */
#ifndef AMPHI_TESTS_EXT4_HOST_H
#define AMPHI_TESTS_EXT4_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/blk.h"

/* A device over the file at path (read and written in place). */
struct blk_dev *host_dev_open(const char *path);
void host_dev_close(struct blk_dev *d);
/* Block numbers (of size bs) the device read since the last reset. */
void host_reads_reset(void);
size_t host_reads(uint64_t **offs);

/* A crash: writes past the budget (-1: none) are dropped, as if the
 * power went; host_write_error fails every write with -EIO.  Every write
 * is counted and shown to host_write_seen (if set). */
extern long host_write_budget;
extern bool host_write_error;
extern size_t host_nwrites;
extern void (*host_write_seen)(uint64_t off, const void *buf, size_t len);
/* With host_volatile_cache, the device keeps writes in a cache until a
 * flush, and the power cut loses every write since the last flush except
 * the newest: the order in which a disk's cache may write them back least
 * favours a file system that forgot a flush. */
extern bool host_volatile_cache;
/* The power goes now, if it has not yet. */
void host_power_cut(void);

/* What the core printed: the number of lines and the last one. */
extern int host_log_lines;
extern char host_log_last[256];

/* Runs a shell command; its exit status. */
int host_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A fresh temporary directory's path (static storage). */
const char *host_tmpdir(void);

#endif
