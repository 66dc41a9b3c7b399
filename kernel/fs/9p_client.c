/* 9P2000.L messages (fs/9p.h): built in the client's send buffer,
 * exchanged over the channel, and read back with every length checked
 * against what the device wrote.  A field read past the end marks the
 * reply bad, and a bad reply (or one with bytes left over) is -EIO. */
#include "fs/9p.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "dev/virtio_9p.h"
#include "fs/file.h"

enum {
	RLERROR = 7, TSTATFS = 8, TLOPEN = 12, TLCREATE = 14, TSYMLINK = 16, TMKNOD = 18,
	TREADLINK = 22, TGETATTR = 24, TSETATTR = 26, TREADDIR = 40, TFSYNC = 50, TLINK = 70,
	TMKDIR = 72, TRENAMEAT = 74, TUNLINKAT = 76, TVERSION = 100, TATTACH = 104, TWALK = 110,
	TREAD = 116, TWRITE = 118, TCLUNK = 120,
};

#define TAG		1		/* one request at a time: one tag */
#define NOTAG		0xffff
#define GETATTR_BASIC	0x7ffull	/* mode ... blocks, as Linux asks */
#define AT_REMOVEDIR	0x200
#define ERRNO_MAX	4095

/* A message being built (out) or read (in). */
struct msg {
	uint8_t *buf;
	size_t len, off;
	bool bad;
};

static void put(struct msg *m, const void *p, size_t n)
{
	if (m->off + n > m->len) {
		m->bad = true;
		return;
	}
	memcpy(m->buf + m->off, p, n);
	m->off += n;
}

static void put8(struct msg *m, uint8_t v) { put(m, &v, 1); }
static void put16(struct msg *m, uint16_t v) { put(m, &v, 2); }
static void put32(struct msg *m, uint32_t v) { put(m, &v, 4); }
static void put64(struct msg *m, uint64_t v) { put(m, &v, 8); }

static void put_str(struct msg *m, const char *s)
{
	size_t n = strlen(s);

	if (n > 0xffff) {
		m->bad = true;
		return;
	}
	put16(m, (uint16_t)n);
	put(m, s, n);
}

static void get(struct msg *m, void *p, size_t n)
{
	if (m->bad || m->off + n > m->len) {
		m->bad = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, m->buf + m->off, n);
	m->off += n;
}

static uint8_t get8(struct msg *m) { uint8_t v; get(m, &v, 1); return v; }
static uint16_t get16(struct msg *m) { uint16_t v; get(m, &v, 2); return v; }
static uint32_t get32(struct msg *m) { uint32_t v; get(m, &v, 4); return v; }
static uint64_t get64(struct msg *m) { uint64_t v; get(m, &v, 8); return v; }

static void get_qid(struct msg *m, struct p9_qid *q)
{
	q->type = get8(m);
	q->version = get32(m);
	q->path = get64(m);
}

/* A string into dst (room for size bytes with the NUL); one with a NUL
 * inside or too long is bad. */
static void get_str(struct msg *m, char *dst, size_t size)
{
	uint16_t n = get16(m);

	if (m->bad || n >= size || m->off + n > m->len || memchr(m->buf + m->off, 0, n)) {
		m->bad = true;
		dst[0] = 0;
		return;
	}
	get(m, dst, n);
	dst[n] = 0;
}

/* Starts a message of type in the send buffer.  Caller holds c->lock. */
static struct msg begin(struct p9_client *c, uint8_t type)
{
	struct msg m = { c->tx, c->msize, 0, false };

	put32(&m, 0);		/* size, set by finish */
	put8(&m, type);
	put16(&m, type == TVERSION ? NOTAG : TAG);
	return m;
}

/* Sends m and checks the reply's header: the reply to read, or an error
 * (Rlerror's, or -EIO for a malformed reply). */
static int exchange(struct p9_client *c, struct msg *m, struct msg *r)
{
	if (m->bad)
		return -ENAMETOOLONG;	/* a name that does not fit a message */
	uint32_t size = (uint32_t)m->off;
	memcpy(m->buf, &size, 4);
	uint8_t type = m->buf[4];
	long got = p9_chan_rpc(c->chan, m->buf, m->off, c->rx, c->msize);
	if (got < 0)
		return (int)got;
	*r = (struct msg){ c->rx, (size_t)got, 0, false };
	size = get32(r);
	uint8_t rtype = get8(r);
	uint16_t tag = get16(r);
	if (r->bad || size < 7 || size > (uint32_t)got || tag != (type == TVERSION ? NOTAG : TAG))
		return -EIO;
	r->len = size;
	if (rtype == RLERROR) {
		uint32_t e = get32(r);
		return r->bad || r->off != r->len || !e || e > ERRNO_MAX ? -EIO : -(int)e;
	}
	return rtype == type + 1 ? 0 : -EIO;
}

/* The end of a reply: all of it read, nothing malformed. */
static int done(const struct msg *r) { return r->bad || r->off != r->len ? -EIO : 0; }

/* Sends m, expecting a reply with a qid (or none: q NULL, or empty). */
static int call_qid(struct p9_client *c, struct msg *m, struct p9_qid *q)
{
	struct msg r;
	int err = exchange(c, m, &r);

	if (!err && q)
		get_qid(&r, q);
	err = err ? err : done(&r);
	mutex_unlock(&c->lock);
	return err;
}

uint32_t p9_fid_new(struct p9_client *c)
{
	mutex_lock(&c->lock);
	uint32_t fid = c->next_fid++;
	mutex_unlock(&c->lock);
	return fid;
}

int p9_connect(struct p9_client *c, struct p9_chan *chan)
{
	char version[16];
	struct msg r;

	c->chan = chan;
	mutex_init(&c->lock);
	c->msize = P9_MSIZE;
	c->next_fid = 0;
	c->tx = kmalloc(P9_MSIZE);
	c->rx = kmalloc(P9_MSIZE);
	if (!c->tx || !c->rx) {
		p9_disconnect(c);
		return -ENOMEM;
	}
	mutex_lock(&c->lock);
	struct msg m = begin(c, TVERSION);
	put32(&m, P9_MSIZE);
	put_str(&m, "9P2000.L");
	int err = exchange(c, &m, &r);
	uint32_t msize = err ? 0 : get32(&r);
	if (!err)
		get_str(&r, version, sizeof version);
	if (!err && (done(&r) || strcmp(version, "9P2000.L") || msize < 4096 || msize > P9_MSIZE))
		err = -EIO;	/* a server that speaks no 9P2000.L */
	c->msize = msize;
	mutex_unlock(&c->lock);
	if (err)
		p9_disconnect(c);
	return err;
}

int p9_attach(struct p9_client *c, uint32_t fid, struct p9_qid *root)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TATTACH);
	put32(&m, fid);
	put32(&m, P9_NOFID);
	put_str(&m, "root");
	put_str(&m, "");
	put32(&m, 0);	/* n_uname: root; the VFS checks who may */
	return call_qid(c, &m, root);
}

void p9_disconnect(struct p9_client *c)
{
	kfree(c->tx);
	kfree(c->rx);
	c->tx = c->rx = NULL;
}

int p9_walk(struct p9_client *c, uint32_t dir, const char *name, uint32_t newfid, struct p9_qid *q)
{
	struct msg r;

	mutex_lock(&c->lock);
	struct msg m = begin(c, TWALK);
	put32(&m, dir);
	put32(&m, newfid);
	put16(&m, name ? 1 : 0);
	if (name)
		put_str(&m, name);
	int err = exchange(c, &m, &r);
	uint16_t n = err ? 0 : get16(&r);
	if (!err && n != (name ? 1 : 0))
		err = n == 0 && name ? -ENOENT : -EIO;
	struct p9_qid got = { 0 };
	if (!err && n)
		get_qid(&r, &got);
	err = err ? err : done(&r);
	mutex_unlock(&c->lock);
	if (!err && q && name)
		*q = got;
	return err;
}

static int64_t time_ns(struct msg *r)
{
	uint64_t s = get64(r), ns = get64(r);
	return (int64_t)(s * 1000000000ull + ns);
}

int p9_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *a)
{
	struct msg r;

	mutex_lock(&c->lock);
	struct msg m = begin(c, TGETATTR);
	put32(&m, fid);
	put64(&m, GETATTR_BASIC);
	int err = exchange(c, &m, &r);
	if (!err) {
		get64(&r);	/* valid */
		get_qid(&r, &a->qid);
		a->mode = get32(&r);
		a->uid = get32(&r);
		a->gid = get32(&r);
		a->nlink = get64(&r);
		a->rdev = get64(&r);
		a->size = get64(&r);
		get64(&r);	/* blksize */
		a->blocks = get64(&r);
		a->atime_ns = time_ns(&r);
		a->mtime_ns = time_ns(&r);
		a->ctime_ns = time_ns(&r);
		for (int k = 0; k < 4; k++)
			get64(&r);	/* btime, gen, data_version */
		err = done(&r);
	}
	mutex_unlock(&c->lock);
	return err;
}

int p9_setattr(struct p9_client *c, uint32_t fid, uint32_t valid, const struct p9_attr *a)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TSETATTR);
	put32(&m, fid);
	put32(&m, valid);
	put32(&m, a->mode);
	put32(&m, a->uid);
	put32(&m, a->gid);
	put64(&m, a->size);
	put64(&m, (uint64_t)a->atime_ns / 1000000000u);
	put64(&m, (uint64_t)a->atime_ns % 1000000000u);
	put64(&m, (uint64_t)a->mtime_ns / 1000000000u);
	put64(&m, (uint64_t)a->mtime_ns % 1000000000u);
	return call_qid(c, &m, NULL);
}

/* Rlopen and Rlcreate: a qid and an iounit. */
static int call_open(struct p9_client *c, struct msg *m, struct p9_qid *q)
{
	struct msg r;
	struct p9_qid got;
	int err = exchange(c, m, &r);

	if (!err) {
		get_qid(&r, &got);
		get32(&r);	/* iounit: msize limits the pieces anyway */
		err = done(&r);
	}
	mutex_unlock(&c->lock);
	if (!err && q)
		*q = got;
	return err;
}

int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TLOPEN);
	put32(&m, fid);
	put32(&m, flags);
	return call_open(c, &m, NULL);
}

int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags, uint32_t mode,
	       uint32_t gid, struct p9_qid *q)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TLCREATE);
	put32(&m, fid);
	put_str(&m, name);
	put32(&m, flags);
	put32(&m, mode);
	put32(&m, gid);
	return call_open(c, &m, q);
}

int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode, uint32_t gid,
	     struct p9_qid *q)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TMKDIR);
	put32(&m, dfid);
	put_str(&m, name);
	put32(&m, mode);
	put32(&m, gid);
	return call_qid(c, &m, q);
}

int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode, uint32_t major,
	     uint32_t minor, uint32_t gid, struct p9_qid *q)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TMKNOD);
	put32(&m, dfid);
	put_str(&m, name);
	put32(&m, mode);
	put32(&m, major);
	put32(&m, minor);
	put32(&m, gid);
	return call_qid(c, &m, q);
}

int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target, uint32_t gid,
	       struct p9_qid *q)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TSYMLINK);
	put32(&m, dfid);
	put_str(&m, name);
	put_str(&m, target);
	put32(&m, gid);
	return call_qid(c, &m, q);
}

int p9_readlink(struct p9_client *c, uint32_t fid, char **target)
{
	struct msg r;
	char *buf = kmalloc(4096);

	if (!buf)
		return -ENOMEM;
	mutex_lock(&c->lock);
	struct msg m = begin(c, TREADLINK);
	put32(&m, fid);
	int err = exchange(c, &m, &r);
	if (!err) {
		get_str(&r, buf, 4096);
		err = done(&r);
	}
	mutex_unlock(&c->lock);
	if (err)
		kfree(buf);
	else
		*target = buf;
	return err;
}

int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TLINK);
	put32(&m, dfid);
	put32(&m, fid);
	put_str(&m, name);
	return call_qid(c, &m, NULL);
}

int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, bool dir)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TUNLINKAT);
	put32(&m, dfid);
	put_str(&m, name);
	put32(&m, dir ? AT_REMOVEDIR : 0);
	return call_qid(c, &m, NULL);
}

int p9_renameat(struct p9_client *c, uint32_t odfid, const char *oname, uint32_t ndfid,
		const char *nname)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TRENAMEAT);
	put32(&m, odfid);
	put_str(&m, oname);
	put32(&m, ndfid);
	put_str(&m, nname);
	return call_qid(c, &m, NULL);
}

int p9_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *st)
{
	struct msg r;

	mutex_lock(&c->lock);
	struct msg m = begin(c, TSTATFS);
	put32(&m, fid);
	int err = exchange(c, &m, &r);
	if (!err) {
		st->type = get32(&r);
		st->bsize = get32(&r);
		st->blocks = get64(&r);
		st->bfree = get64(&r);
		st->bavail = get64(&r);
		st->files = get64(&r);
		st->ffree = get64(&r);
		get64(&r);	/* fsid */
		st->namelen = get32(&r);
		err = done(&r);
	}
	mutex_unlock(&c->lock);
	return err;
}

int p9_fsync(struct p9_client *c, uint32_t fid, bool datasync)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TFSYNC);
	put32(&m, fid);
	put32(&m, datasync);
	return call_qid(c, &m, NULL);
}

int p9_clunk(struct p9_client *c, uint32_t fid)
{
	mutex_lock(&c->lock);
	struct msg m = begin(c, TCLUNK);
	put32(&m, fid);
	return call_qid(c, &m, NULL);
}

/* One Tread of at most n bytes at pos into b at off: the count. */
static long read_piece(struct p9_client *c, uint32_t fid, const struct iobuf *b, size_t off,
		       int64_t pos, size_t n)
{
	struct msg r;

	mutex_lock(&c->lock);
	struct msg m = begin(c, TREAD);
	put32(&m, fid);
	put64(&m, (uint64_t)pos);
	put32(&m, (uint32_t)n);
	long err = exchange(c, &m, &r);
	uint32_t count = err ? 0 : get32(&r);
	if (!err && (r.bad || count > n || r.off + count != r.len))
		err = -EIO;
	if (!err && count && iobuf_fill(b, off, r.buf + r.off, count))
		err = -EFAULT;
	mutex_unlock(&c->lock);
	return err ? err : (long)count;
}

static long write_piece(struct p9_client *c, uint32_t fid, const struct iobuf *b, size_t off,
			int64_t pos, size_t n)
{
	struct msg r;

	mutex_lock(&c->lock);
	struct msg m = begin(c, TWRITE);
	put32(&m, fid);
	put64(&m, (uint64_t)pos);
	put32(&m, (uint32_t)n);
	long err = iobuf_drain(b, off, m.buf + m.off, n) ? -EFAULT : 0;
	m.off += n;
	if (!err)
		err = exchange(c, &m, &r);
	uint32_t count = err ? 0 : get32(&r);
	if (!err && (done(&r) || count > n))
		err = -EIO;
	mutex_unlock(&c->lock);
	return err ? err : (long)count;
}

typedef long piece_fn(struct p9_client *c, uint32_t fid, const struct iobuf *b, size_t off,
		      int64_t pos, size_t n);

/* All of b in pieces a message holds: stops at the end of the file (a
 * short read) or at a write the host took nothing of; an error after some
 * bytes moved gives the bytes. */
static long in_pieces(struct p9_client *c, uint32_t fid, const struct iobuf *b, int64_t pos,
		      piece_fn *piece, bool reading)
{
	size_t moved = 0, room = c->msize - P9_IOHDR;

	while (moved < b->len) {
		size_t n = b->len - moved < room ? b->len - moved : room;
		long got = piece(c, fid, b, moved, pos + (int64_t)moved, n);
		if (got < 0)
			return moved ? (long)moved : got;
		moved += (size_t)got;
		if (reading ? (size_t)got < n : !got)
			break;
	}
	return (long)moved;
}

long p9_read(struct p9_client *c, uint32_t fid, const struct iobuf *b, int64_t pos)
{
	return in_pieces(c, fid, b, pos, read_piece, true);
}

long p9_write(struct p9_client *c, uint32_t fid, const struct iobuf *b, int64_t pos)
{
	return in_pieces(c, fid, b, pos, write_piece, false);
}

/* One Rreaddir's entries, copied out of the shared buffer so fn may make
 * calls of its own. */
static int readdir_chunk(struct p9_client *c, uint32_t fid, uint64_t *offset, uint8_t *chunk,
			 uint32_t *len)
{
	struct msg r;

	mutex_lock(&c->lock);
	struct msg m = begin(c, TREADDIR);
	put32(&m, fid);
	put64(&m, *offset);
	put32(&m, c->msize - P9_IOHDR);
	int err = exchange(c, &m, &r);
	uint32_t count = err ? 0 : get32(&r);
	if (!err && (r.bad || count > c->msize - P9_IOHDR || r.off + count != r.len))
		err = -EIO;
	if (!err)
		memcpy(chunk, r.buf + r.off, count);
	mutex_unlock(&c->lock);
	*len = count;
	return err;
}

/* A server that goes round in circles must not keep a listing (and the
 * VFS lock its caller holds) going for ever.  The offsets the chunks
 * start at are watched with Brent's cycle finding: an offset met again is
 * a cycle, seen within twice its length plus the way into it, in constant
 * memory.  A server that never repeats an offset but never ends is
 * stopped by the caller's bound on entries. */
struct circles {
	uint64_t saved, steps, power;
};

static bool came_round(struct circles *c, uint64_t start)
{
	if (start == c->saved)
		return true;
	if (++c->steps == c->power) {
		c->saved = start;
		c->power *= 2;
		c->steps = 0;
	}
	return false;
}

int p9_readdir(struct p9_client *c, uint32_t fid, uint64_t max_entries,
	       int (*fn)(void *arg, const struct p9_dirent *d), void *arg)
{
	uint8_t *chunk = kmalloc(c->msize);
	struct p9_dirent *d = kmalloc(sizeof *d);
	struct circles seen = { .saved = 0, .power = 1 };
	uint64_t offset = 0, entries = 0;
	uint32_t len;
	int err = chunk && d ? 0 : -ENOMEM;

	while (!err && !(err = readdir_chunk(c, fid, &offset, chunk, &len)) && len) {
		struct msg e = { chunk, len, 0, false };
		while (!err && e.off < e.len) {
			get_qid(&e, &d->qid);
			d->offset = get64(&e);
			d->type = get8(&e);
			get_str(&e, d->name, sizeof d->name);
			err = e.bad || ++entries > max_entries ? -EIO : fn(arg, d);
			offset = d->offset;
		}
		if (!err && came_round(&seen, offset))
			err = -EIO;
	}
	kfree(chunk);
	kfree(d);
	return err;
}
