/* The first program to run under amphi: `make demo` runs
 *     build/amphi run build/examples/hello amphi
 * It is an ordinary static Linux program; nothing in it knows about amphi. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("Hello");
	for (int i = 1; i < argc; i++)
		printf("%s%s", i == 1 ? ", " : " ", argv[i]);
	printf("!\n");

	/* musl answers this with sched_getaffinity: the CPUs the kernel gives us. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("This is %s, a static Linux program, running on %ld CPU%s.\n",
	       argv[0], cpus, cpus == 1 ? "" : "s");
	return 0;
}
