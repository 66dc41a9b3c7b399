/* The "<N>" prefix of a write to /dev/kmsg with a facility past 255:
 * Linux keeps 8 bits of it (LOG_FACILITY, printk_info's u8 facility), so
 * "<2048>" is facility 0, which a writer never gets (LOG_USER instead),
 * and "<4294967295>" is facility 255, level 7.  Each line: what was
 * written, and the priority its record came back with. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	static const char *const lines[] = { "<2047>a", "<2048>b", "<2055>c", "<10240>d",
					     "<4294967295>e", "<4294967296>f" };
	int fd = open("/dev/kmsg", O_RDWR | O_NONBLOCK);

	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0) {
		perror("/dev/kmsg");
		return 1;
	}
	for (unsigned k = 0; k < sizeof lines / sizeof lines[0]; k++) {
		char rec[256];
		if (write(fd, lines[k], strlen(lines[k])) != (ssize_t)strlen(lines[k])) {
			perror("write");
			return 1;
		}
		ssize_t n = read(fd, rec, sizeof rec - 1);
		if (n <= 0) {
			perror("read");
			return 1;
		}
		rec[n] = 0;
		unsigned priority;
		char *text = strchr(rec, ';');
		sscanf(rec, "%u", &priority);
		printf("%s: %u %s", lines[k], priority, text ? text + 1 : "?\n");
	}
	return 0;
}
