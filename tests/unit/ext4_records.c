/* test_ext4's directory-record half: ext4_dir_room_in on blocks whose
 * records do not chain (a corrupt disk can get such a block past the
 * directory checks when it names the block as a bitmap too).  It must
 * find no room rather than loop on a length of 0 or hand out a record
 * past the block (ASan watches the block's end). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "test_ext4.h"
#include "fs/ext4_dir.h"

#define BS 4096

static void record(uint8_t *b, uint32_t off, uint32_t ino, uint16_t rec_len, uint8_t name_len)
{
	struct ext4_dirent *d = (void *)(b + off);

	d->inode = ino;
	d->rec_len = rec_len;
	d->name_len = name_len;
	d->file_type = 1;
	memset(d->name, 'a', name_len);
}

void dir_records_that_do_not_chain(void **state)
{
	struct ext4_fs fs = { .block_size = BS, .log_block = 12 };
	uint8_t *b = calloc(1, BS);
	uint32_t off = 0;

	(void)state;
	assert_non_null(b);
	/* Full records up to 4088, then one whose length runs past the end:
	 * its slack would be split off at 4096. */
	for (; off + 264 <= BS - 136; off += 264)
		record(b, off, 2, 264, 255);
	record(b, off, 2, (uint16_t)(BS - 8 - off), (uint8_t)(BS - 8 - off - 8));
	record(b, BS - 8, 2, 300, 0);
	assert_null(ext4_dir_room_in(&fs, b, ext4_rec_need(255)));

	/* A name longer than its record. */
	memset(b, 0, BS);
	record(b, 0, 2, 12, 200);
	record(b, 12, 0, BS - 12, 0);
	assert_null(ext4_dir_room_in(&fs, b, ext4_rec_need(1)));

	/* A record of length 0 after a full one. */
	memset(b, 0, BS);
	record(b, 0, 2, 12, 1);
	assert_null(ext4_dir_room_in(&fs, b, ext4_rec_need(1)));
	free(b);
}
