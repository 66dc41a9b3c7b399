/* Out of memory with two processes: A takes 60% of the free memory and
 * waits; B then takes memory until there is none.  B's fault finds A the
 * largest: A is killed (SIGKILL) and B goes on into what A gave back,
 * until B is the largest and is killed itself.  The parent, small, sees
 * both ends; amphi names each on stderr.  Not run on the host (it would
 * take the host's memory): tests/vm/test_procs.py checks the lines. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_end.h"

#define CHUNK (1 << 20)

static void take(size_t bytes)
{
	for (size_t done = 0; done < bytes; done += CHUNK) {
		char *p = mmap(0, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		memset(p, 1, CHUNK);
	}
}

int main(void)
{
	struct sysinfo si;
	int ready[2];

	setvbuf(stdout, NULL, _IONBF, 0);
	sysinfo(&si);
	pipe(ready);
	pid_t a = fork();
	if (!a) {
		take((size_t)si.freeram * si.mem_unit / 10 * 6);
		write(ready[1], "a", 1);
		for (;;)
			pause();
	}
	char c;
	if (read(ready[0], &c, 1) != 1)
		return printf("A did not get its memory\n"), 1;
	pid_t b = fork();
	if (!b)
		for (;;)
			take(CHUNK);
	printf("A (pid %d): %s\n", a, end_of(a));
	printf("B (pid %d): %s\n", b, end_of(b));
	printf("proc_oom ok\n");
	return 0;
}
