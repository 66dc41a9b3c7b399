/* The host command: declarations shared between its files.  One section
 * per file, in the order a run goes through them. */
#ifndef AMPHI_TOOL_H
#define AMPHI_TOOL_H

#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#ifndef AMPHI_VERSION
#define AMPHI_VERSION "0.1.0"
#endif

/* Exit statuses of amphi itself (the program's own are 0..255). */
#define EXIT_USAGE	2	/* bad usage or bad input */
#define EXIT_TIMEOUT	124	/* --timeout expired (as timeout(1)) */
#define EXIT_VMFAIL	125	/* the VM failed: panic, QEMU error, no status */

/* main.c: the subcommand table */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);	/* NULL: the one-line summary is all */
	const char *summary;
};
const struct command *command_find(const char *name);
const struct command *command_list(size_t *n);

/* cmd_*.c: one file per subcommand */
int cmd_run(int argc, char **argv);
void cmd_run_usage(FILE *out);
int cmd_iso(int argc, char **argv);
int cmd_libvirt(int argc, char **argv);
void cmd_libvirt_usage(FILE *out);
void cmd_iso_usage(FILE *out);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
void amphi_usage(FILE *out);

/* util.c: one-line errors and small helpers */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* line (freed; NULL for none) with a blank and the formatted word added. */
char *words_add(char *line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int parse_uint(const char *s, uint64_t max, uint64_t *v);
int parse_size(const char *s, uint64_t *bytes);
int write_full(int fd, const void *buf, size_t n);
ssize_t send_fd(int sock, const void *buf, size_t len, int fd, int flags);
int64_t now_ms(void);
/* Option values, checked; each dies with "CMD: OPT wants ..." (status 2). */
#define MAX_MEM		(1ull << 40)
#define MAX_SMP		255		/* xAPIC IDs, without interrupt remapping */
unsigned opt_number(const char *cmd, const char *opt, const char *v, uint64_t min, uint64_t max);
uint64_t opt_memory(const char *cmd, const char *v);
const char *opt_accel(const char *cmd, const char *v);
const char *opt_failed(char **argv);	/* the option getopt_long refused */

/* signals.c: SIGINT/SIGTERM/SIGHUP are blocked except while amphi waits
 * in ppoll, so a signal is seen at one place only. */
void signals_init(void);
const sigset_t *signals_wait_mask(void);	/* for ppoll */
const sigset_t *signals_child_mask(void);	/* what QEMU starts with */
void signals_default(void);	/* a vfork()ed child: nothing caught */
int signals_take(void);			/* a signal caught and not yet taken, or 0 */
int signals_stop_request(void);		/* what amphi stop sends amphi run */
void signals_block(const sigset_t *set);	/* instead of signals_init: for a signalfd */

/* tmpdir.c: the run's private directory, removed at exit */
const char *tmpdir_create(void);
char *tmpdir_file(const char *name);	/* path for name inside it, tracked for removal */
void tmpdir_remove(void);

/* program.c: the program to run, read and checked */
struct program {
	const char *typed;	/* as the user wrote it: becomes argv[0] */
	char *path;		/* absolute, symlinks resolved: its place in the guest */
	uint8_t *data;
	size_t size;
	mode_t mode;
	uint32_t mtime;
	int is_pie;		/* a static-pie: loaded at ELF_PIE_BASE */
};
void program_load(struct program *p, const char *typed);

/* libs.c: what a dynamically linked program needs in the guest, as host
 * paths (each is brought to the same path, symlinks on the way included). */
struct pathset {
	char **v;
	size_t n;
};
void pathset_add(struct pathset *s, const char *path);
/* The interpreter and every library the program (and theirs) need; dies
 * with one line naming what cannot be found.  Nothing for a static one. */
void libs_for_program(const struct program *p, const char *ld_library_path, struct pathset *out);
/* The libraries the shared objects under hostdir (a --files tree) need,
 * found as for program p. */
void libs_for_tree(const char *hostdir, const struct program *p, const char *ld_library_path,
		   struct pathset *out);
struct run_opts;
struct step;
/* Both for a run: every step's program, and every --files tree (before
 * booting: a library that cannot be found ends amphi with one line). */
void libs_for_run(const struct run_opts *o, const struct step *steps, size_t nsteps,
		  struct pathset *libs);

/* One program of the run with its arguments: the --before commands, then
 * PROGRAM itself.  All run in one VM, one after another, on one file system. */
struct step {
	struct program prog;
	char **args;		/* argv[1..] */
	size_t nargs;
};

/* The --before commands (each split at spaces), then PROGRAM with o's
 * args: o->nbefore + 1 steps, every program read and checked. */
struct run_opts;
struct step *steps_load(const char *cmd, const struct run_opts *o, const char *prog);

/* The guest's network (net.c): the NIC QEMU gives it and the settings the
 * kernel reads from the config.  Strings are as typed, already checked. */
enum net_mode { NET_NONE, NET_USER, NET_TAP, NET_BRIDGE };
struct net_forward;
struct net_opts {
	int server;		/* amphi server start's (the server VM's), not run's */
	enum net_mode mode;	/* -p alone implies NET_USER */
	int mode_given;		/* --net was given */
	const char *tap;	/* --net tap=IFNAME */
	const char *bridge;	/* server: --net bridge=BRIDGE */
	int tap_fd;		/* server, bridge: the supervisor's tap, for QEMU */
	const char *mac;	/* a fixed MAC (the server's); NULL: QEMU's, or random on a tap */
	const char *pci_addr;	/* the NIC's PCI slot, NULL: QEMU's choice */
	struct net_forward *fwd;	/* -p */
	size_t nfwd;
	const char *ip, *gw, *ip6;	/* --ip ADDR/PREFIX, --gw ADDR, --ip6 ADDR/PREFIX */
	const char **dns;	/* --dns ADDR */
	size_t ndns;
	const char *hostname;	/* --hostname NAME */
	const char *nic;	/* --nic: "virtio" or "e1000e"; NULL: virtio */
	int offload_off;	/* run --offload off: net.offload=off for the kernel */
	/* run --server: a link to a network server instead of a NIC */
	const char *server_name;	/* --server NAME */
	int link_mode;		/* enum link_mode (lib/link.h); 0 until --address or net_check */
	const char *link_sock;	/* the slot's ivshmem socket, from the attach */
	const char *link_mac;	/* own mode: the MAC the server gave */
	/* own mode on q35: a PCIe root port for a hot-plugged NIC (direct
	 * mode) and a QMP socket the supervisor drives it through */
	int hotplug;
	const char *qmp_sock;	/* from the attach */
	const char *switch_policy;	/* --switch auto[:HIGH,LOW], checked */
};

/* disk.c: --disk FILE[:GUESTDIR][,if=virtio|nvme][,ro], checked at once */
#define MAX_DISKS	8
struct disk_opt {
	const char *file;
	const char *guestdir;	/* NULL: not mounted */
	int nvme;		/* if=nvme; else virtio */
	int ro;
};
struct run_opts;
void disk_option(struct run_opts *o, const char *cmd, const char *spec);
/* After every option: checks that need the machine and the whole list. */
void disk_check(const struct run_opts *o, const char *cmd);
struct qargs;
void disk_qemu_args(const struct run_opts *o, struct qargs *a);
/* cmdline (malloc'd, may be NULL) with " mount=vda:/data ..." added for
 * the kernel; NULL if both are empty. */
char *disk_cmdline(const struct run_opts *o, char *cmdline);

/* cmd_disk.c: amphi disk create */
int cmd_disk(int argc, char **argv);
void cmd_disk_usage(FILE *out);
int disk_create(int argc, char **argv);
/* share.c: --share HOSTDIR:GUESTDIR[:ro], checked */
struct share {
	const char *host, *guest;
	int ro;
};

/* The run's settings, from cmd_run's options. */
struct run_opts {
	unsigned smp;
	uint64_t mem;		/* bytes */
	const char *machine;	/* pc, q35, microvm */
	int machine_given;	/* --machine was given */
	const char *accel;	/* kvm, tcg */
	const char *boot;	/* multiboot, pvh */
	const char *kernel;
	const char *qemu;
	unsigned timeout;	/* seconds, 0 = none */
	unsigned stop_timeout;	/* seconds from a forwarded signal to a hard stop */
	int verbose;
	char **env;		/* NAME=VALUE, defaults merged in */
	size_t nenv;
	char **args;		/* the program's argv[1..] */
	size_t nargs;
	char **files;		/* --files HOSTDIR[:GUESTDIR] */
	size_t nfiles;
	char **before;		/* --before "PROGRAM ARG..." */
	size_t nbefore;
	struct share *shares;	/* --share */
	size_t nshares;
	struct net_opts net;
	const char *app_name;	/* --name, with --server */
	const char *user;	/* --user UID[:GID], checked; NULL: root */
	const char *trace;	/* --trace: "all" or CALL,...; NULL: off */
	const char *trace_file;	/* --trace-file */
	int trace_fd;		/* open on it, or -1: the lines go to stderr */
	unsigned gdb_port;	/* --gdb: QEMU's gdb stub listens there; 0: none */
	int tty_all;		/* the program's 0, 1, 2 are terminals (a serial
				 * console: amphi iso, amphi libvirt) */
	struct disk_opt disks[MAX_DISKS];	/* --disk, in order */
	size_t ndisks;
};

/* cmd_run.c: the run's defaults, and -e (a NAME again replaces it) */
void run_opts_defaults(struct run_opts *o);
void run_env_set(struct run_opts *o, const char *var);

/* qemu.c: a QEMU command line, growing (NULL-terminated all along) */
struct qargs {
	char **v;
	size_t n, cap;
};

/* share.c: --share's QEMU devices and kernel command line keys (cmdline
 * may be NULL; the result replaces it) */
void share_option(struct run_opts *o, const char *arg);
void share_qemu_args(const struct run_opts *o, struct qargs *a);
char *share_cmdline(const struct run_opts *o, char *cmdline);
void qargs_add(struct qargs *a, const char *s);
void qargs_addf(struct qargs *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *qemu_opt_escape(const char *s);	/* a value inside "key=value,..." */

/* net.c: the networking options (parsed in cmd_run's and server start's
 * loops), their cross-checks once all are in, QEMU's arguments and the
 * config's keys. */
enum { OPT_NET = 512, OPT_IP, OPT_GW, OPT_DNS, OPT_IP6, OPT_HOSTNAME };	/* and 'p' */
/* Their rows of a getopt_long table (amphi run's and server start's); the
 * guest's own addresses alone for images that boot without amphi run. */
#define ADDR_LONG_OPTIONS \
	{ "ip", required_argument, NULL, OPT_IP }, \
	{ "gw", required_argument, NULL, OPT_GW }, \
	{ "dns", required_argument, NULL, OPT_DNS }, \
	{ "ip6", required_argument, NULL, OPT_IP6 }, \
	{ "hostname", required_argument, NULL, OPT_HOSTNAME }
#define NET_LONG_OPTIONS \
	{ "publish", required_argument, NULL, 'p' }, \
	{ "net", required_argument, NULL, OPT_NET }, \
	ADDR_LONG_OPTIONS
int net_option(struct net_opts *n, int opt, const char *arg);	/* 1 if it was one */
void net_set_nic(struct net_opts *n, const char *cmd, const char *arg);
int net_has_nic(const struct net_opts *n);
void net_check(struct net_opts *n);
/* amphi run --server: the machine own-address apps default to (q35, so
 * they can switch), and --switch's checks; sets n->hotplug. */
const char *net_link_machine(struct net_opts *n, const char *machine, int given);
#define SWITCH_RATE_MAX	10000000	/* frames per second, as the kernel takes them */
#define LINK_HOTPLUG_PORT "rp1"		/* the app's root port, for the NIC */
void net_switch_option(struct net_opts *n, const char *arg);
/* Makes QEMU preload amphi-slirp.so on user networking (net.c says why). */
void net_preload_for_qemu(const struct net_opts *n);
/* ncpus: the guest's vCPUs; a tap that can take several queues gets a
 * queue pair per vCPU (multiqueue virtio-net). */
void net_qemu_args(const struct net_opts *n, const char *machine, unsigned ncpus, struct qargs *a);
typedef void net_pair_fn(void *ctx, const char *key, const char *value);
void net_config(const struct net_opts *n, net_pair_fn *emit, void *ctx);
int ifname_ok(const char *s);
void net_random_mac(uint8_t m[6]);
char *net_mac_string(const uint8_t m[6]);

/* hostdir.c: the entries of a --files tree, parents first */
typedef void hostdir_emit_fn(void *ctx, const char *name, uint32_t mode, uint32_t mtime,
			     const void *data, size_t size);
void hostdir_walk(const char *spec, hostdir_emit_fn *emit, void *ctx);

/* trace.c: --trace and --trace-file (each dies with one line, status 2) */
const char *trace_calls_check(const char *cmd, const char *list);
int trace_file_open(const char *cmd, const char *path);

/* gdb.c: --gdb (the option, QEMU's arguments, the command for the user) */
struct vm;
unsigned gdb_port_option(const char *cmd, const char *arg);
void gdb_qemu_args(const struct run_opts *o, struct qargs *a);
void gdb_announce(const struct run_opts *o, const struct program *prog, struct vm *vm);

/* guest_opts.c: what amphi iso and amphi libvirt share with run */
enum { OPT_G_FILES = 600, OPT_G_BEFORE, OPT_G_TRACE, OPT_G_KERNEL };
#define GUEST_LONG_OPTIONS \
	{ "env", required_argument, NULL, 'e' }, \
	{ "files", required_argument, NULL, OPT_G_FILES }, \
	{ "before", required_argument, NULL, OPT_G_BEFORE }, \
	{ "trace", optional_argument, NULL, OPT_G_TRACE }, \
	{ "kernel", required_argument, NULL, OPT_G_KERNEL }, \
	{ "verbose", no_argument, NULL, 'v' }
int guest_option(struct run_opts *o, const char *cmd, int opt, const char *arg);	/* 1: it was */
struct step *guest_steps(struct run_opts *o, const char *cmd, int argc, char **argv);
char *guest_cmdline(const struct run_opts *o, int vga);

/* initrd.c: the cpio archive the kernel unpacks (docs/protocol.md); its size */
uint64_t initrd_write(const char *path, const struct step *steps, size_t nsteps,
		  const struct run_opts *o, const struct pathset *libs);
/* An initrd with /.amphi/config alone, its pairs given by fill (the server
 * VM's: it runs no program).  path must not exist. */
typedef void initrd_config_fn(void *ctx, net_pair_fn *emit, void *emit_ctx);
void initrd_write_config(const char *path, initrd_config_fn *fill, void *ctx);

/* kernel.c: which kernel image to boot, its copy for multiboot, and the
 * least memory it boots in */
const char *kernel_default_path(void);
void kernel_check(const char *kernel);
const char *kernel_for_boot(const char *kernel, const char *boot);
uint64_t kernel_mem_end(const char *kernel);
/* The least -m is the kernel's image (kernel_mem_end) and MEM_ABOVE_KERNEL.
 * The kernel's boot allocations fit in the RAM below 1 MiB; what binds is
 * the layout: QEMU loads the initrd under the firmware's tables at the top
 * of RAM, and on pc and q35 SeaBIOS's working memory reaches down about
 * 300 KiB from there, over the kernel's bss, which QEMU cleared before the
 * firmware ran (hello ran from 304K over the image on pc, 312K on q35, on
 * 2026-12-07; microvm, without SeaBIOS, needs less).
 * An initrd over SMALL_INITRD (hello's is 23 KiB) needs as much more, or
 * it overlaps the kernel (seen with busybox's 1.9 MiB below 4200K).  On
 * refusal the initrd file goes too; initrd_path may be NULL (none). */
#define MEM_ABOVE_KERNEL	(384ull << 10)
#define SMALL_INITRD		(64ull << 10)
void mem_fits(const char *cmd, uint64_t mem, const char *kernel, const char *initrd_path,
	      uint64_t initrd);

/* accel.c */
int kvm_usable(void);
const char *accel_choose(const char *cmd, const char *asked);	/* NULL: the best here */

/* qemu.c: the QEMU process */
struct vm {
	pid_t pid;
	int in, out, err;	/* our ends of its stdin, stdout, stderr */
	int pidfd;		/* readable once it has exited; -1 without pidfd_open */
	int reaped, wstatus;
};
void qemu_args_machine(struct qargs *a, const struct run_opts *o);
/* Dies (status 2) when the options make a kernel command line longer than
 * the kernel keeps (lib/boot_cmdline.h). */
void kernel_cmdline_check(const struct run_opts *o);
char **qemu_argv(const struct run_opts *o, const char *kernel, const char *initrd);
int qemu_spawn(char **argv, struct vm *vm);
int qemu_reap(struct vm *vm, int block);
void qemu_kill(struct vm *vm);

/* terminal.c: amphi's terminal in the input modes the program set (frame
 * M); put back at exit */
void terminal_set_modes(uint32_t iflag, uint32_t lflag);

/* console.c: relays the console until the VM ends; returns amphi's status */
int console_run(struct vm *vm, const struct run_opts *o);

#endif
