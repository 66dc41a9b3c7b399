/* eventfd and timerfd.
 *
 * eventfd: counter and semaphore reads, 8-byte rules, the overflow limit
 * 0xfffffffffffffffe (EAGAIN, or a writer blocked until a read), readers
 * woken by writers in another thread, poll events, flags.
 * timerfd: one-shot and periodic expirations counted (with missed periods
 * added up), absolute times on CLOCK_MONOTONIC and CLOCK_REALTIME, old values
 * and gettime, disarming, errors, a reader blocked in another thread, and
 * closing armed timers.  Time bounds are one-sided where the host may be slow.
 * One "<what> ok" line per check and "eventfd_timerfd ok"; "FAIL: ..." and
 * status 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno); \
	failures++; return; } } while (0)

#define MS 1000000ll

static int64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static uint64_t rd(int fd)
{
	uint64_t v = 0;

	return read(fd, &v, 8) == 8 ? v : 0;
}

static int wr(int fd, uint64_t v) { return write(fd, &v, 8) == 8; }

static short poll1(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0 };

	return poll(&p, 1, timeout) == 1 ? p.revents : 0;
}

/* ---- eventfd ---- */

static void eventfd_counter(void)
{
	int fd = eventfd(5, EFD_NONBLOCK);
	uint64_t v;
	struct stat st;

	CHECK(fd >= 0);
	CHECK(poll1(fd, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT));
	CHECK(rd(fd) == 5);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN);
	CHECK(poll1(fd, POLLIN | POLLOUT, 0) == POLLOUT);
	CHECK(wr(fd, 3) && wr(fd, 4) && wr(fd, 0));
	CHECK(rd(fd) == 7);
	CHECK(read(fd, &v, 4) == -1 && errno == EINVAL);
	CHECK(write(fd, &v, 7) == -1 && errno == EINVAL);
	v = ~0ull;
	CHECK(write(fd, &v, 8) == -1 && errno == EINVAL);
	CHECK(read(fd, &v, 16) == -1 && errno == EAGAIN);
	CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600 && (st.st_mode & S_IFMT) == 0);
	CHECK((fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDWR | O_NONBLOCK));
	close(fd);
	CHECK(eventfd(0, 0x80) == -1 && errno == EINVAL);
	CHECK((fd = eventfd(0, EFD_CLOEXEC)) >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	close(fd);
	printf("eventfd counter ok\n");
}

static void eventfd_semaphore(void)
{
	int fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	uint64_t v;

	CHECK(fd >= 0);
	CHECK(rd(fd) == 1 && rd(fd) == 1 && rd(fd) == 1);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN);
	CHECK(wr(fd, 2) && rd(fd) == 1 && rd(fd) == 1);
	CHECK(poll1(fd, POLLIN, 0) == 0);
	close(fd);
	printf("eventfd semaphore ok\n");
}

static int efd;

static void *eventfd_writer(void *arg)
{
	usleep(100000);
	if (!wr(efd, (uint64_t)(uintptr_t)arg))
		printf("FAIL: eventfd_writer\n");
	return NULL;
}

static void eventfd_overflow(void)
{
	pthread_t th;
	uint64_t v;

	CHECK((efd = eventfd(0, 0)) >= 0);
	CHECK(wr(efd, 0xfffffffffffffffeull));
	CHECK(poll1(efd, POLLIN | POLLOUT, 0) == POLLIN);
	CHECK(fcntl(efd, F_SETFL, O_NONBLOCK) == 0);
	v = 1;
	CHECK(write(efd, &v, 8) == -1 && errno == EAGAIN);
	CHECK(fcntl(efd, F_SETFL, 0) == 0);
	/* A blocked writer goes on once a read makes room. */
	pthread_create(&th, NULL, eventfd_writer, (void *)(uintptr_t)9);
	usleep(20000);
	CHECK(rd(efd) == 0xfffffffffffffffeull);
	pthread_join(th, NULL);
	CHECK(rd(efd) == 9);
	close(efd);
	printf("eventfd overflow ok\n");
}

static void eventfd_threads(void)
{
	pthread_t th;

	CHECK((efd = eventfd(0, 0)) >= 0);
	pthread_create(&th, NULL, eventfd_writer, (void *)(uintptr_t)42);
	CHECK(rd(efd) == 42);
	pthread_join(th, NULL);
	pthread_create(&th, NULL, eventfd_writer, (void *)(uintptr_t)7);
	CHECK(poll1(efd, POLLIN, 10000) == POLLIN && rd(efd) == 7);
	pthread_join(th, NULL);
	close(efd);
	printf("eventfd across threads ok\n");
}

/* ---- timerfd ---- */

static struct itimerspec its(int64_t value_ns, int64_t interval_ns)
{
	return (struct itimerspec){ { interval_ns / 1000000000, interval_ns % 1000000000 },
				    { value_ns / 1000000000, value_ns % 1000000000 } };
}

static int tset(int fd, int flags, int64_t value_ns, int64_t interval_ns, struct itimerspec *old)
{
	struct itimerspec v = its(value_ns, interval_ns);

	return timerfd_settime(fd, flags, &v, old);
}

static int64_t ts_ns(struct timespec ts) { return ts.tv_sec * 1000000000ll + ts.tv_nsec; }

static void timerfd_oneshot(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct itimerspec cur, old;
	uint64_t v;
	int64_t t0;

	CHECK(fd >= 0);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN);
	CHECK(timerfd_gettime(fd, &cur) == 0 && ts_ns(cur.it_value) == 0 && ts_ns(cur.it_interval) == 0);
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(tset(fd, 0, 50 * MS, 0, NULL) == 0);
	CHECK(timerfd_gettime(fd, &cur) == 0);
	CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 50 * MS && ts_ns(cur.it_interval) == 0);
	CHECK(poll1(fd, POLLIN, 10000) == POLLIN);
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 50 * MS);
	CHECK(rd(fd) == 1);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN);
	CHECK(read(fd, &v, 4) == -1 && errno == EINVAL);
	CHECK(timerfd_gettime(fd, &cur) == 0 && ts_ns(cur.it_value) == 0);
	/* Re-arm, then disarm: the old value comes back, nothing fires. */
	CHECK(tset(fd, 0, 10000 * MS, 20 * MS, NULL) == 0);
	CHECK(tset(fd, 0, 0, 0, &old) == 0);
	CHECK(ts_ns(old.it_value) > 9000 * MS && ts_ns(old.it_interval) == 20 * MS);
	CHECK(timerfd_gettime(fd, &cur) == 0 && ts_ns(cur.it_value) == 0 && ts_ns(cur.it_interval) == 0);
	/* Centuries away: armed, never due. */
	struct itimerspec far = { { 0, 0 }, { INT64_MAX, 0 } };
	CHECK(timerfd_settime(fd, 0, &far, NULL) == 0);
	CHECK(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec > 1000000000);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN);
	close(fd);
	printf("timerfd one-shot ok\n");
}

static void timerfd_periodic(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	uint64_t total = 0, v;
	int64_t t0, elapsed;
	struct timespec nap = { 0, 55 * MS };

	CHECK(fd >= 0);
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(tset(fd, 0, 10 * MS, 10 * MS, NULL) == 0);
	/* Blocking reads, each at least one expiration, never ahead of time. */
	while (total < 20) {
		CHECK((v = rd(fd)) >= 1);
		total += v;
		CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= (int64_t)total * 10 * MS);
	}
	/* Periods missed while nobody reads are added up. */
	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK(rd(fd) >= 1);
	nanosleep(&nap, NULL);
	v = rd(fd);
	elapsed = now_ns(CLOCK_MONOTONIC) - t0;
	CHECK(v >= 5 && (int64_t)v <= elapsed / (10 * MS) + 1);
	close(fd);
	printf("timerfd periodic ok\n");
}

static void timerfd_absolute(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	uint64_t v;

	CHECK(fd >= 0);
	CHECK(tset(fd, TFD_TIMER_ABSTIME, t0 + 30 * MS, 0, NULL) == 0);
	CHECK(rd(fd) == 1 && now_ns(CLOCK_MONOTONIC) - t0 >= 30 * MS);
	/* In the past, periodic: every period since then has expired. */
	CHECK(tset(fd, TFD_TIMER_ABSTIME, t0 - 500 * MS, 100 * MS, NULL) == 0);
	CHECK((v = rd(fd)) >= 6 && v < 100);
	close(fd);

	CHECK((fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)) >= 0);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	t0 = now_ns(CLOCK_REALTIME);
	CHECK(tset(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, t0 + 40 * MS, 0, NULL) == 0);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN);
	CHECK(poll1(fd, POLLIN, 10000) == POLLIN && rd(fd) == 1);
	CHECK(now_ns(CLOCK_REALTIME) - t0 >= 40 * MS - 2 * MS);	/* wall clock: tolerate rounding */
	close(fd);

	CHECK((fd = timerfd_create(CLOCK_BOOTTIME, 0)) >= 0);
	close(fd);
	printf("timerfd absolute ok\n");
}

static void timerfd_errors(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0), efd2 = eventfd(0, 0);

	CHECK(fd >= 0 && efd2 >= 0);
	CHECK(timerfd_create(5, 0) == -1 && errno == EINVAL);
	CHECK(timerfd_create(CLOCK_MONOTONIC, 0x40) == -1 && errno == EINVAL);
	CHECK(tset(fd, 4, MS, 0, NULL) == -1 && errno == EINVAL);
	struct itimerspec bad = its(MS, 0);
	bad.it_value.tv_nsec = 1000000000;
	CHECK(timerfd_settime(fd, 0, &bad, NULL) == -1 && errno == EINVAL);
	CHECK(tset(efd2, 0, MS, 0, NULL) == -1 && errno == EINVAL);
	CHECK(tset(999, 0, MS, 0, NULL) == -1 && errno == EBADF);
	CHECK(timerfd_settime(fd, 0, (struct itimerspec *)8, NULL) == -1 && errno == EFAULT);
	struct itimerspec cur;
	CHECK(timerfd_gettime(efd2, &cur) == -1 && errno == EINVAL);
	CHECK(write(fd, "12345678", 8) == -1 && errno == EINVAL);
	close(fd);
	close(efd2);
	printf("timerfd errors ok\n");
}

static int tfd;

static void *rearm_later(void *arg)
{
	(void)arg;
	usleep(50000);
	tset(tfd, 0, 20 * MS, 0, NULL);
	return NULL;
}

static void timerfd_threads(void)
{
	pthread_t th;

	CHECK((tfd = timerfd_create(CLOCK_MONOTONIC, 0)) >= 0);
	/* Blocked on a disarmed timer; another thread arms it. */
	pthread_create(&th, NULL, rearm_later, NULL);
	CHECK(rd(tfd) == 1);
	pthread_join(th, NULL);
	close(tfd);
	/* Armed, fast timers closed right away: cancelled cleanly. */
	for (int i = 0; i < 200; i++) {
		int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
		CHECK(fd >= 0);
		CHECK(tset(fd, 0, 100000, 100000, NULL) == 0);
		if (i % 2)
			usleep(300);
		close(fd);
	}
	printf("timerfd across threads ok\n");
}

int main(void)
{
	eventfd_counter();
	eventfd_semaphore();
	eventfd_overflow();
	eventfd_threads();
	timerfd_oneshot();
	timerfd_periodic();
	timerfd_absolute();
	timerfd_errors();
	timerfd_threads();
	if (failures)
		return 1;
	printf("eventfd_timerfd ok\n");
	return 0;
}
