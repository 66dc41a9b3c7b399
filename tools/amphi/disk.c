/* --disk FILE[:GUESTDIR][,if=virtio|nvme][,ro]: a raw image or a host
 * block device as the guest's disk (virtio-blk, or NVMe on PCI machines),
 * mounted at GUESTDIR when one is given (the kernel's mount=DEV:DIR).
 *
 * Everything is checked before QEMU starts, each failure one line and
 * status 2: the file (there, a regular file or a block device, writable
 * unless ro), its use by another QEMU (QEMU 7.2 holds OFD locks on bytes
 * 100 and up of an image it has open, which F_OFD_GETLK sees), the
 * syntax, the number of disks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "amphi.h"
#include "boot_cmdline.h"

#define QEMU_LOCK_START	100	/* QEMU's permission bytes: 100 + bit, 200 + bit */
#define QEMU_LOCK_LEN	200

/* ",if=..." and ",ro" after the path; dies on anything else. */
static void parse_flags(struct disk_opt *d, const char *cmd, const char *spec, char *flags)
{
	for (char *f = strtok(flags, ","); f; f = strtok(NULL, ",")) {
		if (!strcmp(f, "ro"))
			d->ro = 1;
		else if (!strcmp(f, "if=virtio"))
			d->nvme = 0;
		else if (!strcmp(f, "if=nvme"))
			d->nvme = 1;
		else if (!strncmp(f, "if=", 3))
			die("%s: --disk: if= wants virtio or nvme, not '%s'", cmd, f + 3);
		else
			die("%s: --disk: unknown setting '%s' in '%s' (if=virtio|nvme, ro)", cmd, f, spec);
	}
}

/* Whether another process (a QEMU) holds a lock in QEMU's range. */
static int locked_by_other(int fd)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = QEMU_LOCK_START,
			   .l_len = QEMU_LOCK_LEN };

	return fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
}

static void check_file(const struct disk_opt *d, const char *cmd)
{
	struct stat st;

	if (stat(d->file, &st))
		die("%s: --disk %s: %s", cmd, d->file, strerror(errno));
	if (S_ISDIR(st.st_mode))
		die("%s: --disk %s: is a directory, not a disk image", cmd, d->file);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		die("%s: --disk %s: not a regular file or a block device", cmd, d->file);
	int fd = open(d->file, d->ro ? O_RDONLY : O_RDWR);
	if (fd < 0 && !d->ro && (errno == EACCES || errno == EROFS || errno == EPERM))
		die("%s: --disk %s: not writable (add ,ro to use it read-only)", cmd, d->file);
	if (fd < 0)
		die("%s: --disk %s: %s", cmd, d->file, strerror(errno));
	int busy = locked_by_other(fd);
	close(fd);
	if (busy)
		die("%s: --disk %s: in use by another amphi or QEMU", cmd, d->file);
}

void disk_option(struct run_opts *o, const char *cmd, const char *spec)
{
	if (o->ndisks == MAX_DISKS)
		die("%s: --disk: at most %d disks", cmd, MAX_DISKS);
	struct disk_opt *d = &o->disks[o->ndisks];
	char *s = xstrdup(spec), *comma = strchr(s, ',');

	memset(d, 0, sizeof *d);
	if (comma) {
		*comma = 0;
		parse_flags(d, cmd, spec, comma + 1);
	}
	char *colon = strrchr(s, ':');
	if (colon) {
		*colon = 0;
		d->guestdir = colon + 1;
		if (d->guestdir[0] != '/')
			die("%s: --disk: GUESTDIR must be an absolute path, not '%s'", cmd, d->guestdir);
		if (strlen(d->guestdir) > BOOT_GUESTDIR_MAX || strpbrk(d->guestdir, " \t\n"))
			die("%s: --disk: GUESTDIR must be at most %d characters without blanks, "
			    "not '%s'", cmd, BOOT_GUESTDIR_MAX, d->guestdir);
	}
	if (!*s)
		die("%s: --disk wants FILE[:GUESTDIR][,if=virtio|nvme][,ro], not '%s'", cmd, spec);
	d->file = s;
	check_file(d, cmd);
	o->ndisks++;
}

void disk_check(const struct run_opts *o, const char *cmd)
{
	struct stat a, b;

	for (size_t i = 0; i < o->ndisks; i++) {
		if (o->disks[i].nvme && !strcmp(o->machine, "microvm"))
			die("%s: --disk %s,if=nvme needs a PCI machine (pc or q35), not microvm", cmd,
			    o->disks[i].file);
		for (size_t j = 0; j < i; j++)
			if (!stat(o->disks[i].file, &a) && !stat(o->disks[j].file, &b) &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				die("%s: --disk %s: given twice", cmd, o->disks[i].file);
	}
}

/* The guest's name for disk i: virtio disks are vda, vdb, ... and NVMe
 * controllers nvme0, nvme1, ..., each in the order given. */
static char *guest_name(const struct run_opts *o, size_t i)
{
	size_t same = 0;

	for (size_t j = 0; j < i; j++)
		same += o->disks[j].nvme == o->disks[i].nvme;
	return o->disks[i].nvme ? xasprintf("nvme%zun1", same) : xasprintf("vd%c", (char)('a' + same));
}

void disk_qemu_args(const struct run_opts *o, struct qargs *a)
{
	int mmio = !strcmp(o->machine, "microvm");

	for (size_t i = 0; i < o->ndisks; i++) {
		const struct disk_opt *d = &o->disks[i];
		char *file = qemu_opt_escape(d->file);
		qargs_add(a, "-drive");
		qargs_addf(a, "file=%s,if=none,id=disk%zu,format=raw,cache=writeback,discard=unmap%s", file, i,
			   d->ro ? ",readonly=on" : "");
		free(file);
		qargs_add(a, "-device");
		if (d->nvme)
			qargs_addf(a, "nvme,serial=amphi%zu,drive=disk%zu", i, i);
		else if (mmio)
			qargs_addf(a, "virtio-blk-device,drive=disk%zu", i);
		else
			qargs_addf(a, "virtio-blk-pci,drive=disk%zu,num-queues=%u", i, o->smp);
	}
}

/* A virtio disk says it is read-only; an NVMe namespace cannot under
 * QEMU 7.2 (no write protection in its attributes): blk.ro= says it. */
char *disk_cmdline(const struct run_opts *o, char *cmdline)
{
	for (size_t i = 0; i < o->ndisks; i++) {
		const struct disk_opt *d = &o->disks[i];
		char *name = guest_name(o, i);
		if (d->guestdir)
			cmdline = words_add(cmdline, "mount=%s:%s%s", name, d->guestdir, d->ro ? ":ro" : "");
		if (d->nvme && d->ro)
			cmdline = words_add(cmdline, "blk.ro=%s", name);
		free(name);
	}
	return cmdline;
}
