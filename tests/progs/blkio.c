/* Raw block device I/O for tests/vm/test_disk.py.  Each argument is one
 * step, done in order, each printing one line:
 *
 *   sum:DEV:OFF:LEN      CRC-32 of LEN bytes at OFF (pread)
 *   read:DEV:OFF:LEN     the same through lseek + read in odd-sized pieces
 *   write:DEV:OFF:LEN:SEED  writes pattern(SEED) at OFF (pwrite), then fsync
 *   info:DEV             BLKGETSIZE64, BLKGETSIZE, BLKSSZGET, BLKPBSZGET,
 *                        BLKROGET and lseek(SEEK_END)
 *   openrw:DEV           open(O_RDWR): "ok" or the errno's name
 *   discard:DEV:OFF:LEN  BLKDISCARD, then the CRC-32 of the range
 *
 * pattern(seed)[i] = (i * 131 + seed + i / 4099) & 0xff, i from the write's
 * start.  Failures print "FAIL ..." and the exit status is 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define BLKROGET	0x125e
#define BLKGETSIZE	0x1260
#define BLKSSZGET	0x1268
#define BLKDISCARD	0x1277
#define BLKPBSZGET	0x127b
#define BLKGETSIZE64	0x80081272

static int failed;

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static const char *ename(int e)
{
	switch (e) {
	case EROFS: return "EROFS";
	case EACCES: return "EACCES";
	case ENXIO: return "ENXIO";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "E?";
	}
}

static void fail(const char *what, const char *dev)
{
	printf("FAIL %s %s: %s\n", what, dev, ename(errno));
	failed = 1;
}

static uint8_t *take(size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	if (!b)
		exit(3);
	return b;
}

static void sum(const char *dev, long long off, size_t len, int pieces)
{
	int fd = open(dev, O_RDONLY);
	uint8_t *b = take(len);
	size_t got = 0;

	if (fd < 0)
		return fail("open", dev);
	if (!pieces) {
		got = (size_t)pread(fd, b, len, off);
	} else {
		lseek(fd, off, SEEK_SET);
		while (got < len) {	/* 1000, 1001, ... bytes: never sector-sized */
			size_t n = 1000 + got % 7;
			ssize_t r = read(fd, b + got, n < len - got ? n : len - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
	}
	if (got != len)
		fail("read", dev);
	else
		printf("%s %lld %zu %08x\n", dev, off, len, crc32(0, b, len));
	free(b);
	close(fd);
}

static void write_pattern(const char *dev, long long off, size_t len, unsigned seed)
{
	int fd = open(dev, O_RDWR);
	uint8_t *b = take(len);

	if (fd < 0)
		return fail("open", dev);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 131 + seed + i / 4099);
	if (pwrite(fd, b, len, off) != (ssize_t)len)
		fail("write", dev);
	else if (fsync(fd))
		fail("fsync", dev);
	else
		printf("wrote %s %lld %zu\n", dev, off, len);
	free(b);
	close(fd);
}

static void info(const char *dev)
{
	int fd = open(dev, O_RDONLY);
	uint64_t bytes = 0;
	unsigned long sectors = 0;
	int ss = 0, ro = -1;
	unsigned pbs = 0;

	if (fd < 0)
		return fail("open", dev);
	if (ioctl(fd, BLKGETSIZE64, &bytes) || ioctl(fd, BLKGETSIZE, &sectors) ||
	    ioctl(fd, BLKSSZGET, &ss) || ioctl(fd, BLKPBSZGET, &pbs) || ioctl(fd, BLKROGET, &ro))
		fail("ioctl", dev);
	else
		printf("%s size %llu sectors %lu ssz %d pbsz %u ro %d end %lld\n", dev,
		       (unsigned long long)bytes, sectors, ss, pbs, ro, (long long)lseek(fd, 0, SEEK_END));
	close(fd);
}

static void openrw(const char *dev)
{
	int fd = open(dev, O_RDWR);

	printf("openrw %s %s\n", dev, fd >= 0 ? "ok" : ename(errno));
	if (fd >= 0)
		close(fd);
}

static void discard(const char *dev, long long off, size_t len)
{
	int fd = open(dev, O_RDWR);
	uint64_t r[2] = { (uint64_t)off, len };

	if (fd < 0)
		return fail("open", dev);
	if (ioctl(fd, BLKDISCARD, r))
		fail("discard", dev);
	else
		printf("discarded %s %lld %zu\n", dev, off, len);
	close(fd);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char op[16], dev[64];
		long long off = 0;
		size_t len = 0;
		unsigned seed = 0;
		int n = sscanf(argv[i], "%15[^:]:%63[^:]:%lld:%zu:%u", op, dev, &off, &len, &seed);
		if (n >= 4 && !strcmp(op, "sum"))
			sum(dev, off, len, 0);
		else if (n >= 4 && !strcmp(op, "read"))
			sum(dev, off, len, 1);
		else if (n == 5 && !strcmp(op, "write"))
			write_pattern(dev, off, len, seed);
		else if (n >= 2 && !strcmp(op, "info"))
			info(dev);
		else if (n >= 2 && !strcmp(op, "openrw"))
			openrw(dev);
		else if (n >= 4 && !strcmp(op, "discard"))
			discard(dev, off, len);
		else {
			printf("FAIL bad step %s\n", argv[i]);
			failed = 1;
		}
		fflush(stdout);
	}
	return failed;
}
