/* One /dev/kmsg open file read by one thread and written by another: the
 * reader waits for a record, the writer's line is that record.  On Linux
 * a write never waits for a read of the same open file (devkmsg_write
 * takes no lock the reader holds).  An alarm ends a hang. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fd;
static char rec[512];
static long got;

static void *reader(void *arg)
{
	(void)arg;
	got = read(fd, rec, sizeof rec - 1);
	return NULL;
}

int main(void)
{
	pthread_t t;

	fd = open("/dev/kmsg", O_RDWR);
	sleep(2);	/* past the boot's last lines (amphi's clock calibration) */
	if (fd < 0 || lseek(fd, 0, SEEK_END) < 0) {
		perror("/dev/kmsg");
		return 1;
	}
	alarm(15);	/* a hang: killed by SIGALRM, no output */
	pthread_create(&t, NULL, reader, NULL);
	usleep(300 * 1000);	/* the reader is waiting (either order gives the same answer) */
	printf("write: %ld\n", (long)write(fd, "<6>wake up", 10));
	fflush(stdout);
	pthread_join(t, NULL);
	rec[got > 0 ? got : 0] = 0;
	char *text = strchr(rec, ';');
	printf("read: %s", got > 0 && text ? text + 1 : "nothing\n");
	return 0;
}
