/* The options amphi iso and amphi libvirt share with amphi run for what
 * the guest runs (-e, --files, --before, --trace, --kernel, -v), and the
 * PROGRAM [ARG...] after them.  Those commands write an image or a
 * domain instead of booting, and the guest's console is plain text
 * (amphi.console=text), since no amphi sits on the other end of it. */
#include <getopt.h>
#include <string.h>
#include "amphi.h"

int guest_option(struct run_opts *o, const char *cmd, int opt, const char *arg)
{
	switch (opt) {
	case 'e': run_env_set(o, arg); break;
	case OPT_G_FILES:
		o->files = xrealloc(o->files, sizeof(char *) * (o->nfiles + 1));
		o->files[o->nfiles++] = (char *)arg;
		break;
	case OPT_G_BEFORE:
		o->before = xrealloc(o->before, sizeof(char *) * (o->nbefore + 1));
		o->before[o->nbefore++] = (char *)arg;
		break;
	case OPT_G_TRACE: o->trace = arg ? trace_calls_check(cmd, arg) : "all"; break;
	case OPT_G_KERNEL: o->kernel = arg; break;
	case 'v': o->verbose = 1; break;
	default: return net_option(&o->net, opt, arg);
	}
	return 1;
}

/* After the options: PROGRAM and its ARGs, the kernel, the steps. */
struct step *guest_steps(struct run_opts *o, const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		die("%s: missing PROGRAM (see amphi help %s)", cmd, cmd);
	o->args = argv + optind + 1;
	o->nargs = (size_t)(argc - optind - 1);
	o->tty_all = 1;
	if (!o->kernel)
		o->kernel = kernel_default_path();
	return steps_load(cmd, o, argv[optind]);
}

/* The kernel's command line: text console, the screen on BIOS machines
 * (vga), kernel messages with -v. */
char *guest_cmdline(const struct run_opts *o, int vga)
{
	return xasprintf("amphi.console=text%s%s", vga ? " amphi.vga" : "",
			 o->verbose ? " amphi.verbose" : "");
}
