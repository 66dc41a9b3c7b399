/* amphi run --trace[=CALL,...] and --trace-file FILE: which system calls
 * the kernel traces (checked here against the names in the system's
 * <asm/unistd_64.h>, the same table the kernel is built with), and where
 * the lines go.  The kernel decodes; amphi only writes the FRAME_TRACE
 * lines out (docs/amphi.md, docs/protocol.md). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "amphi.h"

#define NR_SYSCALLS 512
extern const char *const syscall_names[NR_SYSCALLS];

static int syscall_known(const char *name, size_t len)
{
	for (int i = 0; i < NR_SYSCALLS; i++)
		if (syscall_names[i] && strlen(syscall_names[i]) == len &&
		    !strncmp(syscall_names[i], name, len))
			return 1;
	return 0;
}

/* "all", or names of system calls separated by commas. */
const char *trace_calls_check(const char *cmd, const char *list)
{
	if (!strcmp(list, "all"))
		return list;
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");
		if (!len)
			die("%s: --trace wants all or system call names separated by commas, not '%s'",
			    cmd, list);
		if (!syscall_known(p, len))
			die("%s: --trace: '%.*s' is not an x86_64 Linux system call", cmd, (int)len, p);
		if (!p[len])
			return list;
		p += len + 1;
	}
}

/* Created or truncated, as strace -o does.  Bad input: status 2. */
int trace_file_open(const char *cmd, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die("%s: --trace-file %s: %s", cmd, path, strerror(errno));
	return fd;
}
