/* amphi run --server NAME: the app's attach.  The reply names the slot's
 * ivshmem socket (for QEMU), in own mode the MAC the server gave, and for
 * an app that can take a NIC (own mode on q35: "hotplug") the path of
 * the QMP socket its QEMU is to listen on for the supervisor.
 * The connection is the app's hold on its slot: amphi keeps it open
 * (close-on-exec, so QEMU does not) until it exits. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

/* The program's base name and amphi's pid, in the characters a name may
 * have: "httpd-4242". */
char *link_default_name(const char *program)
{
	const char *base = strrchr(program, '/');
	char pid[16];

	base = base ? base + 1 : program;
	snprintf(pid, sizeof pid, "-%d", (int)getpid());
	size_t keep = strlen(base), max = LINK_NAME_MAX - 1 - strlen(pid);
	keep = keep < max ? keep : max;
	char *s = xasprintf("%.*s%s", (int)keep, base, pid);
	for (char *c = s; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *c))
			*c = '_';
	if (!app_name_ok(s))	/* it starts with '_', '.' or '-' */
		s[0] = 'a';
	return s;
}

int link_attach(struct net_opts *n, const char *app, const char *program)
{
	char *name = app ? xstrdup(app) : link_default_name(program);
	int fd = control_open("run", n->server_name, NULL);
	char *req = xasprintf("attach %s %d %s%s", name, (int)getpid(),
			      n->link_mode == LINK_MODE_OWN ? "own" : "shared",
			      n->hotplug ? " hotplug" : "");
	char *r = control_request("run", n->server_name, fd, req);
	char sock[4096], mac[32], qmp[4096];
	unsigned slot;

	r[strcspn(r, "\n")] = 0;
	if (!strncmp(r, "error ", 6))
		die("run: server '%s': %s", n->server_name, r + 6);
	if (sscanf(r, "ok %u %4095s %31s %4095s", &slot, sock, mac, qmp) != 4)
		die_status(EXIT_VMFAIL, "run: server '%s' answered '%s'", n->server_name, r);
	n->link_sock = xstrdup(sock);
	n->link_mac = strcmp(mac, "-") ? xstrdup(mac) : NULL;
	n->qmp_sock = strcmp(qmp, "-") ? xstrdup(qmp) : NULL;
	free(name);
	free(req);
	free(r);
	return fd;
}
