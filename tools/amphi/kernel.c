/* The kernel image: where it is, and the copy that makes QEMU boot it by
 * PVH.
 *
 * The kernel carries two entry headers, multiboot1 and a PVH ELF note, and
 * QEMU's -kernel loader tries multiboot first whenever it finds a valid
 * multiboot header (the magic 0x1BADB002, 4-byte aligned, within the first
 * 8192 bytes, with magic + flags + checksum == 0).  So for --boot pvh we
 * boot a private copy whose multiboot magic is zeroed: QEMU then finds no
 * multiboot header and takes the PVH note.  The copy holds only what a
 * loader reads, up to the end of the last segment (the debug information
 * after it is most of the file, and copying it cost 15 ms of every run);
 * otherwise it is the same, byte for byte. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "amphi.h"

#define MB_MAGIC	0x1BADB002u
#define MB_SEARCH	8192

/* Beside the amphi binary: build/amphi boots build/amphi.elf. */
const char *kernel_default_path(void)
{
	const char *env = getenv("AMPHI_KERNEL");
	char exe[PATH_MAX];

	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return "amphi.elf";
	exe[n] = 0;
	return xasprintf("%s/amphi.elf", dirname(exe));
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Zeroes every multiboot header QEMU would accept; returns how many. */
static int strip_multiboot(uint8_t *img, size_t size)
{
	size_t end = size < MB_SEARCH ? size : MB_SEARCH;
	int n = 0;

	for (size_t i = 0; i + 12 <= end; i += 4) {
		uint32_t sum = le32(img + i) + le32(img + i + 4) + le32(img + i + 8);
		if (le32(img + i) == MB_MAGIC && sum == 0) {
			memset(img + i, 0, 4);
			n++;
		}
	}
	return n;
}

static int open_kernel(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st) < 0)
		die("kernel %s: %s (build it with make, or pass --kernel)", path, strerror(errno));
	if (!S_ISREG(st->st_mode))
		die("kernel %s: not a regular file", path);
	return fd;
}

static void read_at(int fd, const char *path, uint8_t *buf, size_t len, off_t off)
{
	for (size_t got = 0; got < len;) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			die("kernel %s: %s", path, n < 0 ? strerror(errno) : "file shrank");
		if (n > 0)
			got += (size_t)n;
	}
}

static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* The end of the last byte a loader reads (the program headers' segments
 * and the headers themselves), or the whole size when the ELF64 headers
 * are not what they should be. */
static size_t loaded_end(const uint8_t *hdr, size_t have, size_t size)
{
	uint64_t phoff = le64(hdr + 32), end = phoff;
	unsigned phentsize = hdr[54] | hdr[55] << 8, phnum = hdr[56] | hdr[57] << 8;

	if (have < 64 || memcmp(hdr, "\177ELF\2", 5) || phentsize < 56 ||
	    phoff + (uint64_t)phnum * phentsize > have)
		return size;
	end += (uint64_t)phnum * phentsize;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = hdr + phoff + (size_t)i * phentsize;
		uint64_t seg_end = le64(ph + 8) + le64(ph + 32);	/* p_offset + p_filesz */
		if (seg_end > end)
			end = seg_end;
	}
	return end < size ? (size_t)end : size;
}

/* Returns the image to pass to -kernel: the kernel itself, or for PVH a
 * copy without its multiboot header (see the top of this file). */
const char *kernel_for_boot(const char *kernel, const char *boot)
{
	struct stat st;
	int fd = open_kernel(kernel, &st);
	uint8_t hdr[MB_SEARCH];
	size_t have = (size_t)st.st_size < sizeof hdr ? (size_t)st.st_size : sizeof hdr;

	read_at(fd, kernel, hdr, have, 0);
	if (strcmp(boot, "pvh") != 0 || strip_multiboot(hdr, have) == 0) {
		close(fd);
		return kernel;
	}
	size_t size = loaded_end(hdr, have, (size_t)st.st_size);
	uint8_t *img = xmalloc(size);
	read_at(fd, kernel, img, size, 0);
	close(fd);
	strip_multiboot(img, size);
	if (size < (size_t)st.st_size) {	/* the section headers were cut off */
		memset(img + 40, 0, 8);		/* e_shoff */
		memset(img + 58, 0, 6);		/* e_shentsize, e_shnum, e_shstrndx */
	}
	char *copy = tmpdir_file("kernel-pvh.elf");
	int out = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int r = out < 0 ? -errno : write_full(out, img, size);
	if (r < 0 || close(out) < 0)
		die_status(EXIT_VMFAIL, "%s: %s", copy, strerror(r < 0 ? -r : errno));
	free(img);
	return copy;
}
