/* The jbd2 journal, written in ordered mode (ext4_journal.h; the design
 * and its ordering argument are in docs/storage.md, "The journal").
 *
 * A transaction is everything changed between two commits; fs->lock is
 * held across a commit and around every operation, so it holds whole
 * operations only.  A commit:
 *   1. file data first (fs->write_data): metadata never reaches the log
 *      before the data it points at;
 *   2. the blocks freed since the last commit become free, and the
 *      superblock and changed descriptor blocks go into their buffers;
 *   3. a descriptor block and a copy of every dirty buffer into the log
 *      at head, flush; the commit block, flush: from here a crash replays
 *      the transaction;
 *   4. checkpoint: every dirty buffer to its home, not flushed.
 * The home copies need no flush of their own: until the journal
 * superblock's tail (s_start, s_sequence) moves past a transaction, a
 * crash replays it over whatever of its home writes got lost, and the
 * next commit's first flush makes them durable anyway.  So an fsync costs
 * two flushes, as on Linux.  The tail is moved up to head (a flush for the
 * home copies, then the superblock and a flush) only when the next
 * transaction would overwrite the log that superblock still points at,
 * or when this one freed blocks (see commit_log).  No revoke records are
 * written: a replay only ever writes blocks whose newest copy is in the
 * log. */
#include "fs/ext4_journal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "crc32c.h"
#include "dev/blk.h"
#include "fs/bcache.h"
#include "fs/ext4_internal.h"
#include "fs/jbd2_format.h"

#define WRITE_BYTES	65536	/* log blocks gathered into one request */
#define MAX_TXN		4096	/* dirty blocks that start a commit, at most (memory) */
#define INCOMPAT_READ	(JBD2_INCOMPAT_REVOKE | JBD2_INCOMPAT_64BIT | JBD2_INCOMPAT_ASYNC_COMMIT | \
			 JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3 | JBD2_INCOMPAT_FAST_COMMIT)

int ext4_jblock_read(struct ext4_fs *fs, uint32_t n, void *buf)
{
	return blk_read(fs->dev, fs->journal->map[n] << fs->log_block, buf, fs->block_size);
}

static int jblock_write(struct ext4_fs *fs, uint32_t n, const void *buf, uint32_t count)
{
	return blk_write(fs->dev, fs->journal->map[n] << fs->log_block, buf, (size_t)count << fs->log_block);
}

uint32_t ext4_jnext(struct ext4_journal *j, uint32_t n) { return n + 1 < j->maxlen ? n + 1 : j->first; }

uint32_t ext4_jtag_bytes(uint32_t incompat)
{
	if (incompat & JBD2_INCOMPAT_CSUM_V3)
		return 16;
	uint32_t sz = 12 + (incompat & JBD2_INCOMPAT_CSUM_V2 ? 2 : 0);
	return incompat & JBD2_INCOMPAT_64BIT ? sz : sz - 4;
}

uint32_t ext4_jblock_csum(struct ext4_journal *j, const uint8_t *b, uint32_t size, uint32_t off)
{
	static const uint8_t zero[4];
	uint32_t c = crc32c(j->csum_seed, b, off);

	c = crc32c(c, zero, 4);
	return crc32c(c, b + off + 4, size - off - 4);
}

uint32_t ext4_jdata_csum(struct ext4_journal *j, uint32_t tid, const uint8_t *b, uint32_t size)
{
	uint8_t seq[4];

	jbd2_put32(seq, tid);
	return crc32c(crc32c(j->csum_seed, seq, 4), b, size);
}

/* The superblock's own checksum: seeded with ~0, not the uuid's. */
static uint32_t super_csum(const uint8_t *sb)
{
	static const uint8_t zero[4];
	uint32_t c = crc32c(~0u, sb, JBD2_S_CHECKSUM);

	c = crc32c(c, zero, 4);
	return crc32c(c, sb + JBD2_S_CHECKSUM + 4, JBD2_SUPER_SIZE - JBD2_S_CHECKSUM - 4);
}

static uint32_t capacity(struct ext4_journal *j) { return j->maxlen - j->first; }

/* ---- mount ---------------------------------------------------------------- */

/* The journal inode's blocks, one by one, each inside the file system. */
static const char *map_blocks(struct ext4_fs *fs, struct ext4_journal *j, struct ext4_inode *ei)
{
	if (!(j->map = kmalloc((size_t)j->maxlen * sizeof *j->map)))
		return "";
	for (uint32_t l = 0; l < j->maxlen;) {
		uint64_t pblk, run;
		if (ext4_map(fs, ei, l, &pblk, &run) || !pblk)
			return "a hole in the journal inode";
		for (uint64_t k = 0; k < run && l < j->maxlen; k++, l++) {
			if (!ext4_block_ok(fs, pblk + k))
				return "a journal block outside the file system";
			j->map[l] = pblk + k;
		}
	}
	return NULL;
}

/* Reads and checks the journal superblock: NULL, or what is wrong ("" for
 * no memory or a failed read). */
static const char *load(struct ext4_fs *fs, struct ext4_journal *j)
{
	struct ext4_inode ei;
	uint64_t pblk, run;

	if (!ext4_ino_ok(fs, fs->sb.s_journal_inum) || ext4_inode_read(fs, fs->sb.s_journal_inum, &ei))
		return "bad journal inode";
	uint64_t nblocks = ei.size >> fs->log_block;
	if (nblocks < 4 || nblocks > (1u << 30) || ext4_map(fs, &ei, 0, &pblk, &run) || !ext4_block_ok(fs, pblk))
		return "bad journal inode";
	if (!(j->sb = kmalloc(fs->block_size)) ||
	    blk_read(fs->dev, pblk << fs->log_block, j->sb, fs->block_size))
		return "";
	const uint8_t *s = j->sb;
	uint32_t type = jbd2_get32(s + JBD2_H_TYPE);
	if (jbd2_get32(s + JBD2_H_MAGIC) != JBD2_MAGIC || (type != JBD2_SUPER_V1 && type != JBD2_SUPER_V2))
		return "bad journal superblock magic";
	j->maxlen = jbd2_get32(s + JBD2_S_MAXLEN);
	j->first = jbd2_get32(s + JBD2_S_FIRST);
	j->disk_start = jbd2_get32(s + JBD2_S_START);
	j->disk_seq = jbd2_get32(s + JBD2_S_SEQUENCE);
	j->incompat = type == JBD2_SUPER_V2 ? jbd2_get32(s + JBD2_S_INCOMPAT) : 0;
	if (jbd2_get32(s + JBD2_S_BLOCKSIZE) != fs->block_size || j->maxlen > nblocks || j->first < 1 ||
	    j->first + 2 >= j->maxlen || (j->disk_start && (j->disk_start < j->first || j->disk_start >= j->maxlen)))
		return "bad journal geometry";
	if (j->incompat & ~INCOMPAT_READ)
		return "unknown journal features";
	j->csum = j->incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3);
	if (j->csum && (s[JBD2_S_CSUM_TYPE] != JBD2_CRC32C || super_csum(s) != jbd2_get32(s + JBD2_S_CHECKSUM)))
		return "journal superblock checksum mismatch";
	j->csum_seed = crc32c(~0u, s + JBD2_S_UUID, 16);
	j->tag_bytes = ext4_jtag_bytes(j->incompat);
	return map_blocks(fs, j, &ei);
}

/* The journal superblock as j says (tail, features), to the disk and
 * flushed: what it points at is durable from then on.  The caller has
 * made durable what the old tail covered (see move_tail). */
static int write_super(struct ext4_fs *fs, struct ext4_journal *j, uint32_t start, uint32_t seq)
{
	uint8_t *s = j->sb;

	jbd2_put32(s + JBD2_H_TYPE, JBD2_SUPER_V2);
	jbd2_put32(s + JBD2_S_START, start);
	jbd2_put32(s + JBD2_S_SEQUENCE, seq);
	jbd2_put32(s + JBD2_S_COMPAT, 0);
	jbd2_put32(s + JBD2_S_INCOMPAT, j->incompat);
	jbd2_put32(s + JBD2_S_RO_COMPAT, 0);
	if (j->csum) {
		s[JBD2_S_CSUM_TYPE] = JBD2_CRC32C;
		jbd2_put32(s + JBD2_S_CHECKSUM, super_csum(s));
	}
	int err = jblock_write(fs, 0, s, 1);
	if (!err)
		err = blk_flush(fs->dev);
	if (!err)
		j->disk_start = start, j->disk_seq = seq;
	return err;
}

/* The log from the old tail up to head leaves the replay's reach: the
 * checkpoint's home copies of it are flushed first.  start is head, or 0
 * for an empty log. */
static int move_tail(struct ext4_fs *fs, struct ext4_journal *j, uint32_t start)
{
	int err = blk_flush(fs->dev);

	return err ? err : write_super(fs, j, start, j->tid);
}

/* The features written: what this code needs and no more (the log is
 * empty, so dropping a feature such as revoke or fast_commit is safe). */
static void choose_features(struct ext4_fs *fs, struct ext4_journal *j)
{
	j->incompat = 0;
	if ((fs->incompat & EXT4_INCOMPAT_64BIT) || fs->blocks_count >> 32)
		j->incompat |= JBD2_INCOMPAT_64BIT;
	if (fs->csum)
		j->incompat |= JBD2_INCOMPAT_CSUM_V3;
	j->csum = fs->csum;
	j->tag_bytes = ext4_jtag_bytes(j->incompat);
}

/* The superblock as read, but with needs_recovery cleared, straight to the
 * disk: nothing of the file system was cached from it yet that counts
 * (the caller reads everything again). */
static int clear_recover(struct ext4_fs *fs)
{
	fs->sb.s_feature_incompat &= ~(uint32_t)EXT4_INCOMPAT_RECOVER;
	uint32_t ss = fs->dev->sector_size, len = ss > 2048 ? ss : 2048;
	uint8_t *b = kmalloc(len);
	if (!b)
		return -ENOMEM;
	int err = blk_read(fs->dev, 0, b, len);
	if (!err) {
		struct ext4_super_disk *s = (struct ext4_super_disk *)(b + EXT4_SUPER_OFFSET);
		s->s_feature_incompat &= ~(uint32_t)EXT4_INCOMPAT_RECOVER;
		if (fs->csum)
			s->s_checksum = crc32c(~0u, s, __builtin_offsetof(struct ext4_super_disk, s_checksum));
		err = blk_write(fs->dev, 0, b, len);
	}
	kfree(b);
	return err ? err : blk_flush(fs->dev);
}

/* Replays the log, empties it, clears needs_recovery: -EAGAIN when done
 * (read the file system again), or the error. */
static int recover(struct ext4_fs *fs, struct ext4_journal *j)
{
	const char *name = fs->dev->name;
	uint32_t next;

	if (j->incompat & JBD2_INCOMPAT_FAST_COMMIT) {
		printk("ext4: %s: the journal has fast commits to replay, which is not implemented: not mounted\n",
		       name);
		return -EINVAL;
	}
	int err = ext4_journal_replay(fs, j, &next);
	if (err == -EUCLEAN) {
		printk("ext4: %s: the journal is corrupt, not replayed (run e2fsck): mounted read-only\n", name);
		fs->read_only = true;
		return 0;
	}
	if (!err)
		err = write_super(fs, j, 0, next);
	if (!err)
		err = clear_recover(fs);
	if (err)
		return err;
	printk("ext4: %s: journal replayed\n", name);
	return -EAGAIN;
}

/* A read-write mount: an empty log with our features, needs_recovery set
 * on the disk before the first transaction can reach it. */
static int start_writing(struct ext4_fs *fs, struct ext4_journal *j)
{
	/* s_sequence + 1, as Linux: no stale block of the log can carry it. */
	j->tid = j->disk_seq + 1;
	j->head = j->first;
	choose_features(fs, j);
	int err = write_super(fs, j, 0, j->tid);
	if (err)
		return err;
	fs->sb.s_feature_incompat |= EXT4_INCOMPAT_RECOVER;
	return ext4_super_write(fs);
}

int ext4_journal_open(struct ext4_fs *fs)
{
	const char *name = fs->dev->name;
	bool recovery = fs->incompat & EXT4_INCOMPAT_RECOVER;

	if (fs->read_only && fs->dev->read_only) {
		if (recovery)
			printk("ext4: %s: the journal needs recovery, not replayed on a read-only device: "
			       "mounted read-only\n", name);
		return 0;
	}
	if (fs->read_only && !recovery)
		return 0;
	if (!fs->sb.s_journal_inum) {
		printk("ext4: %s: external journal: mounted read-only\n", name);
		fs->read_only = true;
		return 0;
	}
	struct ext4_journal *j = kmalloc(sizeof *j);
	if (!j)
		return -ENOMEM;
	fs->journal = j;
	const char *why = load(fs, j);
	if (why && !*why)
		return -EIO;
	if (why) {
		printk("ext4: %s: %s: mounted read-only\n", name, why);
		fs->read_only = true;
		ext4_journal_free(fs);
		return 0;
	}
	int err = 0;
	if (recovery)
		err = recover(fs, j);
	/* A log with no needs_recovery is stale (Linux wipes it too). */
	if (!err && !fs->read_only)
		err = start_writing(fs, j);
	if (err || fs->read_only)
		ext4_journal_free(fs);
	return err;
}

void ext4_journal_free(struct ext4_fs *fs)
{
	struct ext4_journal *j = fs->journal;

	if (!j)
		return;
	kfree(j->map);
	kfree(j->sb);
	kfree(j);
	fs->journal = NULL;
}

int ext4_journal_close(struct ext4_fs *fs)
{
	struct ext4_journal *j = fs->journal;
	int err = move_tail(fs, j, 0);

	if (err)
		return err;
	fs->sb.s_feature_incompat &= ~(uint32_t)EXT4_INCOMPAT_RECOVER;
	return ext4_super_write(fs);
}

/* ---- commit --------------------------------------------------------------- */

/* Log blocks gathered in memory and written in as few requests as the
 * journal's layout on the disk allows. */
struct logw {
	struct ext4_fs *fs;
	struct ext4_journal *j;
	uint8_t *buf;
	uint32_t cap, n;	/* blocks buf holds, and has */
	uint32_t pos0, pos;	/* the log block of buf's first, and of the next */
	int err;
};

static void logw_flush(struct logw *w)
{
	if (w->n && !w->err)
		w->err = jblock_write(w->fs, w->pos0, w->buf, w->n);
	w->n = 0;
}

/* The buffer for the next log block (physically after the previous one
 * in buf, else buf is written first). */
static uint8_t *logw_next(struct logw *w)
{
	uint64_t *map = w->j->map;

	if (w->n == w->cap || (w->n && map[w->pos] != map[w->pos0] + w->n))
		logw_flush(w);
	if (!w->n)
		w->pos0 = w->pos;
	w->pos = ext4_jnext(w->j, w->pos);
	uint8_t *b = w->buf + ((size_t)w->n++ << w->fs->log_block);
	memset(b, 0, w->fs->block_size);
	return b;
}

static void header(uint8_t *b, uint32_t type, uint32_t tid)
{
	jbd2_put32(b + JBD2_H_MAGIC, JBD2_MAGIC);
	jbd2_put32(b + JBD2_H_TYPE, type);
	jbd2_put32(b + JBD2_H_SEQ, tid);
}

static uint32_t tags_per_block(struct ext4_fs *fs, struct ext4_journal *j)
{
	return (fs->block_size - JBD2_HEADER - 16 - (j->csum ? JBD2_TAIL : 0)) / j->tag_bytes;
}

static void tag_put(struct ext4_journal *j, uint8_t *t, uint64_t blk, uint32_t flags, uint32_t csum)
{
	jbd2_put32(t, (uint32_t)blk);
	if (j->incompat & JBD2_INCOMPAT_CSUM_V3) {
		jbd2_put32(t + 4, flags);
		jbd2_put32(t + 8, (uint32_t)(blk >> 32));
		jbd2_put32(t + 12, csum);
		return;
	}
	jbd2_put16(t + 6, (uint16_t)flags);
	if (j->incompat & JBD2_INCOMPAT_64BIT)
		jbd2_put32(t + 8, (uint32_t)(blk >> 32));
}

/* A block that starts with the journal's magic would read as a journal
 * block: the log holds it with those bytes zeroed, its tag says so. */
static bool escaped(const uint8_t *data) { return jbd2_get32(data) == JBD2_MAGIC; }

/* ext4_jdata_csum of the block as its copy lies in the log. */
static uint32_t copy_csum(struct ext4_journal *j, const uint8_t *data, uint32_t bs, bool escape)
{
	static const uint8_t zero[4];
	uint8_t seq[4];

	jbd2_put32(seq, j->tid);
	uint32_t c = crc32c(crc32c(j->csum_seed, seq, 4), escape ? zero : data, 4);
	return crc32c(c, data + 4, bs - 4);
}

/* One descriptor block and the copies of bufs[0..n) after it. */
static void log_group(struct logw *w, struct buf **bufs, uint32_t n)
{
	struct ext4_journal *j = w->j;
	uint32_t bs = w->fs->block_size;
	uint8_t *d = logw_next(w);
	uint8_t *t = d + JBD2_HEADER;

	header(d, JBD2_DESCRIPTOR, j->tid);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t flags = (k ? JBD2_FLAG_SAME_UUID : 0) | (k == n - 1 ? JBD2_FLAG_LAST_TAG : 0);
		uint32_t csum = 0;
		if (escaped(bufs[k]->data))
			flags |= JBD2_FLAG_ESCAPE;
		if (j->csum)
			csum = copy_csum(j, bufs[k]->data, bs, flags & JBD2_FLAG_ESCAPE);
		tag_put(j, t, bufs[k]->blk, flags, csum);
		t += j->tag_bytes;
		if (!k) {
			memcpy(t, j->sb + JBD2_S_UUID, 16);
			t += 16;
		}
	}
	if (j->csum)
		jbd2_put32(d + bs - JBD2_TAIL, ext4_jblock_csum(j, d, bs, bs - JBD2_TAIL));
	for (uint32_t k = 0; k < n; k++) {
		uint8_t *c = logw_next(w);
		memcpy(c, bufs[k]->data, bs);
		if (escaped(c))
			memset(c, 0, 4);
	}
}

/* Log blocks a transaction of n buffers takes. */
static uint32_t log_blocks(struct ext4_fs *fs, struct ext4_journal *j, uint32_t n)
{
	uint32_t per = tags_per_block(fs, j);
	return n + (n + per - 1) / per + 1;
}

/* The transaction into the log at head: descriptors and copies, flush,
 * commit block, flush.  After it returns 0 a crash replays it. */
static int write_log(struct ext4_fs *fs, struct ext4_journal *j, struct buf **bufs, uint32_t n)
{
	uint32_t per = tags_per_block(fs, j), bs = fs->block_size;
	uint32_t cap = WRITE_BYTES / bs ? WRITE_BYTES / bs : 1;
	struct logw w = { fs, j, kmalloc((size_t)cap * bs), cap, 0, j->head, j->head, 0 };

	if (!w.buf)
		return -ENOMEM;
	for (uint32_t k = 0; k < n; k += per)
		log_group(&w, bufs + k, n - k < per ? n - k : per);
	logw_flush(&w);
	/* The copies are on the disk before the block that makes them count. */
	if (!w.err)
		w.err = blk_flush(fs->dev);
	uint8_t *c = logw_next(&w);
	header(c, JBD2_COMMIT, j->tid);
	if (j->csum)
		jbd2_put32(c + JBD2_C_CHECKSUM, ext4_jblock_csum(j, c, bs, JBD2_C_CHECKSUM));
	logw_flush(&w);
	if (!w.err)
		w.err = blk_flush(fs->dev);
	kfree(w.buf);
	if (!w.err)
		j->head = w.pos;
	return w.err;
}

/* Whether n more log blocks fit after head without overwriting the log
 * the journal superblock on the disk still points at. */
static bool fits(struct ext4_journal *j, uint32_t n)
{
	if (!j->disk_start)
		return false;	/* an empty log: it must point at head first */
	uint32_t cap = capacity(j);
	uint32_t used = (j->head + cap - j->disk_start) % cap;
	return used + n < cap;
}

/* A transaction too large for the log: written home the old way, the
 * superblock marked not clean around it.  The log is emptied first, so
 * no older copy can be replayed over what this writes. */
static int commit_unjournaled(struct ext4_fs *fs, struct ext4_journal *j)
{
	int err = move_tail(fs, j, 0);

	if (!err)
		err = ext4_fs_writeback(fs);
	return err;
}

/* Steps 3 and 4 of a commit (the file's head comment), over whatever is
 * dirty now.  freed: the transaction freed blocks. */
static int commit_log(struct ext4_fs *fs, struct ext4_journal *j, bool freed)
{
	unsigned n = bcache_dirty_count(fs->bc);
	struct buf **bufs = n ? kmalloc(n * sizeof *bufs) : NULL;

	if (!n)	/* data went to the device at write(): fsync still means durable */
		return blk_flush(fs->dev);
	if (!bufs)
		return -ENOMEM;
	n = bcache_dirty_get(fs->bc, bufs, n);
	uint32_t need = log_blocks(fs, j, n);
	int err = 0;
	if (need + 1 >= capacity(j))
		err = commit_unjournaled(fs, j);
	else {
		if (!fits(j, need))
			err = move_tail(fs, j, j->head);
		if (!err)
			err = write_log(fs, j, bufs, n);
		if (!err)
			j->tid++;
	}
	for (unsigned k = 0; k < n; k++)
		bcache_put(bufs[k]);
	kfree(bufs);
	if (!err)
		err = bcache_write_back(fs->bc);
	/* The freed blocks may be handed out as soon as the lock drops, and a
	 * file's data written into them at once.  An older transaction still
	 * in the log may hold a copy of one of them (an extent block, a
	 * directory block) that a replay would write over that data: so the
	 * log is emptied, now that everything in it is home. */
	if (!err && freed && j->disk_start != 0)
		err = move_tail(fs, j, j->head);
	return err;
}

int ext4_journal_commit(struct ext4_fs *fs)
{
	struct ext4_journal *j = fs->journal;

	if (fs->failed)
		return -EIO;
	if (fs->read_only)
		return 0;
	bool freed = fs->nfreed;
	int err = fs->write_data ? fs->write_data(fs->write_data_arg) : 0;
	if (!err)
		err = ext4_freed_release(fs);
	if (!err)
		err = ext4_super_stage(fs);
	if (!err)
		err = commit_log(fs, j, freed);
	if (err) {
		/* As Linux's errors=remount-ro: the log keeps the last good
		 * commit, and nothing more is written. */
		printk("ext4: %s: journal commit failed (%d): the file system is read-only now\n",
		       fs->dev->name, err);
		fs->failed = fs->read_only = true;
		return -EIO;
	}
	return 0;
}

int ext4_journal_room(struct ext4_fs *fs)
{
	struct ext4_journal *j = fs->journal;

	if (!j || fs->read_only)
		return 0;
	uint64_t dirty = bcache_dirty_count(fs->bc) + fs->gdt_blocks + 1 +
			 (fs->nfreed < fs->ngroups ? fs->nfreed : fs->ngroups);
	uint32_t limit = capacity(j) / 4 < MAX_TXN ? capacity(j) / 4 : MAX_TXN;
	return dirty < limit ? 0 : ext4_journal_commit(fs);
}

/* Freed blocks stay taken until the commit (ext4_block_free), and nothing
 * else commits for up to 5 s: a file rewritten and truncated in a loop
 * would run out of space on an almost empty disk.  So a full disk with
 * blocks waiting for a commit commits, as Linux's ext4_should_retry_alloc
 * waits for the running transaction. */
bool ext4_retry_alloc(struct ext4_fs *fs, int err)
{
	if (err != -ENOSPC || !fs->journal || !fs->nfreed || fs->read_only)
		return false;
	return ext4_journal_commit(fs) == 0;
}
