/* The block layer's private parts: blk.c (batches, completion),
 * blk_sync.c (sleeping helpers), blk_part.c (registry and partitions). */
#ifndef AMPHI_DEV_BLK_INTERNAL_H
#define AMPHI_DEV_BLK_INTERNAL_H

#include "dev/blk.h"

void blk_batches_init(void);
/* Reads d's partition table and registers what it names. */
void blk_scan_partitions(struct blk_dev *d);

#endif
