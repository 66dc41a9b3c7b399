/* amphi run: options, checks, then initrd, QEMU and the console.
 * Everything that can be refused is refused (status 2) before QEMU starts. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

#define MAX_TIMEOUT	1000000
#define STOP_TIMEOUT	10		/* as docker stop */

enum {
	OPT_SMP = 256, OPT_MACHINE, OPT_ACCEL, OPT_BOOT, OPT_KERNEL, OPT_QEMU, OPT_TIMEOUT,
	OPT_STOP_TIMEOUT, OPT_FILES, OPT_BEFORE, OPT_SERVER, OPT_NAME, OPT_ADDRESS, OPT_SWITCH,
	OPT_TRACE, OPT_TRACE_FILE, OPT_GDB, OPT_NIC, OPT_OFFLOAD, OPT_USER, OPT_DISK, OPT_SHARE
};

static const struct option options[] = {
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "memory", required_argument, NULL, 'm' },
	{ "env", required_argument, NULL, 'e' },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "files", required_argument, NULL, OPT_FILES },
	{ "before", required_argument, NULL, OPT_BEFORE },
	{ "share", required_argument, NULL, OPT_SHARE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "disk", required_argument, NULL, OPT_DISK },
	NET_LONG_OPTIONS,
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "address", required_argument, NULL, OPT_ADDRESS },
	{ "switch", required_argument, NULL, OPT_SWITCH },
	{ "nic", required_argument, NULL, OPT_NIC },
	{ "offload", required_argument, NULL, OPT_OFFLOAD },
	{ "trace", optional_argument, NULL, OPT_TRACE },
	{ "trace-file", required_argument, NULL, OPT_TRACE_FILE },
	{ "gdb", optional_argument, NULL, OPT_GDB },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void cmd_run_usage(FILE *out)
{
	fputs("usage: amphi run [options] PROGRAM [ARG...]\n"
	      "\n"
	      "Boots a VM that runs PROGRAM, a static x86_64 Linux executable, with the\n"
	      "ARGs. The program's standard input, output and error are amphi's own.\n"
	      "A PROGRAM without a slash is taken from the current directory, else PATH.\n"
	      "\n"
	      "options (they end at PROGRAM):\n"
	      "  --smp N            virtual CPUs, 1 to 255 (default 1)\n"
	      "  -m, --memory SIZE  guest memory; a number of MiB, or with a K, M or G\n"
	      "                     suffix (default 64M; least: the kernel's image, 384K\n"
	      "                     and an initrd over 64K, about 2600K for hello)\n"
	      "  -e, --env VAR=VAL  set an environment variable (repeatable); the defaults\n"
	      "                     are PATH=/usr/local/bin:/usr/bin:/bin and HOME=/\n"
	      "  --machine TYPE     pc, q35 or microvm (default pc)\n"
	      "  --accel ACCEL      kvm or tcg (default kvm if /dev/kvm works, else tcg)\n"
	      "  --boot PROTOCOL    pvh or multiboot (default pvh)\n"
	      "  --kernel PATH      kernel image (default $AMPHI_KERNEL, else amphi.elf\n"
	      "                     beside the amphi binary)\n"
	      "  --qemu PATH        QEMU binary (default qemu-system-x86_64)\n"
	      "  --timeout SECONDS  stop the VM after this long (default 0: no limit)\n"
	      "  --stop-timeout SECONDS\n"
	      "                     after the first SIGINT, SIGTERM or SIGQUIT amphi passes\n"
	      "                     on, stop the VM if it has not ended within this long\n"
	      "                     (default 10; 0: stop it at once)\n"
	      "  --files HOSTDIR[:GUESTDIR]\n"
	      "                     copy a host folder into the guest's root file system\n"
	      "                     at GUESTDIR (default /); repeatable\n"
	      "  --share HOSTDIR:GUESTDIR[:ro]\n"
	      "                     mount a host folder at GUESTDIR (made if missing),\n"
	      "                     live over 9p: reads and writes reach the host folder\n"
	      "                     at once; :ro refuses changes (EROFS); repeatable\n"
	      "  --name APP         the VM's name, for amphi kill and amphi stop, and the\n"
	      "                     app's name on its server (there by default: the\n"
	      "                     program's base name and amphi's pid, like httpd-4242)\n"
	      "  --before \"PROGRAM ARG...\"\n"
	      "                     run this first, in the same VM and file system (words\n"
	      "                     split at spaces); repeatable, in order; a command that\n"
	      "                     fails ends the run with its status\n"
	      "\n"
	      "disks (see amphi help disk to make an image):\n"
	      "  --disk FILE[:GUESTDIR][,if=virtio|nvme][,ro]\n"
	      "                     give the guest a disk: FILE is a raw image or a host\n"
	      "                     block device; the guest sees /dev/vda, /dev/vdb, ...\n"
	      "                     (virtio, the default) or /dev/nvme0n1, ... (if=nvme,\n"
	      "                     pc and q35), with their partitions; GUESTDIR mounts\n"
	      "                     its file system (or its first partition's) there; ro\n"
	      "                     makes it read-only; repeatable, up to 8 disks\n"
	      "\n"
	      "network (no NIC unless -p or --net is given):\n"
	      "  -p, --publish [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]\n"
	      "                     forward a host port (on HOSTADDR, default 127.0.0.1)\n"
	      "                     to the guest's; implies --net user; repeatable\n"
	      "  --net MODE         user (QEMU's user networking: no root, the host is\n"
	      "                     10.0.2.2 to the guest), tap=IFNAME (an existing tap\n"
	      "                     device), or none (default)\n"
	      "  --ip ADDR/PREFIX   static IPv4 address (default: DHCP)\n"
	      "  --gw ADDR          IPv4 default gateway (with --ip)\n"
	      "  --dns ADDR         name server for /etc/resolv.conf; repeatable\n"
	      "  --ip6 ADDR/PREFIX  static IPv6 address (link-local and SLAAC always)\n"
	      "  --user UID[:GID]   start the program with these user and group ids (real,\n"
	      "                     effective, saved and file system; GID defaults to UID),\n"
	      "                     no supplementary groups and no capabilities, as a\n"
	      "                     non-root user has on Linux (default: root)\n"
	      "  --hostname NAME    the guest's host name\n"
	      "  --nic MODEL        virtio (virtio-net, the default) or e1000e (Intel's\n"
	      "                     82574, as QEMU emulates it; pc and q35)\n"
	      "  --offload on|off   off: the NIC driver asks its device for no offload\n"
	      "                     (checksums, merged receive buffers, several queues);\n"
	      "                     -v shows what was taken (default on)\n"
	      "\n"
	      "behind a network server (see amphi help server):\n"
	      "  --server NAME      no NIC: the app's frames go through server NAME, over a\n"
	      "                     slot of shared memory (pc and q35 only; not with -p or\n"
	      "                     --net, which belong to amphi server start)\n"

	      "  --address MODE     shared (default: the server's addresses, the app's ports\n"
	      "                     its own) or own (a MAC and addresses of its own, by DHCP\n"
	      "                     or --ip/--ip6, which imply own); an own-address app runs\n"
	      "                     on q35 unless --machine says otherwise, so that it can\n"
	      "                     take a NIC of its own (amphi switch)\n"
	      "  --switch auto[:HIGH,LOW]\n"
	      "                     let the app ask for a NIC of its own above HIGH frames/s\n"
	      "                     (for 3 s) and give it back below LOW (for 10 s); default\n"
	      "                     auto:2000,200; own address and q35 only\n"
	      "\n"
	      "debugging:\n"
	      "  --trace[=CALL,...] print the program's system calls (all, or those named)\n"
	      "                     as strace does: thread id, call, decoded arguments,\n"
	      "                     result or error; signals taken; the program's end\n"
	      "  --trace-file FILE  write the trace to FILE instead of standard error\n"
	      "                     (implies --trace)\n"
	      "  --gdb[=PORT]       start the VM halted, with QEMU's gdb stub on\n"
	      "                     127.0.0.1:PORT (default 1234), and print the gdb\n"
	      "                     command that attaches with the kernel's and the\n"
	      "                     program's symbols\n"
	      "\n"
	      "  -v, --verbose      show kernel messages and QEMU's errors as they come\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status:\n"
	      "  0-255  the program's own (128+N if signal N ended it)\n"
	      "  2      bad usage or bad input: unknown option, PROGRAM missing or not\n"
	      "         a static x86_64 Linux program, kernel image missing or not\n"
	      "         amphi's, a --disk missing, not writable or in use\n"
	      "  124    --timeout expired\n"
	      "  125    the VM failed: kernel panic, QEMU error, or no exit status\n"
	      "  141    amphi's standard output was closed before the program ended\n"
	      "  130, 143, 131  amphi got SIGINT, SIGTERM or SIGQUIT and the VM did not\n"
	      "         end within --stop-timeout, or two SIGINTs within a second (^C ^C)\n"
	      "  137    amphi stop APP stopped the VM\n"
	      "\n"
	      "amphi passes SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH\n"
	      "on to the program, each time it gets one (amphi kill sends them by name);\n"
	      "on a terminal, SIGINT, SIGQUIT and SIGWINCH go to the foreground process\n"
	      "group of the program's terminal, as a terminal's keys send them.\n",
	      out);
}

/* One id of --user: a number below (uid_t)-1, which means "no id". */
static int user_id_ok(const char *s, const char *end)
{
	unsigned long long v = 0;

	if (s == end)
		return 0;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (unsigned)(*s - '0')) >= 0xffffffffull)
			return 0;
	}
	return 1;
}

static const char *user_option(const char *arg)
{
	const char *colon = strchr(arg, ':'), *end = arg + strlen(arg);

	if (!user_id_ok(arg, colon ? colon : end) || (colon && !user_id_ok(colon + 1, end)))
		die("run: --user wants UID or UID:GID, numbers from 0 to 4294967294, not '%s'", arg);
	return arg;
}

static int one_of(const char *v, const char *a, const char *b, const char *c)
{
	return strcmp(v, a) == 0 || strcmp(v, b) == 0 || (c && strcmp(v, c) == 0);
}

/* -e NAME=VALUE replaces an earlier NAME in place (defaults included),
 * else joins the end: the program sees each name once, in a stable order. */
void run_env_set(struct run_opts *o, const char *var)
{
	const char *eq = strchr(var, '=');
	size_t name_len = eq ? (size_t)(eq - var) : 0;

	if (!name_len)
		die("run: -e wants VAR=VALUE, not '%s'", var);
	for (size_t i = 0; i < o->nenv; i++) {
		if (strncmp(o->env[i], var, name_len + 1) == 0) {
			o->env[i] = xstrdup(var);
			return;
		}
	}
	o->env = xrealloc(o->env, sizeof(char *) * (o->nenv + 1));
	o->env[o->nenv++] = xstrdup(var);
}

void run_opts_defaults(struct run_opts *o)
{
	memset(o, 0, sizeof *o);
	o->smp = 1;
	o->mem = 64ull << 20;
	o->stop_timeout = STOP_TIMEOUT;
	o->machine = "pc";
	o->qemu = "qemu-system-x86_64";
	o->trace_fd = -1;
	run_env_set(o, "PATH=/usr/local/bin:/usr/bin:/bin");
	run_env_set(o, "HOME=/");
}

static void parse_option(struct run_opts *o, int opt, const char *arg, char **argv)
{
	switch (opt) {
	case OPT_SMP: o->smp = opt_number("run", "--smp", arg, 1, MAX_SMP); break;
	case 'm': o->mem = opt_memory("run", arg); break;
	case 'e': run_env_set(o, arg); break;
	case OPT_MACHINE:
		if (!one_of(arg, "pc", "q35", "microvm"))
			die("run: --machine wants pc, q35 or microvm, not '%s'", arg);
		o->machine = arg;
		o->machine_given = 1;
		break;
	case OPT_ACCEL: o->accel = opt_accel("run", arg); break;
	case OPT_BOOT:
		if (!one_of(arg, "multiboot", "pvh", NULL))
			die("run: --boot wants multiboot or pvh, not '%s'", arg);
		o->boot = arg;
		break;
	case OPT_KERNEL: o->kernel = arg; break;
	case OPT_QEMU: o->qemu = arg; break;
	case OPT_TIMEOUT: o->timeout = opt_number("run", "--timeout", arg, 0, MAX_TIMEOUT); break;
	case OPT_STOP_TIMEOUT:
		o->stop_timeout = opt_number("run", "--stop-timeout", arg, 0, MAX_TIMEOUT);
		break;
	case OPT_FILES:
		o->files = xrealloc(o->files, sizeof(char *) * (o->nfiles + 1));
		o->files[o->nfiles++] = (char *)arg;
		break;
	case OPT_SHARE: share_option(o, arg); break;
	case OPT_BEFORE:
		o->before = xrealloc(o->before, sizeof(char *) * (o->nbefore + 1));
		o->before[o->nbefore++] = (char *)arg;
		break;
	case OPT_SERVER: o->net.server_name = arg; break;
	case OPT_NAME:
		if (!app_name_ok(arg))
			die("run: --name wants 1 to %d letters, digits, '_', '.' or '-', starting with "
			    "a letter or digit, not '%s'", LINK_NAME_MAX - 1, arg);
		o->app_name = arg;
		break;
	case OPT_ADDRESS:
		if (!one_of(arg, "shared", "own", NULL))
			die("run: --address wants shared or own, not '%s'", arg);
		o->net.link_mode = strcmp(arg, "own") ? LINK_MODE_SHARED : LINK_MODE_OWN;
		break;
	case OPT_TRACE: o->trace = arg ? trace_calls_check("run", arg) : "all"; break;
	case OPT_TRACE_FILE: o->trace_file = arg; break;
	case OPT_NIC: net_set_nic(&o->net, "run", arg); break;
	case OPT_OFFLOAD:
		if (!one_of(arg, "on", "off", NULL))
			die("run: --offload wants on or off, not '%s'", arg);
		o->net.offload_off = !strcmp(arg, "off");
		break;
	case OPT_GDB: o->gdb_port = gdb_port_option("run", arg); break;
	case OPT_USER: o->user = user_option(arg); break;
	case OPT_DISK: disk_option(o, "run", arg); break;
	case OPT_SWITCH: net_switch_option(&o->net, arg); break;
	case 'v': o->verbose = 1; break;
	case 'h': cmd_run_usage(stdout); exit(0);
	case ':': die("run: %s needs a value (see amphi help run)", opt_failed(argv));
	default:
		if (net_option(&o->net, opt, arg))
			break;
		die("run: unknown option '%s' (see amphi help run)", opt_failed(argv));
	}
}

/* Fills o; returns the index of PROGRAM in argv. */
static int parse_args(struct run_opts *o, int argc, char **argv)
{
	int opt;

	run_opts_defaults(o);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:m:e:p:vh", options, NULL)) != -1)
		parse_option(o, opt, optarg, argv);
	net_check(&o->net);
	if (o->trace_file && !o->trace)
		o->trace = "all";	/* a file for the trace asks for one */
	if (o->net.nic && !strcmp(o->net.nic, "e1000e") && !strcmp(o->machine, "microvm"))
		die("run: --nic e1000e needs a PCI machine (pc or q35), not microvm");
	if (o->net.nic && !net_has_nic(&o->net))
		die("run: --nic needs a NIC (-p or --net user|tap=IFNAME)");
	if (o->net.offload_off && !net_has_nic(&o->net))
		die("run: --offload needs a NIC (-p or --net user|tap=IFNAME)");
	if (o->net.server_name && !strcmp(o->machine, "microvm"))
		die("run: --server needs a PCI machine (pc or q35), not microvm");
	o->machine = net_link_machine(&o->net, o->machine, o->machine_given);
	disk_check(o, "run");
	kernel_cmdline_check(o);
	if (optind >= argc)
		die("run: missing PROGRAM (see amphi help run)");
	o->args = argv + optind + 1;
	o->nargs = (size_t)(argc - optind - 1);
	if (!o->boot)
		o->boot = "pvh";
	if (!o->kernel)
		o->kernel = kernel_default_path();
	return optind;
}

static void print_argv(char **argv)
{
	fputs("amphi:", stderr);
	for (; *argv; argv++)
		fprintf(stderr, " %s", *argv);
	fputc('\n', stderr);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct vm vm;

	int pi = parse_args(&o, argc, argv);
	signals_init();
	size_t nsteps = o.nbefore + 1;
	struct step *steps = steps_load("run", &o, argv[pi]);
	struct pathset libs = { 0 };
	libs_for_run(&o, steps, nsteps, &libs);	/* before booting: a missing one is refused */
	o.accel = accel_choose("run", o.accel);
	if (o.trace_file)
		o.trace_fd = trace_file_open("run", o.trace_file);
	tmpdir_create();
	const char *kernel = kernel_for_boot(o.kernel, o.boot);
	/* The attach's connection stays open until amphi exits: it holds the
	 * slot (close-on-exec: QEMU does not hold it too). */
	if (o.app_name)
		vm_name_claim(o.app_name);
	if (o.net.server_name)
		link_attach(&o.net, o.app_name, argv[pi]);
	char *initrd = tmpdir_file("initrd.cpio");
	mem_fits("run", o.mem, o.kernel, initrd, initrd_write(initrd, steps, nsteps, &o, &libs));
	for (size_t i = 0; i < nsteps; i++)
		free(steps[i].prog.data);
	char **qargv = qemu_argv(&o, kernel, initrd);
	if (o.verbose)
		print_argv(qargv);
	net_preload_for_qemu(&o.net);
	int r = qemu_spawn(qargv, &vm);
	if (r < 0)
		die_status(EXIT_VMFAIL, "cannot run %s: %s", o.qemu, strerror(-r));
	if (o.gdb_port)
		gdb_announce(&o, &steps[o.nbefore].prog, &vm);
	return console_run(&vm, &o);
}
