/* amphi iso [options] PROGRAM [ARG...] -o FILE.iso: a bootable CD/USB
 * image with GRUB (BIOS and UEFI, through Debian's grub-mkrescue), the
 * kernel, and an initrd holding the program and its configuration.
 *
 * GRUB boots the kernel by multiboot1 (its a.out-kludge header) with the
 * console in plain text on the first serial port (115200 8N1), mirrored on
 * the VGA text screen when the firmware is a BIOS; the program's end halts
 * the machine (QEMU exits if it has isa-debug-exit).  docs/amphi.md. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "amphi.h"

#define GRUB_BIOS_DIR	"/usr/lib/grub/i386-pc"
#define GRUB_EFI_DIR	"/usr/lib/grub/x86_64-efi"

enum { OPT_OUTPUT = 'o' };

static const struct option options[] = {
	{ "output", required_argument, NULL, OPT_OUTPUT },
	GUEST_LONG_OPTIONS,
	ADDR_LONG_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void cmd_iso_usage(FILE *out)
{
	fputs("usage: amphi iso [options] PROGRAM [ARG...] -o FILE.iso\n"
	      "\n"
	      "Writes a bootable image (CD, USB stick, or QEMU's -cdrom) that runs PROGRAM\n"
	      "with the ARGs on a BIOS or UEFI machine: GRUB, the amphi kernel, and the\n"
	      "program with its settings. The console is plain text on the first serial\n"
	      "port (115200 8N1) and, with a BIOS, on the screen; standard input comes\n"
	      "from the serial port. When the program ends the machine halts (QEMU\n"
	      "exits if it has -device isa-debug-exit,iobase=0xf4,iosize=4).\n"
	      "Needs grub-mkrescue, xorriso and mtools, with GRUB for both firmwares\n"
	      "(Debian: grub-common, grub-pc-bin, grub-efi-amd64-bin, xorriso, mtools).\n"
	      "\n"
	      "options (before PROGRAM; -o FILE may also be the last two words):\n"
	      "  -o, --output FILE  the image to write (required)\n"
	      "  -e, --env VAR=VAL  set an environment variable (repeatable)\n"
	      "  --files HOSTDIR[:GUESTDIR]\n"
	      "                     copy a host folder into the guest's root file system\n"
	      "  --before \"PROGRAM ARG...\"\n"
	      "                     run this first (repeatable), as amphi run does\n"
	      "  --trace[=CALL,...] print the program's system calls on the console\n"
	      "  --kernel PATH      kernel image (default as amphi run)\n"
	      "  --ip ADDR/PREFIX   static IPv4 address of the first NIC (default: DHCP)\n"
	      "  --gw ADDR          IPv4 default gateway (with --ip)\n"
	      "  --dns ADDR         name server; repeatable\n"
	      "  --ip6 ADDR/PREFIX  static IPv6 address\n"
	      "  --hostname NAME    the guest's host name\n"
	      "  -v, --verbose      kernel messages on the console too\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0 written; 2 bad usage or input (a missing tool included);\n"
	      "1 grub-mkrescue failed (its messages are printed).\n",
	      out);
}

/* A path as the source of an xorriso graft point: '\' and '=' escaped. */
static char *graft(const char *target, const char *source)
{
	char *esc = xmalloc(2 * strlen(source) + 1), *e = esc;

	for (const char *s = source; *s; s++) {
		if (*s == '\\' || *s == '=')
			*e++ = '\\';
		*e++ = *s;
	}
	*e = 0;
	char *g = xasprintf("%s=%s", target, esc);
	free(esc);
	return g;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die_status(1, "%s: %s", path, strerror(errno));
}

/* GRUB's own output goes to the serial port and the screen; the kernel
 * gets amphi.vga only where a BIOS left a text screen. */
static char *grub_cfg(const struct run_opts *o, const char *prog)
{
	char *name = xstrdup(prog), *base = basename(name);
	char *plain = guest_cmdline(o, 0), *vga = guest_cmdline(o, 1);

	for (char *c = base; *c; c++)
		if (*c == '\'' || *c == '\\')
			*c = '_';
	char *cfg = xasprintf(
		"# Written by amphi iso.\n"
		"set timeout=0\n"
		"set default=0\n"
		"serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
		"terminal_input serial console\n"
		"terminal_output serial console\n"
		"menuentry 'amphi: %s' {\n"
		"\tif [ \"$grub_platform\" = pc ]; then\n"
		"\t\tmultiboot /boot/amphi.elf %s\n"
		"\telse\n"
		"\t\tmultiboot /boot/amphi.elf %s\n"
		"\tfi\n"
		"\tmodule /boot/initrd.cpio\n"
		"}\n", base, vga, plain);
	free(name);
	free(plain);
	free(vga);
	return cfg;
}

static void check_tools(void)
{
	if (system("command -v grub-mkrescue >/dev/null && command -v xorriso >/dev/null && "
		   "command -v mformat >/dev/null") != 0)
		die("iso: needs grub-mkrescue, xorriso and mformat (Debian: grub-common, xorriso, "
		    "mtools; tools/install-deps.sh installs them)");
	if (access(GRUB_BIOS_DIR, R_OK) || access(GRUB_EFI_DIR, R_OK))
		die("iso: needs GRUB for BIOS and UEFI (%s, %s: Debian's grub-pc-bin and "
		    "grub-efi-amd64-bin)", GRUB_BIOS_DIR, GRUB_EFI_DIR);
}

/* grub-mkrescue with its output in log; its status. */
static int mkrescue(char **argv, const char *log)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		die_status(1, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (!freopen(log, "w", stdout) || dup2(1, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die_status(1, "waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void print_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];

	while (f && fgets(line, sizeof line, f))
		fputs(line, stderr);
	if (f)
		fclose(f);
}

static void make_image(const char *kernel, const char *initrd,
		       const char *cfg, const char *out)
{
	char *log = tmpdir_file("grub-mkrescue.log");
	char *partial = xasprintf("%s.partial", out);
	char *argv[] = { "grub-mkrescue", "--locales=", "--fonts=", "--themes=", "-o", partial,
			 graft("/boot/amphi.elf", kernel), graft("/boot/initrd.cpio", initrd),
			 graft("/boot/grub/grub.cfg", cfg), NULL };

	int r = mkrescue(argv, log);
	if (r != 0) {
		print_file(log);
		unlink(partial);
		die_status(1, "iso: grub-mkrescue failed (status %d)", r);
	}
	if (rename(partial, out) < 0) {
		unlink(partial);
		die_status(1, "iso: %s: %s", out, strerror(errno));
	}
	free(partial);
}

int cmd_iso(int argc, char **argv)
{
	struct run_opts o;
	const char *out = NULL;
	int opt;

	run_opts_defaults(&o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:o:e:vh", options, NULL)) != -1) {
		if (opt == 'h') {
			cmd_iso_usage(stdout);
			exit(0);
		}
		if (opt == OPT_OUTPUT)
			out = optarg;
		else if (opt == ':')
			die("iso: %s needs a value (see amphi help iso)", opt_failed(argv));
		else if (!guest_option(&o, "iso", opt, optarg))
			die("iso: unknown option '%s' (see amphi help iso)", opt_failed(argv));
	}
	/* amphi iso PROGRAM ARG... -o FILE.iso: the last two words, when -o
	 * did not come before PROGRAM. */
	if (!out && argc - optind >= 3 && !strcmp(argv[argc - 2], "-o")) {
		out = argv[argc - 1];
		argc -= 2;
	}
	if (!out)
		die("iso: missing -o FILE.iso (see amphi help iso)");
	struct stat st;
	if (!stat(out, &st) && S_ISDIR(st.st_mode))
		die("iso: -o %s is a directory", out);
	struct step *steps = guest_steps(&o, "iso", argc, argv);
	check_tools();
	tmpdir_create();
	const char *kernel = kernel_for_boot(o.kernel, "multiboot");	/* GRUB's way in */
	char *initrd = tmpdir_file("initrd.cpio"), *cfg = tmpdir_file("grub.cfg");
	struct pathset libs = { 0 };
	libs_for_run(&o, steps, o.nbefore + 1, &libs);
	initrd_write(initrd, steps, o.nbefore + 1, &o, &libs);
	char *text = grub_cfg(&o, steps[o.nbefore].prog.typed);
	write_text(cfg, text);
	free(text);
	make_image(kernel, initrd, cfg, out);
	return 0;
}
