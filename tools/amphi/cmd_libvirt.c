/* amphi libvirt [options] PROGRAM [ARG...] > dom.xml: a libvirt domain
 * that boots the program as amphi run would (direct kernel boot by
 * multiboot, the same memory, CPUs, NIC and networking), for virsh
 * define/start.  The initrd is written to a file the domain names; the
 * console is plain text on a pty (virsh console), since no amphi reads
 * frames there; at the program's end the kernel powers the machine off
 * through ACPI (amphi.poweroff=acpi), and the domain shuts off.
 * docs/amphi.md. */
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdbool.h>
#include "amphi.h"
#include "netaddr.h"

enum { OPT_SMP = 700, OPT_MACHINE, OPT_ACCEL, OPT_QEMU, OPT_NAME, OPT_INITRD, OPT_NIC };

static const struct option options[] = {
	GUEST_LONG_OPTIONS,
	NET_LONG_OPTIONS,
	{ "nic", required_argument, NULL, OPT_NIC },
	{ "memory", required_argument, NULL, 'm' },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void cmd_libvirt_usage(FILE *out)
{
	fputs("usage: amphi libvirt [options] PROGRAM [ARG...] > DOMAIN.xml\n"
	      "\n"
	      "Prints a libvirt domain that runs PROGRAM as amphi run would: direct kernel\n"
	      "boot of amphi's kernel, an initrd with the program and its settings (written\n"
	      "to a file, --initrd), the same memory, CPUs, NIC and networking. Then:\n"
	      "virsh define DOMAIN.xml; virsh start --console NAME. The console is plain\n"
	      "text on a pty; the domain shuts off when the program ends.\n"
	      "\n"
	      "options (they end at PROGRAM):\n"
	      "  --name NAME        the domain's name (default amphi-PROGRAM)\n"
	      "  --initrd FILE      where to write the initrd (default NAME.initrd in the\n"
	      "                     current directory); the domain names it by its\n"
	      "                     absolute path\n"
	      "  --smp N            virtual CPUs, 1 to 255 (default 1)\n"
	      "  -m, --memory SIZE  guest memory (default 64M)\n"
	      "  --machine TYPE     pc or q35 (default pc)\n"
	      "  --accel ACCEL      kvm or tcg: the domain type (default kvm if /dev/kvm\n"
	      "                     works here, else tcg, which libvirt calls qemu)\n"
	      "  --qemu PATH        the emulator (default /usr/bin/qemu-system-x86_64)\n"
	      "  --kernel PATH      kernel image (default as amphi run)\n"
	      "  -e, --env VAR=VAL  set an environment variable (repeatable)\n"
	      "  --files HOSTDIR[:GUESTDIR]\n"
	      "                     copy a host folder into the guest's file system\n"
	      "  --before \"PROGRAM ARG...\"\n"
	      "                     run this first (repeatable)\n"
	      "  --trace[=CALL,...] print the program's system calls on the console\n"
	      "  -p, --publish [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]\n"
	      "                     forward a host port (user networking through passt)\n"
	      "  --net MODE         user, tap=IFNAME or none (default; -p implies user)\n"
	      "  --nic MODEL        virtio (default) or e1000e\n"
	      "  --ip ADDR/PREFIX, --gw ADDR, --dns ADDR, --ip6 ADDR/PREFIX, --hostname NAME\n"
	      "                     the guest's addresses, as amphi run takes them\n"
	      "  -v, --verbose      kernel messages on the console too\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0; 2 for bad usage or input.\n",
	      out);
}

/* Text for an XML attribute or element: the five special characters. */
static void put_xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* <ELEMENT>text</ELEMENT> on a line of its own, indented. */
static void element(FILE *out, int indent, const char *name, const char *text)
{
	fprintf(out, "%*s<%s>", indent, "", name);
	put_xml(out, text);
	fprintf(out, "</%s>\n", name);
}

static char *absolute(const char *path)
{
	char *abs = realpath(path, NULL);

	if (!abs)
		die("libvirt: %s: cannot resolve the path", path);
	return abs;
}

static void port_forwards(FILE *out, const struct net_opts *n)
{
	for (size_t i = 0; i < n->nfwd; i++) {
		const struct net_forward *f = &n->fwd[i];
		fprintf(out, "      <portForward proto='%s' address='%u.%u.%u.%u'>\n"
			     "        <range start='%u' to='%u'/>\n"
			     "      </portForward>\n", f->udp ? "udp" : "tcp", f->host_addr[0],
			f->host_addr[1], f->host_addr[2], f->host_addr[3], f->host_port, f->guest_port);
	}
}

/* The NIC: user networking (passt when ports are forwarded: libvirt's
 * slirp has no forwards), or an existing tap; no boot ROM, as run. */
static void interface(FILE *out, const struct net_opts *n)
{
	if (!net_has_nic(n))
		return;
	const char *model = n->nic && !strcmp(n->nic, "e1000e") ? "e1000e" : "virtio";
	if (n->mode == NET_TAP) {
		fputs("    <interface type='ethernet'>\n      <target dev='", out);
		put_xml(out, n->tap);
		fputs("' managed='no'/>\n", out);
	} else {
		fputs("    <interface type='user'>\n", out);
		if (n->nfwd)
			fputs("      <backend type='passt'/>\n", out);
		port_forwards(out, n);
	}
	fprintf(out, "      <model type='%s'/>\n      <rom enabled='no'/>\n    </interface>\n", model);
}

static void domain_xml(FILE *out, const struct run_opts *o, const char *name, const char *kernel,
		       const char *initrd)
{
	char *text = guest_cmdline(o, 0), *cmdline = xasprintf("%s amphi.poweroff=acpi", text);
	bool kvm = !strcmp(o->accel, "kvm");

	fprintf(out, "<domain type='%s'>\n", kvm ? "kvm" : "qemu");
	element(out, 2, "name", name);
	fputs("  <description>Written by amphi libvirt.</description>\n", out);
	fprintf(out, "  <memory unit='KiB'>%llu</memory>\n", (unsigned long long)(o->mem >> 10));
	/* maxcpus >= 2, as amphi run: TCG keeps the guest's barriers. */
	fprintf(out, "  <vcpu current='%u'>%u</vcpu>\n", o->smp, o->smp < 2 ? 2 : o->smp);
	fprintf(out, "  <os>\n    <type arch='x86_64' machine='%s'>hvm</type>\n", o->machine);
	element(out, 4, "kernel", kernel);
	element(out, 4, "initrd", initrd);
	element(out, 4, "cmdline", cmdline);
	fputs("  </os>\n  <features>\n    <acpi/>\n    <apic/>\n  </features>\n", out);
	fputs(kvm ? "  <cpu mode='host-passthrough'/>\n" : "  <cpu mode='maximum'/>\n", out);
	fputs("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n"
	      "  <on_crash>destroy</on_crash>\n  <devices>\n", out);
	element(out, 4, "emulator", o->qemu);
	fputs("    <serial type='pty'>\n      <target port='0'/>\n    </serial>\n"
	      "    <console type='pty'>\n      <target type='serial' port='0'/>\n    </console>\n",
	      out);
	interface(out, &o->net);
	fputs("    <controller type='usb' model='none'/>\n    <video>\n      <model type='none'/>\n"
	      "    </video>\n    <memballoon model='none'/>\n  </devices>\n</domain>\n", out);
	free(text);
	free(cmdline);
}

static void parse_option(struct run_opts *o, const char **name, const char **initrd, int opt,
			 const char *arg, char **argv)
{
	switch (opt) {
	case OPT_SMP: o->smp = opt_number("libvirt", "--smp", arg, 1, MAX_SMP); break;
	case 'm': o->mem = opt_memory("libvirt", arg); break;
	case OPT_MACHINE:
		if (strcmp(arg, "pc") && strcmp(arg, "q35"))
			die("libvirt: --machine wants pc or q35, not '%s'", arg);
		o->machine = arg;
		break;
	case OPT_ACCEL: o->accel = opt_accel("libvirt", arg); break;
	case OPT_QEMU: o->qemu = arg; break;
	case OPT_NAME:
		if (!*arg || strpbrk(arg, "/\n"))
			die("libvirt: --name wants a name without '/', not '%s'", arg);
		*name = arg;
		break;
	case OPT_INITRD: *initrd = arg; break;
	case OPT_NIC: net_set_nic(&o->net, "libvirt", arg); break;
	case 'h': cmd_libvirt_usage(stdout); exit(0);
	case ':': die("libvirt: %s needs a value (see amphi help libvirt)", opt_failed(argv));
	default:
		if (!guest_option(o, "libvirt", opt, arg))
			die("libvirt: unknown option '%s' (see amphi help libvirt)", opt_failed(argv));
	}
}

int cmd_libvirt(int argc, char **argv)
{
	struct run_opts o;
	const char *name = NULL, *initrd = NULL;
	int opt;

	run_opts_defaults(&o);
	o.qemu = "/usr/bin/qemu-system-x86_64";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:m:e:p:vh", options, NULL)) != -1)
		parse_option(&o, &name, &initrd, opt, optarg, argv);
	net_check(&o.net);
	struct step *steps = guest_steps(&o, "libvirt", argc, argv);
	o.accel = accel_choose("libvirt", o.accel);
	char *prog = xstrdup(steps[o.nbefore].prog.path);
	if (!name)
		name = xasprintf("amphi-%s", basename(prog));
	if (!initrd)
		initrd = xasprintf("%s.initrd", name);
	kernel_check(o.kernel);	/* QEMU boots it by PVH, as built */
	unlink(initrd);		/* initrd_write makes a new file */
	struct pathset libs = { 0 };
	libs_for_run(&o, steps, o.nbefore + 1, &libs);
	mem_fits("libvirt", o.mem, o.kernel, initrd, initrd_write(initrd, steps, o.nbefore + 1, &o, &libs));
	domain_xml(stdout, &o, name, absolute(o.kernel), absolute(initrd));
	return fflush(stdout) ? EXIT_VMFAIL : 0;
}
