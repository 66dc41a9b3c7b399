/* Host stand-ins for the kernel functions the ext4 core and the buffer
 * cache call (ext4_host.h). */
#include "ext4_host.h"

#include "core/page_alloc.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct host_dev {
	struct blk_dev dev;
	int fd;
};

static uint64_t *reads;
static size_t nreads, reads_cap;
int host_log_lines;
char host_log_last[256];

void *kmalloc(size_t size) { return calloc(1, size); }
void kfree(void *p) { free(p); }
void *page_alloc_virt_uninit(size_t n) { return aligned_alloc(4096, n * 4096); }
void page_free_virt(void *va, size_t n) { (void)n; free(va); }

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(host_log_last, sizeof host_log_last, fmt, ap);
	va_end(ap);
	host_log_lines++;
	if (getenv("EXT4_TEST_VERBOSE"))
		fputs(host_log_last, stderr);
}

bool host_volatile_cache;

/* The writes since the last flush, each with what it overwrote. */
struct unflushed {
	struct unflushed *next;
	int fd;
	uint64_t off;
	size_t len;
	uint8_t old[];
};
static struct unflushed *unflushed;	/* newest first */

static void remember(int fd, uint64_t off, size_t len)
{
	struct unflushed *u = malloc(sizeof *u + len);

	u->fd = fd, u->off = off, u->len = len;
	if (pread(fd, u->old, len, (off_t)off) != (ssize_t)len)
		abort();
	u->next = unflushed;
	unflushed = u;
}

static void forget_unflushed(bool undo)
{
	while (unflushed) {
		struct unflushed *u = unflushed;
		if (undo && pwrite(u->fd, u->old, u->len, (off_t)u->off) != (ssize_t)u->len)
			abort();
		unflushed = u->next;
		free(u);
	}
}

/* The power went: of the unflushed writes only the newest reached the
 * disk.  Undone newest-first but one, so overlapping writes come out as
 * they were before the oldest. */
static void power_cut(void)
{
	if (!host_volatile_cache || !unflushed)
		return;
	struct unflushed *newest = unflushed;
	unflushed = newest->next;
	forget_unflushed(true);
	free(newest);
}

struct blk_dev *host_dev_open(const char *path)
{
	struct host_dev *h = calloc(1, sizeof *h);
	struct stat st;

	h->fd = open(path, O_RDWR);
	if (h->fd < 0 || fstat(h->fd, &st)) {
		free(h);
		return NULL;
	}
	snprintf(h->dev.name, sizeof h->dev.name, "img");
	h->dev.sector_size = 512;
	h->dev.nsectors = (uint64_t)st.st_size / 512;
	return &h->dev;
}

void host_dev_close(struct blk_dev *d)
{
	struct host_dev *h = (struct host_dev *)d;
	forget_unflushed(false);
	close(h->fd);
	free(h);
}

void host_reads_reset(void) { nreads = 0; }

size_t host_reads(uint64_t **offs)
{
	*offs = reads;
	return nreads;
}

static int check(struct blk_dev *d, uint64_t off, size_t len)
{
	if (off % d->sector_size || len % d->sector_size || off + len > blk_bytes(d) || off + len < off) {
		fprintf(stderr, "bad block request: %llu + %zu\n", (unsigned long long)off, len);
		abort();	/* the layer above must never ask this */
	}
	return 0;
}

int blk_read(struct blk_dev *d, uint64_t off, void *buf, size_t len)
{
	struct host_dev *h = (struct host_dev *)d;

	check(d, off, len);
	if (nreads == reads_cap) {
		reads_cap = reads_cap ? reads_cap * 2 : 1024;
		reads = realloc(reads, reads_cap * sizeof *reads);
	}
	reads[nreads++] = off;
	return pread(h->fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -5;
}

long host_write_budget = -1;
bool host_write_error;
size_t host_nwrites;
void (*host_write_seen)(uint64_t off, const void *buf, size_t len);
int blk_write(struct blk_dev *d, uint64_t off, const void *buf, size_t len)
{
	struct host_dev *h = (struct host_dev *)d;

	check(d, off, len);
	host_nwrites++;
	if (host_write_seen)
		host_write_seen(off, buf, len);
	if (host_write_error)
		return -5;
	if (host_write_budget == 0)
		return 0;	/* lost: the power went */
	if (host_volatile_cache)
		remember(h->fd, off, len);
	int err = pwrite(h->fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -5;
	if (host_write_budget > 0 && --host_write_budget == 0)
		power_cut();
	return err;
}

/* One write after another: a power cut may fall between any two. */
int blk_write_pieces(struct blk_dev *d, const struct blk_piece *p, unsigned n)
{
	int err = 0;

	for (unsigned k = 0; k < n && !err; k++)
		err = blk_write(d, p[k].off, p[k].buf, p[k].len);
	return err;
}

void host_power_cut(void)
{
	if (host_write_budget != 0) {
		host_write_budget = 0;
		power_cut();
	}
}

int blk_flush(struct blk_dev *d)
{
	(void)d;
	forget_unflushed(false);
	return 0;
}

int host_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *host_tmpdir(void)
{
	static char dir[64];

	snprintf(dir, sizeof dir, "/tmp/ext4test.XXXXXX");
	return mkdtemp(dir);
}
