/* What a dynamically linked ELF asks of its loader: the shared objects it
 * needs (DT_NEEDED) and where to look for them (DT_RPATH, DT_RUNPATH), read
 * from its dynamic section as the loader would find it through the
 * PT_LOADs.  For `amphi run`, which brings a program's libraries into the
 * guest.  Freestanding; every offset is checked against the image. */
#ifndef AMPHI_LIB_ELF_DYN_H
#define AMPHI_LIB_ELF_DYN_H

#include <stddef.h>
#include <stdint.h>

#define ELF_DYN_MAX_NEEDED	256

struct elf_dyn {
	const char *needed[ELF_DYN_MAX_NEEDED];	/* into the image, NUL-terminated */
	int nneeded;
	const char *rpath, *runpath;	/* NULL when absent */
	const char *soname;
};

/* Fills *d from img[0..size), an image elf_check accepted (or a shared
 * object of the same kind).  A file without PT_DYNAMIC has nothing to ask.
 * 0, or -EINVAL (-22) when the dynamic section or its strings lie outside
 * the image, or a string runs off its end. */
int elf_dyn_read(const void *img, size_t size, struct elf_dyn *d);

#endif
