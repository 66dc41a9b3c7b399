/* A user-mode fault: writes through a null pointer after saying so.
 * Under Linux (and amphi) the program dies of SIGSEGV: status 139. */
#include <stdio.h>

int main(void)
{
	printf("before fault\n");
	fflush(stdout);
	*(volatile int *)0 = 42;
	printf("FAIL: still running after the fault\n");
	return 1;
}
