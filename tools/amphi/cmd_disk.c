/* amphi disk COMMAND: disk images for amphi run --disk, a table of
 * subcommands as amphi server's, each in its own file (disk_create.c). */
#include <string.h>
#include "amphi.h"

static const struct command subcommands[] = {
	{ "create", disk_create, NULL, "make a raw image with an ext4 or ext2 file system" },
};

void cmd_disk_usage(FILE *out)
{
	fputs("usage: amphi disk create FILE SIZE [--from DIR] [--type ext4|ext2]\n"
	      "\n"
	      "create: writes a new raw disk image FILE of SIZE bytes (a number of MiB,\n"
	      "or with a K, M or G suffix: 64M, 1G) holding a file system made by\n"
	      "mke2fs (Debian's e2fsprogs), ready for amphi run --disk FILE:GUESTDIR.\n"
	      "FILE must not exist yet. Options:\n"
	      "  --from DIR         copy the host folder DIR into the file system's root\n"
	      "  --type TYPE        ext4 (the default) or ext2\n"
	      "  -h, --help         show this help\n"
	      "\n"
	      "exit status: 0; 2 for bad usage, a FILE that exists, a DIR that is not a\n"
	      "folder, or mke2fs's failure (its last message is shown).\n",
	      out);
}

int cmd_disk(int argc, char **argv)
{
	if (argc < 2) {
		cmd_disk_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		cmd_disk_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (!strcmp(subcommands[i].name, argv[1]))
			return subcommands[i].run(argc - 1, argv + 1);
	die("disk: '%s' is not a disk command (create)", argv[1]);
}
