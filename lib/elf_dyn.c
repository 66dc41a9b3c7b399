/* Reading a dynamic section (elf_dyn.h): the System V gABI's DT_* entries,
 * the string table found through the PT_LOAD that maps it. */
#include "elf_dyn.h"

#include "elf64.h"
#include "libc_min.h"

#define DT_NULL		0
#define DT_NEEDED	1
#define DT_STRTAB	5
#define DT_STRSZ	10
#define DT_SONAME	14
#define DT_RPATH	15
#define DT_RUNPATH	29

struct dyn_entry {
	int64_t tag;
	uint64_t val;
};

struct image {
	const uint8_t *p;
	size_t size;
	struct elf64_ehdr eh;
};

static int read_phdr(const struct image *im, unsigned i, struct elf64_phdr *ph)
{
	uint64_t off = im->eh.e_phoff + (uint64_t)i * sizeof *ph;

	if (im->eh.e_phoff > im->size || off > im->size || sizeof *ph > im->size - off)
		return -LIB_EINVAL;
	memcpy(ph, im->p + off, sizeof *ph);
	return 0;
}

/* The file offset where a PT_LOAD puts vaddr, for len bytes; -1 if none. */
static int64_t file_offset(const struct image *im, uint64_t vaddr, uint64_t len)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < im->eh.e_phnum; i++) {
		if (read_phdr(im, i, &ph))
			return -1;
		if (ph.p_type != ELF_PT_LOAD || vaddr < ph.p_vaddr || vaddr - ph.p_vaddr > ph.p_filesz ||
		    len > ph.p_filesz - (vaddr - ph.p_vaddr))
			continue;
		uint64_t off = ph.p_offset + (vaddr - ph.p_vaddr);
		if (off > im->size || len > im->size - off)
			return -1;
		return (int64_t)off;
	}
	return -1;
}

/* A string at index i of the table [tab, tab + tabsz): NULL unless its NUL
 * comes before the table's end. */
static const char *string_at(const struct image *im, uint64_t tab, uint64_t tabsz, uint64_t i)
{
	if (i >= tabsz)
		return NULL;
	for (uint64_t k = i; k < tabsz; k++)
		if (!im->p[tab + k])
			return (const char *)im->p + tab + i;
	return NULL;
}

/* The PT_DYNAMIC's file offset and size; 0 size when there is none. */
static int find_dynamic(const struct image *im, uint64_t *off, uint64_t *size)
{
	struct elf64_phdr ph;

	*size = 0;
	for (unsigned i = 0; i < im->eh.e_phnum; i++) {
		if (read_phdr(im, i, &ph))
			return -LIB_EINVAL;
		if (ph.p_type != ELF_PT_DYNAMIC)
			continue;
		if (ph.p_offset > im->size || ph.p_filesz > im->size - ph.p_offset)
			return -LIB_EINVAL;
		*off = ph.p_offset;
		*size = ph.p_filesz;
	}
	return 0;
}

/* Records one string-valued entry; -EINVAL if its string is bad. */
static int take(const struct image *im, struct elf_dyn *d, const struct dyn_entry *e,
		uint64_t tab, uint64_t tabsz)
{
	const char *s = string_at(im, tab, tabsz, e->val);

	if (!s)
		return -LIB_EINVAL;
	if (e->tag == DT_NEEDED) {
		if (d->nneeded == ELF_DYN_MAX_NEEDED)
			return -LIB_EINVAL;
		d->needed[d->nneeded++] = s;
	} else if (e->tag == DT_RPATH) {
		d->rpath = s;
	} else if (e->tag == DT_RUNPATH) {
		d->runpath = s;
	} else {
		d->soname = s;
	}
	return 0;
}

static int is_string_tag(int64_t tag)
{
	return tag == DT_NEEDED || tag == DT_RPATH || tag == DT_RUNPATH || tag == DT_SONAME;
}

int elf_dyn_read(const void *img, size_t size, struct elf_dyn *d)
{
	struct image im = { .p = img, .size = size };
	uint64_t off = 0, dsize, strtab = 0, strsz = 0;
	struct dyn_entry e;

	memset(d, 0, sizeof *d);
	if (size < sizeof im.eh)
		return -LIB_EINVAL;
	memcpy(&im.eh, img, sizeof im.eh);
	if (find_dynamic(&im, &off, &dsize))
		return -LIB_EINVAL;
	uint64_t n = dsize / sizeof e;
	for (uint64_t i = 0; i < n; i++) {	/* first pass: where the strings are */
		memcpy(&e, im.p + off + i * sizeof e, sizeof e);
		if (e.tag == DT_NULL)
			break;
		if (e.tag == DT_STRTAB)
			strtab = e.val;
		else if (e.tag == DT_STRSZ)
			strsz = e.val;
	}
	int64_t tab = strsz ? file_offset(&im, strtab, strsz) : -1;
	for (uint64_t i = 0; i < n; i++) {
		memcpy(&e, im.p + off + i * sizeof e, sizeof e);
		if (e.tag == DT_NULL)
			break;
		if (!is_string_tag(e.tag))
			continue;
		if (tab < 0 || take(&im, d, &e, (uint64_t)tab, strsz))
			return -LIB_EINVAL;
	}
	return 0;
}
