/* Reads /.amphi/config (docs/protocol.md) and starts the program. */
#include "linux/program.h"

#include "core/boottime.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "fs/fdtable.h"
#include "fs/vfs.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "config.h"
#include "dev/console.h"
#include "dev/devices.h"
#include "frame.h"
#include "fs/initrd.h"
#include "linux/boot_mount.h"
#include "linux/cred.h"
#include "linux/ctty.h"
#include "linux/exec.h"
#include "linux/host.h"
#include "linux/process.h"
#include "linux/rootfs.h"
#include "linux/signal.h"
#include "linux/stdio.h"
#include "linux/trace.h"
#include "net/net_config.h"
#include "net/port.h"

#define MAX_STRINGS 65536
#define MAX_STEPS 64

static volatile bool started;	/* the first step's init runs */

/* One program of the run: the --before commands, then the program itself. */
struct step {
	const char *exe;
	const char **argv;	/* into settings.args */
	int argc;
};

struct settings {
	struct step steps[MAX_STEPS];
	int nsteps;
	const char **args, **envp;
	int nargs, envc;
};

static _Noreturn void fail(int status, const char *fmt, const char *a, const char *b)
{
	char line[320];
	int n = snprintf(line, sizeof line, fmt, a, b);

	console_write(FRAME_STDERR, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	process_exit_vm(status);
}

_Noreturn void program_out_of_memory(void)
{
	fail(137, "amphi: out of memory starting the program%s%s\n", "", "");
}

/* Each "exe" starts a step; the "arg"s after it are its argv. */
static bool take_setting(struct settings *s, const char *key, const char *value)
{
	if (!strcmp(key, "exe")) {
		if (s->nsteps == MAX_STEPS)
			return false;
		s->steps[s->nsteps++] = (struct step){ value, s->args + s->nargs, 0 };
	} else if (!strcmp(key, "arg")) {
		if (!s->nsteps || s->nargs == MAX_STRINGS - 1)
			return false;
		s->args[s->nargs++] = value;
		s->steps[s->nsteps - 1].argc++;
	} else if (!strcmp(key, "env")) {
		if (s->envc == MAX_STRINGS - 1)
			return false;
		s->envp[s->envc++] = value;
	} else if (!strncmp(key, "net.", 4)) {
		if (net_config_set(key, value))
			return false;
		if (!strcmp(key, "net.hostname"))
			host_set_nodename(value);	/* uname's too, not only DHCP's */
	} else if (!strcmp(key, "user")) {
		return cred_set_start_user(value);
	} else if (!strcmp(key, "trace")) {
		trace_configure(value);
	} else if (!strcmp(key, "tty")) {
		for (const char *c = value; *c; c++)
			if (*c >= '0' && *c <= '2')
				stdio_set_tty(*c - '0', true);
		if (strchr(value, '0'))
			console_set_eof_once();	/* ^D ends one read, not the input */
	}
	return true;	/* unknown keys are for later versions */
}

/* How many of the config's pairs have this key (at most MAX_STRINGS):
 * the arrays are sized to the run, not to the limit, since allocating
 * and clearing 1 MiB cost milliseconds of every boot. */
static size_t count_key(const void *data, size_t size, const char *want)
{
	size_t off = 0, n = 0;
	const char *key, *value;

	while (config_next(data, size, &off, &key, &value) == 1 && n < MAX_STRINGS)
		n += !strcmp(key, want);
	return n;
}

static void read_settings(struct settings *s)
{
	const void *data;
	size_t size, off = 0;
	const char *key, *value;
	int r;

	if (initrd_lookup("/" CONFIG_PATH, &data, &size))
		fail(127, "amphi: the initrd has no %s%s\n", CONFIG_PATH, "");
	/* The settings point into the config; it outlives the initrd
	 * (initrd_release), in a copy kept for the run. */
	char *copy = kmalloc(size ? size : 1);
	if (!copy)
		program_out_of_memory();
	data = memcpy(copy, data, size);
	s->args = kmalloc((count_key(data, size, "arg") + 1) * sizeof *s->args);
	s->envp = kmalloc((count_key(data, size, "env") + 1) * sizeof *s->envp);
	if (!s->args || !s->envp)
		program_out_of_memory();
	while ((r = config_next(data, size, &off, &key, &value)) == 1)
		if (!take_setting(s, key, value))
			r = -1;
	if (r < 0 || !s->nsteps)
		fail(127, "amphi: malformed %s%s\n", CONFIG_PATH, "");
}

/* Loads step's program as the step's init process and starts it. */
static void start_step(const struct step *step, const struct settings *s, bool last)
{
	struct trapframe tf;
	struct exec_args a;
	const char *why = "arguments too long";
	int err;
	struct process *p = process_alloc(&err);
	struct mm *mm = mm_new();
	struct fdtable *files = fdtable_new();
	struct fs_context *fs = fs_context_new();
	struct exec_result *res = kmalloc(sizeof *res);

	if (!p || !mm || !files || !fs || !res || stdio_install(files))
		program_out_of_memory();
	err = exec_args_from_kernel(&a, step->argv, step->argc, s->envp, s->envc,
				    exec_args_limit(p->limits[RLIMIT_STACK].cur));
	cred_init_start(&p->cred);
	process_limits_to_mm(p, mm);	/* RLIMIT_MEMLOCK's 8 MiB from the start */
	cred_exec_prepare(p, &a);
	if (!err)
		err = exec_image(mm, step->exe, &a, res, &tf, &why);
	if (err == -ENOMEM)
		program_out_of_memory();
	if (err)
		fail(err == -ENOENT ? 127 : 126, "amphi: %s: %s\n", step->exe, why);
	struct thread *t = thread_create_user(&tf);
	struct exec_strings *strings = exec_strings_new(res->exe, res->inode);
	if (!t || !strings)
		program_out_of_memory();
	process_set_identity(p, strings);
	t->mm = mm;
	t->files = files;
	t->fs = fs;
	p->pgid = p->sid = p->pid;
	process_exec_done(p, t, step->exe, a.ids);
	exec_args_free(&a);
	if (res->inode)
		inode_put(res->inode);
	kfree(res);
	process_set_init(p, last);
	process_start(p, NULL, false, t);
	started = true;
}

#define DHCP_WARNING "amphi: no DHCP lease within 5 s; starting without an IPv4 address\n"

/* A signal amphi got on the host (Ctrl-C...), for the program as a whole;
 * when amphi's stdin is a terminal, the terminal's own (^C, ^\, a
 * resize) for its foreground group, as on Linux (a shell's job gets them).
 * Before the program starts (the network may hold the boot: a lease, a
 * network server that is not there yet) there is nobody to catch it: it
 * ends the VM as it would have ended the program.  Interrupt context. */
static void host_signal(int sig)
{
	if (sig < 1 || sig > NSIG)
		return;
	if (!started && sig == SIGWINCH)
		return;		/* ignored by default, as Linux does */
	if (!started)
		process_exit_vm_early(128 + sig);
	if (stdio_is_tty(0) && (sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH))
		ctty_signal(sig);	/* as the terminal's own keys and resizes */
	else
		signal_send_init(sig);
}

/* A thread for a lease that came too late for the boot: the /etc files
 * catch up with it when it comes. */
static void late_lease(void *unused)
{
	(void)unused;
	net_wait_late_lease();
	rootfs_net_files_refresh();
	thread_exit();
}

static void start_late_lease_watch(void)
{
	struct thread *t = thread_create("dhcp late lease", late_lease, NULL);

	if (t)
		thread_start(t);	/* without memory for it the files stay as they are */
}

void program_start(void *unused)
{
	struct settings s = { 0 };

	(void)unused;
	if (dev_no_memory())	/* a NIC or disk asked for and missing: not the run asked for */
		fail(137, "amphi: out of memory starting a device (%s)%s: give the VM more memory\n",
		     dev_no_memory(), "");
	read_settings(&s);
	console_set_signal_hook(host_signal);
	/* Before the root file system: its /etc files follow the network. */
	bool lease_late = net_start(net_port_first()) == -ETIMEDOUT;
	boottime_mark("network");
	if (lease_late)
		console_write(FRAME_STDERR, DHCP_WARNING, sizeof DHCP_WARNING - 1);
	if (rootfs_init())
		program_out_of_memory();
	if (boot_mount())
		process_exit_vm(125);	/* its line says why */
	initrd_release();
	if (lease_late)
		start_late_lease_watch();
	boottime_mark("files");
	boottime_report();
	for (int i = 0; i < s.nsteps; i++) {
		bool last = i == s.nsteps - 1;
		start_step(&s.steps[i], &s, last);
		if (last)
			break;	/* its end ends the VM */
		int status = process_vm_status(process_wait_step());
		if (status)
			process_exit_vm(status);
	}
	kfree(s.args);
	kfree(s.envp);
}
