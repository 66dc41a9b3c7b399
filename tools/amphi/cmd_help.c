/* amphi help [COMMAND] and amphi version. */
#include <stdio.h>
#include "amphi.h"

void amphi_usage(FILE *out)
{
	size_t n;
	const struct command *cmds = command_list(&n);

	fputs("usage: amphi COMMAND [ARG...]\n\n"
	      "Runs unmodified static x86_64 Linux programs in small VMs under QEMU.\n\n"
	      "commands:\n", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\nSee 'amphi help COMMAND' for one command's options, and man ./docs/amphi.1.\n", out);
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		amphi_usage(stdout);
		return 0;
	}
	if (argc > 2)
		die("help: one command at a time (see amphi help)");
	const struct command *cmd = command_find(argv[1]);
	if (!cmd)
		die("help: '%s' is not an amphi command (see amphi help)", argv[1]);
	if (cmd->usage)
		cmd->usage(stdout);
	else
		printf("amphi %s: %s\n", cmd->name, cmd->summary);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		die("version: takes no arguments");
	printf("amphi %s\n", AMPHI_VERSION);
	return 0;
}
