/* --share HOSTDIR:GUESTDIR[:ro]: a host folder the guest mounts live over
 * virtio-9p.  Each share is a QEMU fsdev of the "local" driver with
 * security_model=none: the host's files keep the modes the guest gives
 * them (and, when QEMU runs as root, the owners; a failed chown is
 * ignored, so an ordinary user's run works too), where mapped-xattr would
 * hide both in extended attributes the host's own tools do not read.  The
 * kernel learns where to mount it from "share=shareN:GUESTDIR[:ro]" on its
 * command line. */
#include "amphi.h"
#include "boot_cmdline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Checks one --share value; dies (status 2) with one line when it is bad. */
void share_option(struct run_opts *o, const char *arg)
{
	struct share s = { 0 };
	char *spec = xstrdup(arg);
	size_t len = strlen(spec);
	struct stat st;

	if (len > 3 && !strcmp(spec + len - 3, ":ro")) {
		s.ro = 1;
		spec[len - 3] = 0;
	}
	char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || !colon[1])
		die("run: --share wants HOSTDIR:GUESTDIR[:ro], not '%s'", arg);
	*colon = 0;
	s.host = spec;
	s.guest = colon + 1;
	if (s.guest[0] != '/')
		die("run: --share: GUESTDIR must be an absolute path, not '%s'", s.guest);
	if (!strcmp(s.guest, "/") || strlen(s.guest) > BOOT_GUESTDIR_MAX || strpbrk(s.guest, " \t\n"))
		die("run: --share: GUESTDIR must be a directory below / of at most %d characters "
		    "without blanks, not '%s'", BOOT_GUESTDIR_MAX, s.guest);
	if (stat(s.host, &st))
		die("run: --share: %s: %s", s.host, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die("run: --share: %s: Not a directory", s.host);
	o->shares = xrealloc(o->shares, sizeof *o->shares * (o->nshares + 1));
	o->shares[o->nshares++] = s;
}

void share_qemu_args(const struct run_opts *o, struct qargs *a)
{
	const char *dev = strcmp(o->machine, "microvm") ? "virtio-9p-pci" : "virtio-9p-device";

	for (size_t k = 0; k < o->nshares; k++) {
		char *path = qemu_opt_escape(o->shares[k].host);
		qargs_add(a, "-fsdev");
		qargs_addf(a, "local,id=fs%zu,path=%s,security_model=none%s", k, path,
			   o->shares[k].ro ? ",readonly=on" : "");
		qargs_add(a, "-device");
		qargs_addf(a, "%s,fsdev=fs%zu,mount_tag=share%zu", dev, k, k);
		free(path);
	}
}

char *share_cmdline(const struct run_opts *o, char *cmdline)
{
	for (size_t k = 0; k < o->nshares; k++)
		cmdline = words_add(cmdline, "share=share%zu:%s%s", k, o->shares[k].guest,
				    o->shares[k].ro ? ":ro" : "");
	return cmdline;
}
