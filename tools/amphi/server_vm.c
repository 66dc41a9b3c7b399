/* The server VM: its initrd and QEMU, its console, and its restarts.
 *
 * The machine is pc: the NIC at PCI slot 2, then the slots' ivshmem
 * devices in bus order, slot K at (3 + K/8).(K%8), since the kernel
 * numbers slots in PCI order.  The initrd holds the config alone: the
 * role, the number of slots, the SipHash key of this supervisor's server
 * VMs, the generation (1, then +1 at every start), and the net.* keys.
 *
 * A VM that dies (QEMU killed, a panic) is replaced at once by the next
 * generation; only one that keeps dying within QUICK_DEATH_MS of its
 * start waits, BACKOFF_FIRST_MS doubling up to BACKOFF_MAX_MS.  The very
 * first VM is different: until it says it forwards (frame R), amphi
 * server start waits, and a death or the start deadline (server_start.c)
 * ends the server with the reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "supervisor.h"

#define QUICK_DEATH_MS	10000
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS	4000
#define GRACE_MS	2000	/* for QEMU to exit after X or P */
#define LAST_WORDS	(8 * 1024)	/* kernel messages and QEMU errors kept for a failed start */

static void emit_u32(net_pair_fn *emit, void *ctx, const char *key, unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof buf, "%u", v);
	emit(ctx, key, buf);
}

static void fill_config(void *ctx, net_pair_fn *emit, void *ectx)
{
	struct supervisor *sv = ctx;
	char key[2 * sizeof sv->key + 1];

	for (size_t i = 0; i < sizeof sv->key; i++)
		snprintf(key + 2 * i, 3, "%02x", sv->key[i]);
	emit(ectx, "role", "server");
	emit_u32(emit, ectx, "link.slots", sv->o->nslots);
	emit(ectx, "link.key", key);
	emit_u32(emit, ectx, "link.gen", sv->vm.generation);
	net_config(&sv->o->vm.net, emit, ectx);
}

static char **vm_argv(struct supervisor *sv, const char *initrd)
{
	struct qargs a = { 0 };

	qemu_args_machine(&a, &sv->o->vm);
	net_qemu_args(&sv->o->vm.net, "pc", sv->o->vm.smp, &a);
	for (unsigned k = 0; k < sv->o->nslots; k++) {
		char *path = qemu_opt_escape(sv->slots[k].path);
		qargs_add(&a, "-chardev");
		qargs_addf(&a, "socket,id=slot%u,path=%s", k, path);
		qargs_add(&a, "-device");
		qargs_addf(&a, "ivshmem-doorbell,chardev=slot%u,vectors=%u,addr=%x.%x%s", k,
			   LINK_VECTORS, 3 + k / 8, k % 8, k % 8 ? "" : ",multifunction=on");
		free(path);
	}
	/* The ledger after every slot in PCI order: the kernel takes the
	 * ivshmem device after its slots as the ledger. */
	qargs_add(&a, "-object");
	qargs_addf(&a, "memory-backend-file,id=ledger,mem-path=/proc/self/fd/%d,size=%u,share=on",
		   sv->ledger_fd, LINK_LEDGER_SIZE);
	qargs_add(&a, "-device");
	qargs_add(&a, "ivshmem-plain,memdev=ledger,addr=1f.0");
	qargs_add(&a, "-kernel");
	qargs_add(&a, sv->o->vm.kernel);
	qargs_add(&a, "-initrd");
	qargs_add(&a, initrd);
	if (sv->o->vm.verbose) {	/* the kernel says what it finds at boot */
		qargs_add(&a, "-append");
		qargs_add(&a, "amphi.verbose");
	}
	return a.v;
}

static void argv_free(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static void report_argv(struct supervisor *sv, char **argv)
{
	struct queue q = { 0 };

	queue_push(&q, "amphi:", 6);
	for (; *argv; argv++) {
		queue_push(&q, " ", 1);
		queue_push(&q, *argv, strlen(*argv));
	}
	queue_push(&q, "\n", 2);	/* with the NUL */
	sv_report(sv, "%s", (const char *)queue_data(&q));
	free(q.buf);
}

/* What a VM that just ended was: "qemu exited with 1", "killed by signal 9". */
static void describe_exit(int wstatus, char *buf, size_t size)
{
	if (WIFSIGNALED(wstatus))
		snprintf(buf, size, "qemu was killed by signal %d", WTERMSIG(wstatus));
	else
		snprintf(buf, size, "qemu exited with %d", WEXITSTATUS(wstatus));
}

/* The first VM could not start or died before it was ready: amphi server
 * start prints its last words and the reason, and the server ends. */
static void start_failed(struct supervisor *sv, const char *why)
{
	struct server_vm *v = &sv->vm;

	if (v->klog.len && !sv->o->vm.verbose)	/* with -v, they were shown already */
		sv_report(sv, "%.*s%s", (int)v->klog.len, (const char *)queue_data(&v->klog),
			  queue_data(&v->klog)[v->klog.len - 1] == '\n' ? "" : "\n");
	if (v->qlog.len && !sv->o->vm.verbose)
		sv_report(sv, "%.*s%s", (int)v->qlog.len, (const char *)queue_data(&v->qlog),
			  v->qlog_bol ? "" : "\n");
	sv_report(sv, "amphi: server start: server '%s': %s\n", sv->o->name, why);
	sv_log(sv, "start failed: %s", why);
	sv->exit_status = EXIT_VMFAIL;
	sv->stopping = true;
}

/* After a death: at once, unless it keeps dying young. */
static void schedule_restart(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;
	int64_t lived = now_ms() - v->started_ms, delay = 0;

	v->quick_deaths = lived < QUICK_DEATH_MS ? v->quick_deaths + 1 : 0;
	if (v->quick_deaths > 1) {
		delay = (int64_t)BACKOFF_FIRST_MS << (v->quick_deaths - 2 < 4 ? v->quick_deaths - 2 : 4);
		delay = delay < BACKOFF_MAX_MS ? delay : BACKOFF_MAX_MS;
	}
	v->restarts++;
	v->restart_at = now_ms() + delay;
	if (delay)
		sv_log(sv, "it died young %u times in a row: the next starts in %lld ms",
		       v->quick_deaths, (long long)delay);
	else
		server_vm_start(sv);
}

static void spawn_failed(struct supervisor *sv, int err)
{
	char why[256];

	snprintf(why, sizeof why, "cannot run %s: %s", sv->o->vm.qemu, strerror(err));
	if (!sv->ever_ready) {
		start_failed(sv, why);
		return;
	}
	sv_log(sv, "%s", why);
	sv->vm.started_ms = now_ms();
	schedule_restart(sv);
}

void server_vm_start(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;
	char *initrd = xasprintf("%s/initrd", sv->o->dir);

	v->restart_at = 0;
	v->generation++;
	unlink(initrd);
	initrd_write_config(initrd, fill_config, sv);
	char **argv = vm_argv(sv, initrd);
	if (sv->o->vm.verbose)
		report_argv(sv, argv);
	int r = qemu_spawn(argv, &v->vm);
	argv_free(argv);
	free(initrd);
	if (r < 0) {
		spawn_failed(sv, -r);
		return;
	}
	v->running = v->out_open = v->err_open = true;
	v->ready = false;
	v->started_ms = now_ms();
	v->kill_at = 0;
	v->log_bol = v->qlog_bol = 1;
	queue_drop(&v->klog, v->klog.len);
	queue_drop(&v->qlog, v->qlog.len);
	frame_decoder_init(&v->dec, 1);
	sv_log(sv, "server VM generation %u started (qemu pid %d)", v->generation, (int)v->vm.pid);
}

static void on_ready(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;

	if (v->ready)
		return;
	v->ready = true;
	sv_log(sv, "server VM generation %u forwards", v->generation);
	if (!sv->ever_ready) {
		sv->ever_ready = true;
		sv_report_end(sv, 0);
		return;
	}
	/* A new server after a restart: every app re-attaches to it. */
	for (unsigned i = 0; i < sv->o->nslots; i++)
		if (sv->slots[i].assigned)
			slot_ring(&sv->slots[i], SIDE_APP, LINK_VEC_CONTROL);
}

/* Into server.log, and while the first VM starts for amphi server start's
 * terminal too: escaped (queue.c), as whatever the guest says is. */
static void on_kmsg(struct supervisor *sv, const uint8_t *p, size_t n)
{
	struct server_vm *v = &sv->vm;
	struct queue text = { 0 };

	queue_push_text(&text, p, n);
	sv_log_raw(sv, queue_data(&text), text.len);
	if (!sv->ever_ready) {
		queue_push(&v->klog, queue_data(&text), text.len);
		queue_keep_last(&v->klog, LAST_WORDS);
		if (sv->o->vm.verbose)
			sv_report(sv, "%.*s", (int)text.len, (const char *)queue_data(&text));
	}
	free(text.buf);
}

static void on_frame(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;
	struct frame_decoder *d = &v->dec;

	switch (d->type) {
	case FRAME_READY:
		on_ready(sv);
		break;
	case FRAME_PANIC:
		sv_log(sv, "the server VM's kernel panicked");
		on_kmsg(sv, (const uint8_t *)"kernel panic: ", 14);
		on_kmsg(sv, d->payload, d->len);
		v->kill_at = now_ms() + GRACE_MS;
		break;
	case FRAME_EXIT:
		sv_log(sv, "the server VM ended (status frame)");
		v->kill_at = now_ms() + GRACE_MS;
		break;
	default:	/* K, and O or E should a program ever print */
		on_kmsg(sv, d->payload, d->len);
	}
}

/* Both readers return what read() did: > 0 for more to come. */
static ssize_t read_stdout(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;
	uint8_t buf[16384];
	ssize_t n = read(v->vm.out, buf, sizeof buf);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return n;
	if (n <= 0) {
		v->out_open = false;
		return n;
	}
	for (ssize_t i = 0; i < n; i++)
		if (frame_feed(&v->dec, buf[i]) == 1)
			on_frame(sv);
	return n;
}

/* QEMU's own errors: into the log, line by line, prefixed. */
static ssize_t read_stderr(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;
	char buf[4096];
	ssize_t n = read(v->vm.err, buf, sizeof buf);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return n;
	if (n <= 0) {
		v->err_open = false;
		return n;
	}
	struct queue q = { 0 };
	queue_push_lines(&q, "qemu: ", buf, (size_t)n, &v->log_bol);
	sv_log_raw(sv, queue_data(&q), q.len);
	if (!sv->ever_ready && sv->o->vm.verbose)
		sv_report(sv, "%.*s", (int)q.len, (const char *)queue_data(&q));
	free(q.buf);
	if (!sv->ever_ready) {
		queue_push_lines(&v->qlog, "qemu: ", buf, (size_t)n, &v->qlog_bol);
		queue_keep_last(&v->qlog, LAST_WORDS);
	}
	return n;
}

void server_vm_output(struct supervisor *sv, int fd)
{
	if (fd == sv->vm.vm.out)
		read_stdout(sv);
	else
		read_stderr(sv);
}

/* QEMU is gone: what it still had to say, then its descriptors, then its
 * connections to the slots (the apps are not told: ivshmem.c says why). */
static void vm_ended(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;
	char why[64];

	/* Until end of file, or until nothing is there (a --qemu wrapper's
	 * child may hold the pipes open still). */
	while (v->out_open && read_stdout(sv) > 0)
		;
	while (v->err_open && read_stderr(sv) > 0)
		;
	close(v->vm.in);
	close(v->vm.out);
	close(v->vm.err);
	v->running = false;
	for (unsigned i = 0; i < sv->o->nslots; i++)
		peer_gone(sv, &sv->slots[i], &sv->slots[i].server);
	describe_exit(v->vm.wstatus, why, sizeof why);
	sv_log(sv, "server VM generation %u ended: %s, after %lld s", v->generation, why,
	       (long long)(now_ms() - v->started_ms) / 1000);
	if (sv->stopping)
		return;
	if (!sv->ever_ready) {
		char msg[128];
		snprintf(msg, sizeof msg, "the server VM stopped before it was ready (%s)", why);
		start_failed(sv, msg);
		return;
	}
	schedule_restart(sv);
}

void server_vm_reap(struct supervisor *sv)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (sv->vm.running && pid == sv->vm.vm.pid) {
			sv->vm.vm.wstatus = status;
			sv->vm.vm.reaped = 1;
			vm_ended(sv);
		} else {
			switch_reaped(sv, pid);
		}
	}
}

/* Runs what is due; returns the ms until the next thing is (-1: none). */
int server_vm_tick(struct supervisor *sv)
{
	struct server_vm *v = &sv->vm;
	int64_t now = now_ms(), next = -1;
	int64_t deadline = sv->started_ms + (int64_t)sv->o->deadline_s * 1000;

	if (!sv->ever_ready && !sv->stopping) {
		if (now >= deadline) {
			char msg[128];
			snprintf(msg, sizeof msg, "the server VM was not ready after %u s",
				 sv->o->deadline_s);
			start_failed(sv, msg);
			return 0;
		}
		next = deadline;
	}
	if (v->restart_at && now >= v->restart_at)
		server_vm_start(sv);
	if (v->kill_at && v->running && now >= v->kill_at) {
		qemu_kill(&v->vm);
		v->kill_at = 0;
	}
	if (v->restart_at && (next < 0 || v->restart_at < next))
		next = v->restart_at;
	if (v->kill_at && (next < 0 || v->kill_at < next))
		next = v->kill_at;
	return next < 0 ? -1 : (int)(next > now ? next - now : 0);
}

void server_vm_stop(struct supervisor *sv)
{
	if (!sv->vm.running)
		return;
	qemu_kill(&sv->vm.vm);
	qemu_reap(&sv->vm.vm, 1);
	vm_ended(sv);
}
