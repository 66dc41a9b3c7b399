/* The run's private directory (mkdtemp) for the initrd and the kernel
 * copy.  It is removed at exit, and earlier by the console once the guest
 * is up (QEMU has read both files by then), so even a SIGKILLed amphi
 * rarely leaves it behind. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"

#define MAX_FILES 4

static char *dir;
static char *files[MAX_FILES];
static size_t nfiles;

/* QEMU's multiboot loader reads -initrd as "file args,file args": a comma
 * or a space in the path would cut it, so such a TMPDIR is passed over. */
static const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");

	if (!t || !*t || strpbrk(t, ", \t\n"))
		return "/tmp";
	return t;
}

const char *tmpdir_create(void)
{
	char *templ = xasprintf("%s/amphi.XXXXXX", tmp_base());

	if (!mkdtemp(templ))
		die_status(EXIT_VMFAIL, "cannot create a directory in %s: %s", tmp_base(),
			   strerror(errno));
	dir = templ;
	atexit(tmpdir_remove);
	return dir;
}

char *tmpdir_file(const char *name)
{
	if (nfiles == MAX_FILES)
		die_status(EXIT_VMFAIL, "internal error: too many temporary files");
	files[nfiles] = xasprintf("%s/%s", dir, name);
	return files[nfiles++];
}

void tmpdir_remove(void)
{
	if (!dir)
		return;
	for (size_t i = 0; i < nfiles; i++)
		unlink(files[i]);
	rmdir(dir);
	free(dir);
	dir = NULL;
}
