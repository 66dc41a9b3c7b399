/* amphi run --gdb[=PORT]: QEMU starts the VM halted, with its gdb stub on
 * 127.0.0.1:PORT, and amphi prints the one gdb command that attaches with
 * the kernel's symbols and the program's (docs/amphi.md has a session).
 *
 * The program's symbols go in with add-symbol-file: a static program at
 * its own addresses, a static-pie at ELF_PIE_BASE, where the kernel's
 * loader puts it.  The kernel image itself carries its symbols (the PVH
 * copy amphi boots differs from it only in the multiboot magic). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "amphi.h"
#include "elf_check.h"

#define GDB_PORT_DEFAULT	1234
#define LISTEN_WAIT_MS		10000

/* 0: the port is free; -EADDRINUSE when something listens there. */
static int port_probe(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	int r = bind(s, (struct sockaddr *)&a, sizeof a) < 0 ? -errno : 0;
	close(s);
	return r;
}

unsigned gdb_port_option(const char *cmd, const char *arg)
{
	unsigned port = arg ? opt_number(cmd, "--gdb", arg, 1, 65535) : GDB_PORT_DEFAULT;

	if (port_probe(port) == -EADDRINUSE)
		die("%s: --gdb: port %u on 127.0.0.1 is in use (give another: --gdb=PORT)", cmd, port);
	return port;
}

void gdb_qemu_args(const struct run_opts *o, struct qargs *a)
{
	if (!o->gdb_port)
		return;
	qargs_add(a, "-S");	/* halted until gdb says continue */
	qargs_add(a, "-gdb");
	qargs_addf(a, "tcp:127.0.0.1:%u", o->gdb_port);
}

/* Single quotes for the shell: ' becomes '\''. */
static void put_shell_quoted(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}

/* Once QEMU listens (a bind to the port fails), so the command works at
 * once; gives up quietly if QEMU died or took too long (its own error
 * then tells). */
void gdb_announce(const struct run_opts *o, const struct program *prog, struct vm *vm)
{
	int64_t end = now_ms() + LISTEN_WAIT_MS;

	while (port_probe(o->gdb_port) != -EADDRINUSE) {
		if (qemu_reap(vm, 0) || now_ms() > end)
			return;
		usleep(5000);
	}
	char *kernel = realpath(o->kernel, NULL);
	char *sym = prog->is_pie ? xasprintf("add-symbol-file %s -o 0x%llx", prog->path, ELF_PIE_BASE)
				 : xasprintf("add-symbol-file %s", prog->path);
	char *target = xasprintf("target remote 127.0.0.1:%u", o->gdb_port);

	fprintf(stderr, "amphi: the VM waits for gdb on 127.0.0.1:%u; attach with:\n", o->gdb_port);
	fputs("gdb -q -ex ", stderr);
	put_shell_quoted(stderr, target);
	fputs(" -ex ", stderr);
	put_shell_quoted(stderr, sym);
	fputc(' ', stderr);
	put_shell_quoted(stderr, kernel ? kernel : o->kernel);
	fputc('\n', stderr);
	free(kernel);
	free(sym);
	free(target);
}
