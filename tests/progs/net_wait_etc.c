/* net_wait_etc TEXT [OWN-HOSTS-LINE]: with OWN-HOSTS-LINE, first writes it
 * as the whole of /etc/hosts (the program's own file, which must outlive a
 * late DHCP lease).  Prints "waiting", then reads /etc/resolv.conf every
 * 100 ms until it holds TEXT (60 s at most: status 1), and prints both
 * files, each after a "--- PATH" line. */
#include <stdio.h>
#include <string.h>
#include <time.h>

static size_t slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return n;
}

static void show(const char *path)
{
	char buf[4096];

	slurp(path, buf, sizeof buf);
	printf("--- %s\n%s", path, buf);
}

int main(int argc, char **argv)
{
	char buf[4096];
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: net_wait_etc TEXT [OWN-HOSTS-LINE]\n");
		return 2;
	}
	if (argc == 3) {
		FILE *f = fopen("/etc/hosts", "w");
		if (!f || fprintf(f, "%s\n", argv[2]) < 0 || fclose(f)) {
			perror("/etc/hosts");
			return 1;
		}
	}
	printf("waiting\n");
	fflush(stdout);
	for (int i = 0; i < 600; i++) {
		slurp("/etc/resolv.conf", buf, sizeof buf);
		if (strstr(buf, argv[1])) {
			show("/etc/resolv.conf");
			show("/etc/hosts");
			return 0;
		}
		nanosleep(&tick, NULL);
	}
	fprintf(stderr, "/etc/resolv.conf never held \"%s\":\n%s", argv[1], buf);
	return 1;
}
