/* The QEMU process: its command line (a growing argv) and its life (spawn,
 * reap, kill). */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "amphi.h"
#include "boot_cmdline.h"

void qargs_add(struct qargs *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 64;
		a->v = xrealloc(a->v, sizeof(char *) * a->cap);
	}
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

void qargs_addf(struct qargs *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	qargs_add(a, s);
	free(s);
}

/* A value inside a QEMU option list ("path=...,id=..."): a comma there
 * is written twice. */
char *qemu_opt_escape(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		*o++ = *s;
		if (*s == ',')
			*o++ = ',';
	}
	*o = 0;
	return out;
}

/* microvm as our kernel wants it: no option ROMs to load (faster boot),
 * a CMOS clock for the wall time, a PIT to calibrate the LAPIC timer
 * against, no 8259 (the kernel uses the IOAPIC), COM1 for the console,
 * and ACPI tables (the MADT lists the CPUs). */
static const char *machine_arg(const char *machine)
{
	if (strcmp(machine, "microvm") == 0)
		return "microvm,x-option-roms=off,rtc=on,pit=on,pic=off,isa-serial=on,acpi=on";
	return machine;
}

/* -m takes a bare number as MiB; anything finer is passed in KiB. */
static char *mem_arg(uint64_t bytes)
{
	if (bytes % (1 << 20) == 0)
		return xasprintf("%lluM", (unsigned long long)(bytes >> 20));
	return xasprintf("%lluK", (unsigned long long)(bytes >> 10));
}

/* KVM runs the host's CPU model, less IA32_ARCH_CAPABILITIES: nested
 * hosts (KVM inside a cloud VM) offer that MSR and then refuse to set it,
 * and QEMU aborts ("failed to set MSR 0x10a").  Nothing in the guest
 * needs it.  TCG emulates the most it can ("max"). */
static const char *cpu_arg(const char *accel)
{
	return strcmp(accel, "kvm") == 0 ? "host,-arch-capabilities" : "max";
}

/* The machine, from the QEMU binary to the debug-exit port: what every VM
 * amphi starts has, the server VM included. */
void qemu_args_machine(struct qargs *a, const struct run_opts *o)
{
	char *s;

	qargs_add(a, o->qemu);
	qargs_add(a, "-display");		/* no window: the console is the serial line */
	qargs_add(a, "none");
	qargs_add(a, "-nodefaults");		/* no NIC, VGA, floppy or CD unless asked for */
	qargs_add(a, "-no-user-config");	/* a site's qemu.conf cannot change the machine */
	qargs_add(a, "-no-reboot");		/* a triple fault ends QEMU instead of a reboot loop */
	qargs_add(a, "-M");
	qargs_add(a, machine_arg(o->machine));
	qargs_add(a, "-accel");
	qargs_add(a, o->accel);
	qargs_add(a, "-cpu");
	qargs_add(a, cpu_arg(o->accel));
	qargs_add(a, "-m");
	qargs_add(a, s = mem_arg(o->mem));
	free(s);
	/* maxcpus >= 2 even for one CPU: with max_cpus == 1, TCG drops the
	 * guest's memory barriers while devices run in other host threads. */
	qargs_add(a, "-smp");
	qargs_add(a, s = xasprintf("%u,maxcpus=%u", o->smp, o->smp < 2 ? 2 : o->smp));
	free(s);
	qargs_add(a, "-serial");		/* COM1 is QEMU's stdin/stdout: our pipes */
	qargs_add(a, "stdio");
	qargs_add(a, "-device");		/* the guest's way to make QEMU exit */
	qargs_add(a, "isa-debug-exit,iobase=0xf4,iosize=4");
}

/* What the kernel reads before any config: the drivers' offloads, the
 * disks' mounts, the shares; with -v, that the kernel should say what it
 * finds at boot (printk_info).  NULL when there is nothing to say. */
static char *kernel_cmdline(const struct run_opts *o)
{
	char *line = o->net.offload_off ? xstrdup("net.offload=off") : NULL;

	line = share_cmdline(o, disk_cmdline(o, line));
	return o->verbose ? words_add(line, "amphi.verbose") : line;
}

void kernel_cmdline_check(const struct run_opts *o)
{
	char *line = kernel_cmdline(o);
	size_t len = line ? strlen(line) : 0;

	free(line);
	if (len >= BOOT_CMDLINE_MAX)
		die("run: the --disk and --share folders make the kernel's command line %zu "
		    "bytes long, more than the %d it takes: use shorter GUESTDIRs", len,
		    BOOT_CMDLINE_MAX - 1);
}

char **qemu_argv(const struct run_opts *o, const char *kernel, const char *initrd)
{
	struct qargs a = { 0 };

	qemu_args_machine(&a, o);
	net_qemu_args(&o->net, o->machine, o->smp, &a);
	gdb_qemu_args(o, &a);
	qargs_add(&a, "-kernel");
	qargs_add(&a, kernel);
	qargs_add(&a, "-initrd");
	qargs_add(&a, initrd);
	disk_qemu_args(o, &a);
	share_qemu_args(o, &a);
	char *append = kernel_cmdline(o);
	if (append) {
		qargs_add(&a, "-append");
		qargs_add(&a, append);
		free(append);
	}
	return a.v;
}

/* In the child: QEMU gets the pipes as stdio, its own process group (a
 * ^C at the terminal reaches amphi alone, which stops QEMU itself), death
 * with amphi (no orphan VM if amphi is SIGKILLed), and the signal state
 * amphi started with.  The child is vfork()ed: it runs in amphi's memory
 * until the exec, so it makes system calls only and leaves by _exit. */
static noreturn void child(char **argv, int in, int out, int err, int report, pid_t parent)
{
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signals_default();
	sigprocmask(SIG_SETMASK, signals_child_mask(), NULL);
	execvp(argv[0], argv);
	int e = errno;
	if (write(report, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

/* Returns 0, or -errno if QEMU could not be started (the exec failure
 * comes back through a close-on-exec pipe: EOF there means exec worked).
 * vfork, not fork: copying amphi's page tables and taking the copy-on-write
 * faults after cost a millisecond of every start. */
int qemu_spawn(char **argv, struct vm *vm)
{
	int in[2], out[2], err[2], rep[2], e = 0;
	pid_t parent = getpid();

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
	    pipe2(rep, O_CLOEXEC))
		return -errno;
	vm->pid = vfork();
	if (vm->pid < 0)
		return -errno;
	if (vm->pid == 0)
		child(argv, in[0], out[1], err[1], rep[1], parent);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	close(rep[1]);
	while (read(rep[0], &e, sizeof e) < 0 && errno == EINTR)
		;
	close(rep[0]);
	if (e) {
		waitpid(vm->pid, NULL, 0);
		return -e;
	}
	vm->in = in[1];
	vm->out = out[0];
	vm->err = err[0];
	vm->reaped = 0;
	vm->pidfd = -1;		/* the console's, if it wants one */
	/* Ours alone (QEMU has the other ends), so O_NONBLOCK here is safe. */
	fcntl(vm->in, F_SETFL, O_NONBLOCK);
	fcntl(vm->out, F_SETFL, O_NONBLOCK);
	fcntl(vm->err, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Returns 1 once QEMU has been waited for (its status in vm->wstatus). */
int qemu_reap(struct vm *vm, int block)
{
	if (vm->reaped)
		return 1;
	pid_t r;
	while ((r = waitpid(vm->pid, &vm->wstatus, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == vm->pid || (r < 0 && errno == ECHILD)) {
		vm->reaped = 1;
		if (vm->pidfd >= 0)
			close(vm->pidfd);	/* a supervisor restarts QEMU: no fd per restart */
		vm->pidfd = -1;
	}
	return vm->reaped;
}

void qemu_kill(struct vm *vm)
{
	if (!vm->reaped)
		kill(vm->pid, SIGKILL);
}
