/* /proc/PID/maps read again and again while PID exits, its last
 * descriptor a TCP connection with SO_LINGER (600 s) and unsent data (the
 * peer never reads).
 *
 * An ending process does not linger (as on Linux), and a reader of its
 * /proc files closes none of its files.  amphi's /proc/PID files once held
 * the process's descriptor table while they made their text at open,
 * under the VFS's global lock: when the process ended meanwhile, the
 * reader dropped the table's last reference and closed the connection
 * itself, lingering 600 s with the lock held, so every path lookup in the
 * machine waited too.  The child has thousands of areas, so a read of its
 * maps (a walk from the first area for each) spans its exit; each round
 * gives the exit one more chance to come inside one.  The test's run
 * time-out catches the hang.
 *
 * Prints fixed lines; a FAIL line and status 1 on a wrong answer. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stuck_conn.h"

#define ROUNDS		10
#define AREAS		4000

/* Reads path whole, if it is still there. */
static void read_once(const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	while (read(fd, buf, sizeof buf) > 0)
		;
	close(fd);
}

/* Many areas (alternate pages writable), so that making its maps, a
 * walk from the first area for each, takes a reader long enough for an
 * exit to come and go inside it. */
static void many_areas(void)
{
	char *p = mmap(NULL, AREAS * 4096ul, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	for (int k = 1; k < AREAS; k += 2)
		if (mprotect(p + k * 4096ul, 4096, PROT_READ | PROT_WRITE))
			die("mprotect");
}

/* One child holding the only reference to a lingering connection, ending
 * while this process reads its maps.  Its exit status, or -1. */
static int round_once(const struct sockaddr_in *addr, int k)
{
	int ready[2];
	char path[64], b;

	if (pipe(ready))
		die("pipe");
	int c = stuck_client(addr, 300);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(ready[0]);
		many_areas();
		write(ready[1], "r", 1);
		usleep(20000 + 15000 * k);	/* inside some read, one hopes */
		_exit(7);
	}
	close(c);	/* the child's is the last reference */
	close(ready[1]);
	if (read(ready[0], &b, 1) != 1)
		die("the child's word");
	close(ready[0]);
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	int status, r;
	while ((r = waitpid(pid, &status, WNOHANG)) == 0)
		read_once(path);
	if (r != pid)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	struct sockaddr_in addr;
	int l = listener(&addr, ROUNDS + 2), ok = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (int k = 0; k < ROUNDS; k++)
		ok += round_once(&addr, k) == 7;
	printf("children ended: %d of %d\n", ok, ROUNDS);
	/* The machine's paths still resolve. */
	if (access("/proc/self/status", R_OK))
		die("access /proc/self/status");
	printf("/proc/self/status readable: yes\n");
	close(l);
	printf("proc_exit_release done\n");
	return ok == ROUNDS ? 0 : 1;
}
