/* Journal recovery at mount (ext4_journal.h), for logs this code wrote
 * and logs Linux or e2fsprogs wrote (revoke records, csum v2/v3 tags,
 * 64-bit block numbers).  Three passes over the log from the journal
 * superblock's tail, as Linux's:
 *   SCAN    finds the end of the last complete transaction, checking
 *           every checksum and every tag's block number on the way, so a
 *           corrupt log is known before a single block is written;
 *   REVOKE  gathers the revoke records of the complete transactions;
 *   REPLAY  writes each tagged copy home unless a revoke record of the
 *           same or a later transaction names its block.
 * A transaction counts when its commit block is there with the expected
 * id (and checksum); a torn one at the end is left out with everything
 * after it.  Nothing read from the log is trusted: every offset is
 * checked against the block, every block number against the file
 * system, and the walk against the journal's length. */
#include "fs/ext4_journal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "dev/blk.h"
#include "fs/ext4_internal.h"
#include "fs/jbd2_format.h"

enum pass { SCAN, REVOKE, REPLAY };

struct revoke {
	uint64_t blk;
	uint32_t tid;
};

struct walk {
	struct ext4_fs *fs;
	struct ext4_journal *j;
	enum pass pass;
	uint32_t end;		/* after SCAN: the first transaction that is not complete */
	uint32_t seen;		/* log blocks this pass went over */
	bool bad_tag;		/* SCAN: the current transaction names a block outside the fs */
	bool bad_copy;		/* SCAN: one of its copies fails its checksum */
	uint8_t *desc, *copy;	/* a descriptor or revoke block, a copied block */
	struct revoke *rv;
	size_t nrv, rvcap;
};

/* Stop the walk here: what follows is not part of the log. */
#define END	1

static bool tid_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

static uint32_t tail_of(struct walk *w) { return w->j->csum ? JBD2_TAIL : 0; }

/* The next log block of the pass: -EUCLEAN when the log claims more
 * blocks than the journal has (only a corrupt one can). */
static int step(struct walk *w, uint32_t *pos)
{
	*pos = ext4_jnext(w->j, *pos);
	return ++w->seen > w->j->maxlen - w->j->first ? -EUCLEAN : 0;
}

static bool block_csum_ok(struct walk *w, const uint8_t *b, uint32_t off)
{
	return ext4_jblock_csum(w->j, b, w->fs->block_size, off) == jbd2_get32(b + off);
}

static int revoke_add(struct walk *w, uint64_t blk, uint32_t tid)
{
	if (w->nrv == w->rvcap) {
		size_t cap = w->rvcap ? w->rvcap * 2 : 256;
		struct revoke *n = kmalloc(cap * sizeof *n);
		if (!n)
			return -ENOMEM;
		if (w->nrv)
			memcpy(n, w->rv, w->nrv * sizeof *n);
		kfree(w->rv);
		w->rv = n;
		w->rvcap = cap;
	}
	w->rv[w->nrv++] = (struct revoke){ blk, tid };
	return 0;
}

/* Sorted by block, the latest transaction of a block last. */
static bool revoke_before(const struct revoke *a, const struct revoke *b)
{
	return a->blk < b->blk || (a->blk == b->blk && tid_after(b->tid, a->tid));
}

static void revoke_sort(struct walk *w)
{
	for (size_t gap = w->nrv / 2; gap; gap /= 2)
		for (size_t i = gap; i < w->nrv; i++)
			for (size_t k = i; k >= gap && revoke_before(&w->rv[k], &w->rv[k - gap]); k -= gap) {
				struct revoke t = w->rv[k];
				w->rv[k] = w->rv[k - gap];
				w->rv[k - gap] = t;
			}
}

/* A revoke record for blk in transaction tid or a later one. */
static bool revoked(struct walk *w, uint64_t blk, uint32_t tid)
{
	size_t lo = 0, hi = w->nrv;

	while (lo < hi) {	/* the first record past blk */
		size_t mid = (lo + hi) / 2;
		if (w->rv[mid].blk <= blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && w->rv[lo - 1].blk == blk && !tid_after(tid, w->rv[lo - 1].tid);
}

struct tag {
	uint64_t blk;
	uint32_t flags, csum;
};

static void tag_get(struct ext4_journal *j, const uint8_t *t, struct tag *tag)
{
	tag->blk = jbd2_get32(t);
	if (j->incompat & JBD2_INCOMPAT_CSUM_V3) {
		tag->flags = jbd2_get32(t + 4);
		tag->csum = jbd2_get32(t + 12);
	} else {
		tag->csum = jbd2_get16(t + 4);
		tag->flags = jbd2_get16(t + 6);
	}
	if (j->incompat & JBD2_INCOMPAT_64BIT)
		tag->blk |= (uint64_t)jbd2_get32(t + 8) << 32;
}

static bool copy_csum_ok(struct walk *w, const struct tag *tag, uint32_t tid)
{
	uint32_t c = ext4_jdata_csum(w->j, tid, w->copy, w->fs->block_size);

	if (w->j->incompat & JBD2_INCOMPAT_CSUM_V3)
		return c == tag->csum;
	return (c & 0xffff) == tag->csum;
}

/* One tag's copy, at log block pos. */
static int one_copy(struct walk *w, const struct tag *tag, uint32_t pos, uint32_t tid)
{
	struct ext4_fs *fs = w->fs;

	if (w->pass == SCAN) {
		if (tag->blk >= fs->blocks_count)
			w->bad_tag = true;
		else if (w->j->csum && !w->bad_copy) {
			int err = ext4_jblock_read(fs, pos, w->copy);
			if (err)
				return err;
			w->bad_copy = !copy_csum_ok(w, tag, tid);
		}
		return 0;
	}
	if (w->pass != REPLAY || revoked(w, tag->blk, tid))
		return 0;
	int err = ext4_jblock_read(fs, pos, w->copy);
	if (err)
		return err;
	if (tag->flags & JBD2_FLAG_ESCAPE)
		jbd2_put32(w->copy, JBD2_MAGIC);
	return blk_write(fs->dev, tag->blk << fs->log_block, w->copy, fs->block_size);
}

/* A descriptor block (in w->desc) at *pos and the copies after it; *pos
 * moves past them. */
static int descriptor(struct walk *w, uint32_t *pos, uint32_t tid)
{
	struct ext4_journal *j = w->j;
	uint32_t end = w->fs->block_size - tail_of(w), off = JBD2_HEADER;

	if (w->pass == SCAN && j->csum && !block_csum_ok(w, w->desc, end))
		return END;
	int err = step(w, pos);
	while (!err && off + j->tag_bytes <= end) {
		struct tag tag;
		tag_get(j, w->desc + off, &tag);
		off += j->tag_bytes + (tag.flags & JBD2_FLAG_SAME_UUID ? 0 : 16);
		err = one_copy(w, &tag, *pos, tid);
		if (!err)
			err = step(w, pos);
		if (tag.flags & JBD2_FLAG_LAST_TAG)
			break;
	}
	return err;
}

static int revoke_block(struct walk *w, uint32_t tid)
{
	uint32_t count = jbd2_get32(w->desc + JBD2_R_COUNT);
	uint32_t rsize = w->j->incompat & JBD2_INCOMPAT_64BIT ? 8 : 4;

	if (w->pass == SCAN) {
		if (w->j->csum && !block_csum_ok(w, w->desc, w->fs->block_size - JBD2_TAIL))
			return END;
		if (count < JBD2_R_FIRST || count > w->fs->block_size - tail_of(w))
			w->bad_tag = true;
		return 0;
	}
	for (uint32_t off = JBD2_R_FIRST; w->pass == REVOKE && off + rsize <= count; off += rsize) {
		uint64_t blk = rsize == 8 ? (uint64_t)jbd2_get32(w->desc + off) << 32 |
						jbd2_get32(w->desc + off + 4)
					  : jbd2_get32(w->desc + off);
		int err = revoke_add(w, blk, tid);
		if (err)
			return err;
	}
	return 0;
}

/* A commit block: END when it does not make its transaction count. */
static int commit_block(struct walk *w)
{
	if (w->pass != SCAN)
		return 0;
	if (w->j->csum && !block_csum_ok(w, w->desc, JBD2_C_CHECKSUM))
		return END;	/* torn: the transaction never committed */
	if (w->bad_tag)
		return -EUCLEAN;	/* committed, but names blocks outside the fs */
	/* A copy that fails its checksum: replayed up to the transaction
	 * before, as if this one had never committed. */
	return w->bad_copy ? END : 0;
}

/* One pass over the log; SCAN sets w->end. */
static int walk(struct walk *w, enum pass pass)
{
	struct ext4_journal *j = w->j;
	uint32_t pos = j->disk_start, tid = j->disk_seq;
	int err = 0;

	w->pass = pass;
	w->seen = 0;
	w->bad_tag = w->bad_copy = false;
	while (!err && (pass == SCAN || tid != w->end)) {
		if ((err = ext4_jblock_read(w->fs, pos, w->desc)))
			break;
		if (jbd2_get32(w->desc + JBD2_H_MAGIC) != JBD2_MAGIC || jbd2_get32(w->desc + JBD2_H_SEQ) != tid)
			break;
		switch (jbd2_get32(w->desc + JBD2_H_TYPE)) {
		case JBD2_DESCRIPTOR:
			err = descriptor(w, &pos, tid);
			break;
		case JBD2_REVOKE:
			if (!(err = revoke_block(w, tid)))
				err = step(w, &pos);
			break;
		case JBD2_COMMIT:
			if (!(err = commit_block(w))) {
				tid++;
				w->bad_tag = w->bad_copy = false;
				err = step(w, &pos);
			}
			break;
		default:
			err = END;
		}
	}
	if (pass == SCAN)
		w->end = tid;
	return err == END ? 0 : err;
}

int ext4_journal_replay(struct ext4_fs *fs, struct ext4_journal *j, uint32_t *next_tid)
{
	struct walk w = { fs, j, SCAN, 0, 0, false, false, kmalloc(fs->block_size), kmalloc(fs->block_size),
			  NULL, 0, 0 };
	int err = w.desc && w.copy ? 0 : -ENOMEM;

	w.end = j->disk_seq;
	if (!err && j->disk_start)
		err = walk(&w, SCAN);
	/* Replaying a scanned pass cannot meet -EUCLEAN: SCAN checked it all. */
	if (!err && w.end != j->disk_seq)
		err = walk(&w, REVOKE);
	if (!err && w.end != j->disk_seq) {
		revoke_sort(&w);
		err = walk(&w, REPLAY);
	}
	if (!err)
		err = blk_flush(fs->dev);
	*next_tid = w.end + 1;
	kfree(w.desc);
	kfree(w.copy);
	kfree(w.rv);
	return err;
}
