/* Reads /.amphi/config (docs/protocol.md) and starts the program. */
#include "linux/program.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "config.h"
#include "dev/console.h"
#include "frame.h"
#include "fs/initrd.h"
#include "linux/exec.h"
#include "linux/process.h"
#include "linux/rootfs.h"
#include "linux/signal.h"
#include "linux/stdio.h"

#define MAX_STRINGS 65536

struct settings {
	const char *exe;
	const char **argv, **envp;
	int argc, envc;
};

static _Noreturn void fail(int status, const char *fmt, const char *a, const char *b)
{
	char line[320];
	int n = snprintf(line, sizeof line, fmt, a, b);

	console_write(FRAME_STDERR, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	process_exit(status);
}

static void read_settings(struct settings *s)
{
	const void *data;
	size_t size, off = 0;
	const char *key, *value;
	int r;

	if (initrd_lookup("/" CONFIG_PATH, &data, &size))
		fail(127, "amphi: the initrd has no %s%s\n", CONFIG_PATH, "");
	s->argv = kmalloc(MAX_STRINGS * sizeof *s->argv);
	s->envp = kmalloc(MAX_STRINGS * sizeof *s->envp);
	if (!s->argv || !s->envp)
		linux_out_of_memory();
	while ((r = config_next(data, size, &off, &key, &value)) == 1) {
		if (!strcmp(key, "exe"))
			s->exe = value;
		else if (!strcmp(key, "arg") && s->argc < MAX_STRINGS - 1)
			s->argv[s->argc++] = value;
		else if (!strcmp(key, "env") && s->envc < MAX_STRINGS - 1)
			s->envp[s->envc++] = value;
		else if (!strcmp(key, "tty"))
			for (const char *c = value; *c; c++)
				if (*c >= '0' && *c <= '2')
					stdio_set_tty(*c - '0', true);
	}
	if (r < 0 || !s->exe)
		fail(127, "amphi: malformed %s%s\n", CONFIG_PATH, "");
}

void program_start(void *unused)
{
	struct settings s = { 0 };
	struct trapframe tf;
	const char *why;

	(void)unused;
	read_settings(&s);
	if (stdio_install())
		linux_out_of_memory();
	if (rootfs_init())
		linux_out_of_memory();
	int err = exec_load(s.exe, s.argv, s.argc, s.envp, s.envc, &tf, &why);
	if (err == -ENOMEM)
		linux_out_of_memory();
	if (err)
		fail(err == -ENOENT ? 127 : 126, "amphi: %s: %s\n", s.exe, why);
	kfree(s.argv);
	kfree(s.envp);
	memcpy(proc.exe, s.exe, strnlen(s.exe, sizeof proc.exe - 1));
	struct thread *t = thread_create_user(&tf);
	if (!t)
		linux_out_of_memory();
	proc.pid = t->tid;
	proc.nthreads = 1;
	signal_thread_start(t, NULL);
}
