/* amphi: the host command.  A table of subcommands matched exactly (as
 * git does: a typo is an error, never a guess), each in its own file. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

static const struct command commands[] = {
	{ "run", cmd_run, cmd_run_usage, "run a static Linux program in a VM" },
	{ "server", cmd_server, cmd_server_usage, "run and manage network servers" },
	{ "switch", cmd_switch, cmd_switch_usage, "move an app onto a NIC of its own or back" },
	{ "kill", cmd_kill, cmd_kill_usage, "send a signal to the program of a named VM" },
	{ "stop", cmd_stop, cmd_stop_usage, "stop a named VM at once, whatever its program does" },
	{ "libvirt", cmd_libvirt, cmd_libvirt_usage, "print a libvirt domain that runs a program" },
	{ "disk", cmd_disk, cmd_disk_usage, "make disk images for amphi run --disk" },
	{ "iso", cmd_iso, cmd_iso_usage, "write a bootable ISO image (BIOS and UEFI) of a program" },
	{ "help", cmd_help, NULL, "show help for amphi or one of its commands" },
	{ "version", cmd_version, NULL, "print amphi's version" },
};

const struct command *command_list(size_t *n)
{
	*n = sizeof commands / sizeof commands[0];
	return commands;
}

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* A closed 0, 1 or 2 would be reused by the next open() or pipe(), and
 * QEMU's stdio would land on the wrong pipe: fill the gaps with /dev/null. */
static void stdio_ensure_open(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd ? O_WRONLY : O_RDONLY) < 0)
			_exit(EXIT_VMFAIL);
}

int main(int argc, char **argv)
{
	stdio_ensure_open();
	if (argc < 2) {
		amphi_usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0)
		name = "version";
	const struct command *cmd = command_find(name);
	if (!cmd)
		die("'%s' is not an amphi command (see amphi help)", argv[1]);
	return cmd->run(argc - 1, argv + 1);
}
