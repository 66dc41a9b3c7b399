/* The kernel image: where it is, and the copy that makes QEMU boot it by
 * PVH.
 *
 * The kernel carries two entry headers, multiboot1 and a PVH ELF note, and
 * QEMU's -kernel loader tries multiboot first whenever it finds a valid
 * multiboot header (the magic 0x1BADB002, 4-byte aligned, within the first
 * 8192 bytes, with magic + flags + checksum == 0).  So for --boot pvh we
 * boot a private copy whose multiboot magic is zeroed: QEMU then finds no
 * multiboot header and takes the PVH note.  The file is otherwise the same,
 * byte for byte. */
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

static uint8_t *read_kernel(const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		die("kernel %s: %s (build it with make, or pass --kernel)", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("kernel %s: not a regular file", path);
	uint8_t *img = xmalloc((size_t)st.st_size);
	*size = 0;
	while (*size < (size_t)st.st_size) {
		ssize_t n = read(fd, img + *size, (size_t)st.st_size - *size);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			die("kernel %s: %s", path, n < 0 ? strerror(errno) : "file shrank");
		if (n > 0)
			*size += (size_t)n;
	}
	close(fd);
	return img;
}

/* Returns the image to pass to -kernel: the kernel itself, or for PVH a
 * copy without its multiboot header (see the top of this file). */
const char *kernel_for_boot(const char *kernel, const char *boot)
{
	size_t size;
	uint8_t *img = read_kernel(kernel, &size);

	if (strcmp(boot, "pvh") != 0 || strip_multiboot(img, size) == 0) {
		free(img);
		return kernel;
	}
	char *copy = tmpdir_file("kernel-pvh.elf");
	int fd = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int r = fd < 0 ? -errno : write_full(fd, img, size);
	if (r < 0 || close(fd) < 0)
		die_status(EXIT_VMFAIL, "%s: %s", copy, strerror(r < 0 ? -r : errno));
	free(img);
	return copy;
}
