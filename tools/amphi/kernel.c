/* The kernel image: where it is, and the copy a multiboot loader needs.
 *
 * The kernel carries two entry headers, a PVH ELF note and a multiboot1
 * header built dormant: magic zero, the rest as if armed (boot.S says why).
 * QEMU's -kernel loader tries multiboot first whenever it finds a valid
 * header (the magic 0x1BADB002, 4-byte aligned, within the first 8192
 * bytes, with magic + flags + checksum == 0), so the kernel as built boots
 * by PVH, with no copy.  For multiboot (GRUB, --boot multiboot) amphi
 * writes a private copy with the magic armed; a kernel built armed gets
 * the reverse copy for PVH.  A copy holds only what a loader reads, up to
 * the end of the last segment (the debug information after it is most of
 * the file); otherwise it is the same, byte for byte.
 *
 * The least -m follows from where the image ends (amphi.h says why). */
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

/* Sets the magic of every multiboot header, armed or dormant, to magic
 * (MB_MAGIC or 0); returns how many had another one, and how many there
 * are in *found. */
static int set_multiboot_magic(uint8_t *img, size_t size, uint32_t magic, int *found)
{
	size_t end = size < MB_SEARCH ? size : MB_SEARCH;
	int changed = 0;

	*found = 0;

	for (size_t i = 0; i + 12 <= end; i += 4) {
		uint32_t was = le32(img + i);
		if ((was != MB_MAGIC && was != 0) || MB_MAGIC + le32(img + i + 4) + le32(img + i + 8))
			continue;
		++*found;
		if (was != magic) {
			for (int b = 0; b < 4; b++)
				img[i + b] = (uint8_t)(magic >> 8 * b);
			changed++;
		}
	}
	return changed;
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

/* Whether the notes in buf[0..len) hold Xen's PVH entry point
 * (XEN_ELFNOTE_PHYS32_ENTRY), the note QEMU's PVH loader needs. */
static int has_pvh_entry(const uint8_t *buf, size_t len)
{
	for (size_t off = 0; off + 12 <= len;) {
		uint32_t namesz = le32(buf + off), descsz = le32(buf + off + 4);
		size_t name = off + 12, desc = name + ((namesz + 3ull) & ~3ull);
		if (namesz > len || descsz > len || desc > len)
			return 0;
		if (namesz == 4 && !memcmp(buf + name, "Xen", 4) && le32(buf + off + 8) == 18)
			return 1;
		off = desc + ((descsz + 3ull) & ~3ull);
	}
	return 0;
}

/* Dies with one line unless hdr[0..have) holds an x86_64 ELF64 header
 * and all its program headers. */
static void need_headers(const char *path, const uint8_t *hdr, size_t have)
{
	uint64_t phoff = have >= 64 ? le64(hdr + 32) : 0;
	unsigned phnum = have >= 64 ? (unsigned)(hdr[56] | hdr[57] << 8) : 0;

	if (have < 64 || memcmp(hdr, "\177ELF\2\1", 6) || (hdr[18] | hdr[19] << 8) != 62 ||
	    (hdr[54] | hdr[55] << 8) != 56 || phoff > have || phnum > (have - phoff) / 56)
		die("kernel %s: not an x86_64 ELF kernel with its program headers in its first %d bytes",
		    path, MB_SEARCH);
}

/* Dies with one line unless the kernel is an x86_64 ELF64 image with a
 * PVH entry note in a PT_NOTE segment: QEMU would refuse it only after
 * starting, with its own message (a program or a foreign kernel given to
 * --kernel by mistake). */
static void check_pvh(int fd, const char *path, const uint8_t *hdr, size_t have, size_t size)
{
	need_headers(path, hdr, have);
	uint64_t phoff = le64(hdr + 32);
	unsigned phnum = (unsigned)(hdr[56] | hdr[57] << 8);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = hdr + phoff + (size_t)i * 56;
		uint64_t off = le64(ph + 8), len = le64(ph + 32);
		if (le32(ph) != 4 || off > size || len > size - off || len > 65536)
			continue;	/* not a PT_NOTE inside the file (of a sane size) */
		uint8_t *notes = xmalloc(len ? (size_t)len : 1);
		read_at(fd, path, notes, (size_t)len, (off_t)off);
		int found = has_pvh_entry(notes, (size_t)len);
		free(notes);
		if (found)
			return;
	}
	die("kernel %s: no PVH entry note: not an amphi kernel", path);
}

/* Dies with one line unless kernel is a regular file amphi can read that
 * QEMU can boot by PVH as it is. */
void kernel_check(const char *kernel)
{
	struct stat st;
	int fd = open_kernel(kernel, &st);
	uint8_t hdr[MB_SEARCH];
	size_t have = (size_t)st.st_size < sizeof hdr ? (size_t)st.st_size : sizeof hdr;

	read_at(fd, kernel, hdr, have, 0);
	check_pvh(fd, kernel, hdr, have, (size_t)st.st_size);
	close(fd);
}

/* The end of the kernel's image in guest memory, bss included: its last
 * PT_LOAD segment's p_paddr + p_memsz (UINT64_MAX if that overflows). */
uint64_t kernel_mem_end(const char *kernel)
{
	struct stat st;
	int fd = open_kernel(kernel, &st);
	uint8_t hdr[MB_SEARCH];
	size_t have = (size_t)st.st_size < sizeof hdr ? (size_t)st.st_size : sizeof hdr;
	uint64_t end = 0;

	read_at(fd, kernel, hdr, have, 0);
	close(fd);
	need_headers(kernel, hdr, have);
	uint64_t phoff = le64(hdr + 32);
	unsigned phnum = (unsigned)(hdr[56] | hdr[57] << 8);
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = hdr + phoff + (size_t)i * 56;
		uint64_t paddr = le64(ph + 24), seg_end = paddr + le64(ph + 40);
		if (le32(ph) == 1 && (seg_end < paddr || seg_end > end))
			end = seg_end < paddr ? UINT64_MAX : seg_end;
	}
	return end;
}

/* Returns the image to pass to -kernel for boot ("pvh" or "multiboot"):
 * the kernel itself when QEMU would boot it that way as it is, or else a
 * copy with the multiboot magic set or cleared (see the top of this file). */
const char *kernel_for_boot(const char *kernel, const char *boot)
{
	struct stat st;
	int fd = open_kernel(kernel, &st);
	uint8_t hdr[MB_SEARCH];
	size_t have = (size_t)st.st_size < sizeof hdr ? (size_t)st.st_size : sizeof hdr;
	uint32_t magic = strcmp(boot, "pvh") ? MB_MAGIC : 0;
	int found;

	read_at(fd, kernel, hdr, have, 0);
	if (!magic)
		check_pvh(fd, kernel, hdr, have, (size_t)st.st_size);
	int changed = set_multiboot_magic(hdr, have, magic, &found);
	if (magic && !found)
		die("kernel %s: no multiboot header in its first %d bytes", kernel, MB_SEARCH);
	if (!changed) {
		close(fd);
		return kernel;
	}
	size_t size = loaded_end(hdr, have, (size_t)st.st_size);
	uint8_t *img = xmalloc(size);
	read_at(fd, kernel, img, size, 0);
	close(fd);
	set_multiboot_magic(img, size, magic, &found);
	if (size < (size_t)st.st_size) {	/* the section headers were cut off */
		memset(img + 40, 0, 8);		/* e_shoff */
		memset(img + 58, 0, 6);		/* e_shentsize, e_shnum, e_shstrndx */
	}
	char *copy = tmpdir_file(magic ? "kernel-multiboot.elf" : "kernel-pvh.elf");
	int out = open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int r = out < 0 ? -errno : write_full(out, img, size);
	if (r < 0 || close(out) < 0)
		die_status(EXIT_VMFAIL, "%s: %s", copy, strerror(r < 0 ? -r : errno));
	free(img);
	return copy;
}

void mem_fits(const char *cmd, uint64_t mem, const char *kernel, const char *initrd_path,
	      uint64_t initrd)
{
	uint64_t image = kernel_mem_end(kernel);
	uint64_t more = initrd > SMALL_INITRD ? initrd - SMALL_INITRD : 0;

	if (image > MAX_MEM)
		die("kernel %s: its image ends beyond 1T", kernel);
	uint64_t least = (image + MEM_ABOVE_KERNEL + more + 4095) & ~4095ull;
	if (mem >= least)
		return;
	if (!initrd_path)
		die("%s: -m %lluK is too little for the kernel (its image ends at %lluK): "
		    "give at least %lluK", cmd, (unsigned long long)(mem >> 10),
		    (unsigned long long)((image + 1023) >> 10), (unsigned long long)(least >> 10));
	unlink(initrd_path);
	die("%s: -m %lluK is too little for the kernel (its image ends at %lluK) and the program's files "
	    "(an initrd of %llu KiB): give at least %lluK", cmd, (unsigned long long)(mem >> 10),
	    (unsigned long long)((image + 1023) >> 10), (unsigned long long)((initrd + 1023) >> 10),
	    (unsigned long long)(least >> 10));
}
