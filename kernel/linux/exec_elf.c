/* ELF programs into a new address space.  Each PT_LOAD is mapped from the
 * file, privately (copy-on-write: a program's text is its file's own pages,
 * shared by every process that runs it, and never read in whole); the
 * part of the last file page past the segment's data is zeroed, and the
 * rest of its memory is anonymous.  A page two segments share gets both
 * protections and each one's bytes.  Only the headers are read: the ELF
 * header, the program headers and the interpreter's path. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/string.h"
#include "core/vm.h"
#include "elf_check.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "fs/vfs_file.h"
#include "fs/vfs_kernel.h"
#include "fs/vfs_mmap.h"
#include "linux/exec_internal.h"

#define PIE_BASE	0x0000555555554000ul
#define PT_LOAD		1
#define PT_INTERP	3
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define EHDR_SIZE	64
#define HEAD_MAX	(64 * 1024)	/* Linux reads at most 64 KiB of program headers */
#define CHUNK		4096

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* One ELF file: its headers (head), its size, what elf_check saw. */
struct elf {
	struct inode *inode;
	struct file *file;	/* open for mapping, named as /proc/PID/maps shows it */
	uint8_t *head;
	size_t head_len, size;
	struct elf_info info;
	uint64_t base;
};

static unsigned prot_of(uint32_t flags)
{
	return (flags & PF_R ? MMU_READ : 0) | (flags & PF_W ? MMU_WRITE : 0) |
	       (flags & PF_X ? MMU_EXEC : 0);
}

static const struct phdr *phdr_at(const struct elf *e, int k)
{
	return (const struct phdr *)(e->head + e->info.phoff) + k;
}

/* Reads the first n bytes of the file into e->head. */
static int read_head(struct elf *e, size_t n)
{
	uint8_t *head = kmalloc(n ? n : 1);

	if (!head)
		return -ENOMEM;
	long got = vfs_read_at(e->inode, head, n, 0);
	if (got < 0) {
		kfree(head);
		return (int)got;
	}
	kfree(e->head);
	e->head = head;
	e->head_len = (size_t)got;
	return 0;
}

/* How much of the file holds the headers: the program header table and
 * the interpreter's path (the end of what elf_check reads). */
static size_t headers_end(const uint8_t *h, size_t len)
{
	uint64_t phoff, end;
	uint16_t phnum;

	if (len < EHDR_SIZE)
		return len;
	memcpy(&phoff, h + 32, 8);
	memcpy(&phnum, h + 56, 2);
	end = phoff + (uint64_t)phnum * sizeof(struct phdr);
	if (phoff > HEAD_MAX || end > HEAD_MAX)
		return len;	/* elf_check will refuse what lies past len */
	for (int k = 0; k < phnum && end <= len; k++) {
		struct phdr ph;
		memcpy(&ph, h + phoff + (uint64_t)k * sizeof ph, sizeof ph);
		if (ph.type == PT_INTERP && ph.offset < HEAD_MAX && ph.filesz < HEAD_MAX &&
		    ph.offset + ph.filesz > end)
			end = ph.offset + ph.filesz;
	}
	return end;
}

/* How long the file would have to be for its PT_LOADs' data; 0 if the
 * program headers are not all in the head. */
static uint64_t needed_size(const struct elf *e)
{
	uint64_t phoff, need = 0;
	uint16_t phnum, phentsize;

	if (e->head_len < EHDR_SIZE)
		return 0;
	memcpy(&phoff, e->head + 32, 8);
	memcpy(&phentsize, e->head + 54, 2);
	memcpy(&phnum, e->head + 56, 2);
	if (phentsize != sizeof(struct phdr) || phoff > e->head_len ||
	    (uint64_t)phnum * phentsize > e->head_len - phoff)
		return 0;
	for (int k = 0; k < phnum; k++) {
		struct phdr ph;
		memcpy(&ph, e->head + phoff + (uint64_t)k * sizeof ph, sizeof ph);
		if (ph.type == PT_LOAD && ph.offset + ph.filesz > need && ph.offset + ph.filesz >= ph.offset)
			need = ph.offset + ph.filesz;
	}
	return need;
}

/* Reads and checks the headers of i.  A file cut short inside its
 * segments (but not its headers) is taken as Linux's loader takes it when
 * cut_short is given: it maps what is there, and the process dies with
 * SIGSEGV once its old image is gone (*cut_short says so). */
static int elf_read(struct elf *e, bool *cut_short, const char **why)
{
	int64_t size = vfs_size(e->inode);
	int err = size < 0 ? (int)size : read_head(e, size < CHUNK ? (size_t)size : CHUNK);

	if (!err) {
		size_t end = headers_end(e->head, e->head_len);
		if (end > e->head_len && end <= (uint64_t)size)
			err = read_head(e, end);
	}
	if (err) {
		*why = "cannot be read";
		return err;
	}
	e->size = (size_t)size;
	/* Headers only from the head: past it (or past the file's end, when
	 * cut short) elf_check refuses them rather than read on. */
	err = elf_check(e->head, e->head_len, e->size, &e->info, why);
	uint64_t need = err == -ENOEXEC && cut_short ? needed_size(e) : 0;
	if (need > e->size && !elf_check(e->head, e->head_len, need, &e->info, why)) {
		*cut_short = true;
		err = 0;
	}
	return err;
}

/* The file, opened to be mapped, named by its absolute path.  No one may
 * open it for writing while its mappings hold it, and it may not be open
 * for writing now (ETXTBSY, as Linux's deny_write_access). */
static int elf_open_file(struct elf *e, const char *abs, const char **why)
{
	vfs_lock();
	int err = vfs_open_inode(e->inode, O_RDONLY, &e->file);
	vfs_unlock();
	if (!err && (e->file->path = kmalloc(strlen(abs) + 1)))
		memcpy(e->file->path, abs, strlen(abs) + 1);
	if (!err && (err = vfs_file_deny_write(e->file)))
		*why = "open for writing";
	return err;
}

static void elf_close(struct elf *e)
{
	if (e->file)
		file_put(e->file);
	if (e->inode)
		inode_put(e->inode);
	kfree(e->head);
}

/* Copies len bytes at file offset off into mm at addr (whatever its
 * protection), a chunk at a time; bytes past the end of the file are zero. */
static int copy_from_file(struct mm *mm, const struct elf *e, uint64_t addr, uint64_t off, uint64_t len)
{
	char *buf = kmalloc(CHUNK);
	int err = buf ? 0 : -ENOMEM;

	for (uint64_t done = 0; !err && done < len;) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
		memset(buf, 0, n);
		long got = vfs_read_at(e->inode, buf, n, (int64_t)(off + done));
		err = got < 0 ? (int)got : vm_fill(mm, addr + done, buf, n);
		done += n;
	}
	kfree(buf);
	return err;
}

static int zero_fill(struct mm *mm, uint64_t addr, uint64_t len)
{
	return len ? vm_fill(mm, addr, zero_page, len) : 0;
}

/* One PT_LOAD at base.  *prev_end is where the previous one's pages end
 * (its prot in *prev_prot): a page they share (this one's first, its
 * last) gets both protections and this one's bytes copied in.  Any other
 * overlap, or a segment below the previous one (out of order), replaces
 * what was there, as Linux's MAP_FIXED.  Caller checked the segment
 * (elf_check). */
static int load_one(struct mm *mm, const struct elf *e, const struct phdr *ph, uint64_t *prev_end,
		    unsigned *prev_prot)
{
	uint64_t v = e->base + ph->vaddr, fend = v + ph->filesz, end = PAGE_ROUND_UP(v + ph->memsz);
	uint64_t start = PAGE_ROUND_DOWN(v), file_pages_end = PAGE_ROUND_UP(fend);
	unsigned prot = prot_of(ph->flags);
	/* a file system without mmap (9p) has its pages copied in */
	bool mappable = !((v - ph->offset) & (PAGE_SIZE - 1)) && vfs_mmap_ops(e->file);
	int err = 0;

	if (start < *prev_end && start + PAGE_SIZE == *prev_end) {	/* shares a page */
		uint64_t in_page = (start + PAGE_SIZE < fend ? start + PAGE_SIZE : fend) - v;
		err = vm_protect(mm, start, PAGE_SIZE, prot | *prev_prot);
		if (!err && fend > v)
			err = copy_from_file(mm, e, v, ph->offset, in_page);
		start += PAGE_SIZE;
	}
	uint64_t anon = start, from = v > start ? v : start;
	if (!err && mappable && file_pages_end > start) {
		long at = vm_map(mm, start, file_pages_end - start, prot, VM_FIXED, vfs_mmap_ops(e->file),
				 e->file, (ph->offset + (start - v)) / PAGE_SIZE);
		err = at < 0 ? (int)at : 0;
		anon = file_pages_end;
	}
	if (!err && anon < end)
		err = vm_map_fixed(mm, anon, end - anon, prot, true);
	if (!err && !mappable && fend > from)	/* data not page-aligned with its offset: copied */
		err = copy_from_file(mm, e, from, ph->offset + (from - v), fend - from);
	if (!err && ph->memsz > ph->filesz && (fend & (PAGE_SIZE - 1)))
		err = zero_fill(mm, fend, (PAGE_ROUND_UP(fend) < end ? PAGE_ROUND_UP(fend) : end) - fend);
	*prev_end = end;
	*prev_prot = prot;
	return err;
}

static int load_segments(struct mm *mm, const struct elf *e, bool cut_short)
{
	uint64_t prev_end = 0;
	unsigned prev_prot = 0;
	int err = 0;

	for (int k = 0; k < e->info.phnum && !err; k++) {
		const struct phdr *ph = phdr_at(e, k);
		if (ph->type != PT_LOAD || !ph->memsz)
			continue;
		err = load_one(mm, e, ph, &prev_end, &prev_prot);
		/* Linux's start_data and end_data: the highest segment's
		 * start, the highest end of file bytes (brk counts them) */
		if (e->base + ph->vaddr > mm->data_start)
			mm->data_start = e->base + ph->vaddr;
		if (e->base + ph->vaddr + ph->filesz > mm->data_end)
			mm->data_end = e->base + ph->vaddr + ph->filesz;
	}
	return cut_short && err == -EIO ? 0 : err;	/* its end is SIGSEGV anyway */
}

/* The interpreter a PT_INTERP names: an ELF program of its own (ELIBBAD
 * otherwise, as Linux). */
static int open_interp(const struct elf *prog, struct elf *interp, char *abs, const char **why)
{
	int err = vfs_open_exec((const char *)prog->head + prog->info.interp_off, &interp->inode, abs);

	if (err) {
		*why = "its interpreter (PT_INTERP) cannot be opened";
		return err;
	}
	err = elf_read(interp, NULL, why);
	if (err == -ENOEXEC || (!err && interp->info.interp_len)) {
		*why = "its interpreter is not an ELF program it can run";
		return -ELIBBAD;
	}
	return err ? err : elf_open_file(interp, abs, why);
}

/* The interpreter goes where mmap would put it: room for all its
 * segments is taken first, and they are mapped into it. */
static int load_interp(struct mm *mm, struct elf *interp)
{
	long at = vm_map_anywhere(mm, 0, interp->info.hi - interp->info.lo, 0);

	if (at < 0)
		return (int)at;
	interp->base = (uint64_t)at - interp->info.lo;
	return load_segments(mm, interp, false);
}

int exec_load_elf(struct mm *mm, struct inode *i, const char *abs, struct exec_start *start,
		  bool *cut_short, const char **why)
{
	struct elf prog = { .inode = i }, interp = { 0 };
	char *iabs = kmalloc(PATH_MAX);
	int err = iabs ? elf_read(&prog, cut_short, why) : -ENOMEM;

	inode_get(i);
	if (!err)
		err = elf_open_file(&prog, abs, why);
	if (!err && prog.info.interp_len)
		err = open_interp(&prog, &interp, iabs, why);
	prog.base = prog.info.is_pie ? PIE_BASE : 0;
	if (!err) {
		*why = "cannot load its segments";
		err = load_segments(mm, &prog, *cut_short);
	}
	if (!err && interp.file)
		err = load_interp(mm, &interp);
	if (!err)
		*start = (struct exec_start){
			.phdr = prog.base + prog.info.phdr_vaddr, .phent = prog.info.phentsize,
			.phnum = prog.info.phnum, .entry = prog.base + prog.info.entry,
			.interp_base = interp.file ? interp.base : 0,
			.pc = interp.file ? interp.base + interp.info.entry : prog.base + prog.info.entry,
			.brk = PAGE_ROUND_UP(prog.base + prog.info.hi),
		};
	elf_close(&prog);
	elf_close(&interp);
	kfree(iabs);
	return err;
}
