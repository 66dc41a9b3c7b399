/* Sleeps argv[1] milliseconds (default 200) with nanosleep and checks with
 * CLOCK_MONOTONIC that at least that long and less than 5 s more passed. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 200;
	struct timespec req = { ms / 1000, (ms % 1000) * 1000000L };
	long long t0 = now_ns();

	if (nanosleep(&req, NULL) != 0) {
		perror("FAIL: nanosleep");
		return 1;
	}
	long long d = now_ns() - t0;
	if (d < ms * 1000000LL) {
		printf("FAIL: slept %lld ns, asked for %ld ms\n", d, ms);
		return 1;
	}
	if (d >= ms * 1000000LL + 5000000000LL) {
		printf("FAIL: slept %lld ns, asked for %ld ms (5 s too long)\n", d, ms);
		return 1;
	}
	printf("slept ok\n");
	return 0;
}
