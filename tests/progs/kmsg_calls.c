/* The kernel's log through syslog(2) and /dev/kmsg, one line per call.
 *
 *   kmsg_calls look    what reading shows, as root then as user 65534:
 *                      safe to run on a Linux host (it reads, never
 *                      writes or clears), so its transcript is Linux's
 *   kmsg_calls fill-look   the same after writing three records, for a
 *                      log as short as amphi's after boot
 *   kmsg_calls write   writing, clearing, the console level, the rate
 *                      limit, a reader overrun (amphi only: on a host it
 *                      would change the host's log)
 *
 *   kmsg_calls churn   two threads write 3000 records of every size while
 *                      a reader checks each it gets (amphi only)
 *
 * Times and sequence numbers change from run to run: lines show what a
 * program can rely on (their form, their order, what moved). */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "call_result.h"

#define READ		2
#define READ_ALL	3
#define READ_CLEAR	4
#define CLEAR		5
#define CONSOLE_OFF	6
#define CONSOLE_ON	7
#define CONSOLE_LEVEL	8
#define SIZE_UNREAD	9
#define SIZE_BUFFER	10

static char big[1 << 20];

static long klog(int action, void *buf, long len) { return syscall(SYS_syslog, action, buf, len); }

/* "<N>[ SSSSS.UUUUUU] " then text, newline: the form of each line. */
static int line_ok(const char *l, size_t n)
{
	size_t k = 1;

	if (n < 17 || l[0] != '<' || l[n - 1] != '\n')
		return 0;
	while (k < n && l[k] >= '0' && l[k] <= '9')
		k++;
	if (k == 1 || l[k++] != '>' || l[k++] != '[')
		return 0;
	while (l[k] == ' ')
		k++;
	while (l[k] >= '0' && l[k] <= '9')
		k++;
	if (l[k++] != '.')
		return 0;
	for (int d = 0; d < 6; d++, k++)
		if (l[k] < '0' || l[k] > '9')
			return 0;
	return l[k] == ']' && l[k + 1] == ' ';
}

/* How many lines buf[0..n) holds, or -1 if one is malformed. */
static long lines_ok(const char *buf, long n)
{
	long lines = 0;

	for (long k = 0; k < n; lines++) {
		const char *end = memchr(buf + k, '\n', (size_t)(n - k));
		if (!end || !line_ok(buf + k, (size_t)(end - buf - k + 1)))
			return -1;
		k = end - buf + 1;
	}
	return lines;
}

/* A /dev/kmsg record's "PRI,SEQ,USEC,FLAG;": its numbers, or 0 if
 * malformed.  *text points past the ';'. */
static int parse_record(const char *r, unsigned long *pri, unsigned long *seq, const char **text)
{
	char *e;
	unsigned long usec;

	*pri = strtoul(r, &e, 10);
	if (*e++ != ',')
		return 0;
	*seq = strtoul(e, &e, 10);
	if (*e++ != ',')
		return 0;
	usec = strtoul(e, &e, 10);
	(void)usec;
	if (*e++ != ',' || (*e != '-' && *e != 'c'))
		return 0;
	if (*++e != ';')
		return 0;
	*text = e + 1;
	return 1;
}

static void look_syslog(void)
{
	char small[64];
	long r;

	r = klog(SIZE_BUFFER, NULL, 0);
	printf("SIZE_BUFFER: %s\n", r > 0 ? "positive" : res(r));
	printf("READ_ALL NULL: %s\n", res(klog(READ_ALL, NULL, 10)));
	printf("READ_ALL len -1: %s\n", res(klog(READ_ALL, big, -1)));
	printf("READ_ALL len 0: %s\n", res(klog(READ_ALL, big, 0)));
	printf("READ_ALL unmapped: %s\n", res(klog(READ_ALL, (void *)4096, 65536)));
	printf("READ_ALL past user space: %s\n", res(klog(READ_ALL, (void *)0xffffffffffff0000ul, 100)));
	r = klog(READ_ALL, small, sizeof small);
	printf("READ_ALL 64 bytes: %s\n", r < 0 ? res(r) : r <= 64 && lines_ok(small, r) >= 0 ? "whole lines" : "bad");
	r = klog(READ_ALL, big, sizeof big);
	long lines = r < 0 ? -1 : lines_ok(big, r);
	printf("READ_ALL: %s\n", r < 0 ? res(r) : lines > 0 ? "well-formed lines" : "bad");
	r = klog(SIZE_UNREAD, NULL, 0);
	printf("SIZE_UNREAD: %s\n", r >= 0 ? "not negative" : res(r));
	printf("CLOSE: %s, OPEN: %s\n", res(klog(0, NULL, 0)), res(klog(1, NULL, 0)));
	printf("CONSOLE_LEVEL 0: %s\n", res(klog(CONSOLE_LEVEL, NULL, 0)));
	printf("CONSOLE_LEVEL 9: %s\n", res(klog(CONSOLE_LEVEL, NULL, 9)));
	printf("action 11: %s, -1: %s\n", res(klog(11, NULL, 0)), res(klog(-1, NULL, 0)));
}

static void look_kmsg(void)
{
	char rec[8192];
	unsigned long pri, seq, seq2;
	const char *t;
	struct stat st;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	printf("open O_RDONLY: %s\n", fd < 0 ? res(fd) : "fd");
	if (fd < 0)
		return;
	int err = fstat(fd, &st);
	printf("fstat: %s, rdev %u:%u\n", !err && S_ISCHR(st.st_mode) ? "char device" : "bad",
	       major(st.st_rdev), minor(st.st_rdev));
	long r = read(fd, rec, 8);
	printf("read 8 bytes: %s\n", res(r));
	r = read(fd, rec, sizeof rec - 1);
	rec[r > 0 ? r : 0] = 0;
	int ok = r > 0 && parse_record(rec, &pri, &seq, &t) && rec[r - 1] == '\n';
	printf("read: %s\n", r < 0 ? res(r) : ok ? "a record" : "bad");
	struct pollfd p = { fd, POLLIN, 0 };
	r = poll(&p, 1, 0);
	printf("poll after a read: %s, revents %#x\n", res(r), p.revents);
	r = read(fd, rec, sizeof rec - 1);
	rec[r > 0 ? r : 0] = 0;
	ok = r > 0 && parse_record(rec, &pri, &seq2, &t);
	printf("next read: %s\n", !ok ? res(r) : seq2 == seq + 1 ? "the next record" : "a later record");
	printf("lseek 1 SEEK_SET: %s\n", res(lseek(fd, 1, SEEK_SET)));
	printf("lseek 0 SEEK_CUR: %s\n", res(lseek(fd, 0, SEEK_CUR)));
	printf("lseek 0 whence 5: %s\n", res(lseek(fd, 0, 5)));
	printf("lseek 1 whence 5: %s\n", res(lseek(fd, 1, 5)));
	printf("lseek 0 SEEK_HOLE: %s\n", res(lseek(fd, 0, SEEK_HOLE)));
	printf("lseek 0 SEEK_END: %s\n", res(lseek(fd, 0, SEEK_END)));
	r = read(fd, rec, sizeof rec - 1);
	printf("read at the end: %s\n", r < 0 ? res(r) : "a new record");
	printf("lseek 0 SEEK_SET: %s\n", res(lseek(fd, 0, SEEK_SET)));
	p.revents = 0;
	r = poll(&p, 1, 0);
	printf("poll at the start: %s, revents %#x\n", res(r), p.revents);
	printf("lseek 0 SEEK_DATA: %s\n", res(lseek(fd, 0, SEEK_DATA)));
	r = read(fd, rec, sizeof rec - 1);
	/* EPIPE where the log lost records since the last CLEAR (a host up for long) */
	printf("read after SEEK_DATA: %s\n", r > 0 || errno == EPIPE ? "a record, or EPIPE" : res(r));
	close(fd);
	fd = open("/dev/kmsg", O_WRONLY);
	printf("open O_WRONLY: %s\n", fd < 0 ? res(fd) : "fd");
	if (fd >= 0) {
		printf("read of a write-only open: %s\n", res(read(fd, rec, sizeof rec)));
		close(fd);
	}
}

static void as_nobody(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		printf("as 65534: SIZE_BUFFER %s, READ_ALL %s, CLEAR %s, action 11 %s\n",
		       res(klog(SIZE_BUFFER, NULL, 0)), res(klog(READ_ALL, big, 100)), res(klog(CLEAR, NULL, 0)),
		       res(klog(11, NULL, 0)));
		printf("as 65534: open O_RDONLY %s, O_WRONLY %s\n", res(open("/dev/kmsg", O_RDONLY)),
		       res(open("/dev/kmsg", O_WRONLY)));
		fflush(stdout);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
}

/* ---- writing (amphi only) -------------------------------------------------- */

static int writer(void) { return open("/dev/kmsg", O_WRONLY); }

/* What the reader at fd sees next, without its numbers. */
static void show_next(int fd, const char *what)
{
	char rec[8192];
	unsigned long pri, seq;
	const char *text;
	long r = read(fd, rec, sizeof rec - 1);

	if (r <= 0) {
		printf("%s: %s\n", what, res(r));
		return;
	}
	rec[r] = 0;
	if (!parse_record(rec, &pri, &seq, &text))
		printf("%s: malformed %s", what, rec);
	else
		printf("%s: %lu;%s", what, pri, text);
}

static void write_lines(void)
{
	int rd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), w = writer();

	lseek(rd, 0, SEEK_END);
	printf("write <5>hello: %s\n", res(write(w, "<5>hello", 8)));
	show_next(rd, "read");
	printf("write plain\\n: %s\n", res(write(w, "plain\n", 6)));
	show_next(rd, "read");
	printf("write <30>daemon: %s\n", res(write(w, "<30>daemon", 10)));
	show_next(rd, "read");
	printf("write <3>kernel facility: %s\n", res(write(w, "<3>kern", 7)));
	show_next(rd, "read");
	printf("write <abc>x: %s\n", res(write(w, "<abc>x", 6)));
	show_next(rd, "read");
	printf("write escapes: %s\n", res(write(w, "tab\there\\back\x01\x7f\xc3\xa9", 18)));
	show_next(rd, "read");
	printf("write a\\nb: %s\n", res(write(w, "a\nb", 3)));
	show_next(rd, "read");
	printf("write 0 bytes: %s\n", res(write(w, "", 0)));
	show_next(rd, "read");
	printf("write with NUL: %s\n", res(write(w, "<6>be\0fore", 10)));
	show_next(rd, "read");
	close(w);
	w = writer();
	memset(big, 'x', 1025);
	printf("write 1025 bytes: %s\n", res(write(w, big, 1025)));
	printf("write 1024 bytes: %s\n", res(write(w, big, 1024)));
	char rec[8192];
	unsigned long pri, seq;
	const char *text;
	long r = read(rd, rec, sizeof rec - 1);
	rec[r > 0 ? r : 0] = 0;
	if (r > 0 && parse_record(rec, &pri, &seq, &text))
		printf("read it: %zu bytes of text\n", strlen(text) - 1);
	else
		printf("read it: %s\n", res(r));
	printf("write unmapped: %s\n", res(write(w, (void *)4096, 10)));
	show_next(rd, "nothing recorded");
	close(w);
	close(rd);
}

static void rate_limit(void)
{
	int rd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), w = writer(), got = 0, wrote = 0;
	char rec[8192];

	lseek(rd, 0, SEEK_END);
	for (int k = 0; k < 15; k++)
		wrote += write(w, "<6>burst", 8) == 8;
	while (read(rd, rec, sizeof rec) > 0)
		got++;
	printf("15 writes: %d returned 8, %d recorded\n", wrote, got);
	close(w);
	show_next(rd, "after close");
	close(rd);
}

/* A reader that falls more than the log's size behind. */
static void overrun(void)
{
	int rd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	long size = klog(SIZE_BUFFER, NULL, 0);
	char line[1000], rec[8192];

	lseek(rd, 0, SEEK_END);
	memset(line, 'o', sizeof line);
	for (long written = 0; written < 2 * size;) {
		int w = writer();
		for (int k = 0; k < 10; k++, written += sizeof line)
			write(w, line, sizeof line);
		close(w);
	}
	struct pollfd p = { rd, POLLIN, 0 };
	long r = poll(&p, 1, 0);
	printf("poll behind: %s, revents %#x\n", res(r), p.revents);
	printf("read behind: %s\n", res(read(rd, rec, sizeof rec)));
	p.revents = 0;
	r = poll(&p, 1, 0);
	printf("poll after: %s, revents %#x\n", res(r), p.revents);
	r = read(rd, rec, sizeof rec);
	printf("read after: %s\n", r > 0 ? "a record" : res(r));
	close(rd);
}

static void write_kmsg(const char *text)
{
	int w = writer();

	write(w, text, strlen(text));
	close(w);
}

/* READ_ALL's lines with their times cut out. */
static void show_all(const char *what, int action)
{
	long r = klog(action, big, sizeof big);

	printf("%s: %s", what, r < 0 ? res(r) : r == 0 ? "nothing\n" : "");
	for (long k = 0; k < r;) {
		char *end = memchr(big + k, '\n', (size_t)(r - k)), *t = memchr(big + k, ']', (size_t)(r - k));
		printf("%.*s%.*s", (int)(strchr(big + k, '[') - big - k), big + k, (int)(end - t - 1), t + 1);
		k = end - big + 1;
		printf(k < r ? " | " : "\n");
	}
}

static void clearing(void)
{
	printf("CLEAR: %s\n", res(klog(CLEAR, NULL, 0)));
	show_all("READ_ALL after CLEAR", READ_ALL);
	write_kmsg("<6>one");
	write_kmsg("<14>two\nlines");
	show_all("READ_ALL", READ_ALL);
	show_all("READ_CLEAR", READ_CLEAR);
	show_all("READ_ALL after READ_CLEAR", READ_ALL);
	write_kmsg("<6>three");
	long r = klog(READ_ALL, big, 10);
	printf("READ_ALL 10 bytes: %s\n", res(r));
	r = klog(READ_ALL, big, 26);
	char *text = r > 0 ? strchr(big, ']') + 2 : big;
	printf("READ_ALL 26 bytes: %s, %.*s", res(r), (int)(r > 0 ? big + r - text : 0), text);
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	printf("kmsg SEEK_DATA: %s\n", res(lseek(fd, 0, SEEK_DATA)));
	show_next(fd, "read");
	close(fd);
}

static void *late_writer(void *arg)
{
	(void)arg;
	usleep(100 * 1000);
	write_kmsg("<6>late");
	return NULL;
}

static void on_alarm(int sig) { (void)sig; }

static void reading(void)
{
	char buf[4096];
	long r;

	printf("READ NULL: %s, len -1: %s, len 0: %s\n", res(klog(READ, NULL, 5)), res(klog(READ, buf, -1)),
	       res(klog(READ, buf, 0)));
	while (klog(SIZE_UNREAD, NULL, 0) > 0)
		klog(READ, big, sizeof big);
	printf("SIZE_UNREAD when all read: %s\n", res(klog(SIZE_UNREAD, NULL, 0)));
	write_kmsg("<6>four");
	long unread = klog(SIZE_UNREAD, NULL, 0);
	r = klog(READ, buf, 5);
	printf("READ 5 bytes: %s \"%.*s\"\n", res(r), (int)(r > 0 ? r : 0), buf);
	long left = klog(SIZE_UNREAD, NULL, 0);
	printf("SIZE_UNREAD after: %s\n", left == unread - 5 ? "5 less" : res(left));
	r = klog(READ, buf, sizeof buf);
	printf("READ the rest: %s, ends \"%.*s", r == left ? "all of it" : res(r), 5, r >= 5 ? buf + r - 5 : "");
	printf("SIZE_UNREAD: %s\n", res(klog(SIZE_UNREAD, NULL, 0)));
	pthread_t t;
	pthread_create(&t, NULL, late_writer, NULL);
	r = klog(READ, buf, sizeof buf);
	printf("READ waits for: %.*s", (int)(r > 0 ? r : 0), r > 0 ? strchr(buf, ']') + 2 : "");
	pthread_join(t, NULL);
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	/* The kernel may log meanwhile (the clock's refinement, a second
	 * after boot): what READ then gives is not this line's business. */
	for (int tries = 0; tries < 5 && r >= 0; tries++) {
		alarm(1);
		r = klog(READ, buf, sizeof buf);
	}
	printf("READ with nothing, a signal: %s\n", res(r));
	int fd = open("/dev/kmsg", O_RDONLY);
	lseek(fd, 0, SEEK_END);
	r = 0;
	for (int tries = 0; tries < 5 && r >= 0; tries++) {
		alarm(1);
		r = read(fd, buf, sizeof buf);
	}
	printf("kmsg read with nothing, a signal: %s\n", res(r));
	close(fd);
}

static void console_level(void)
{
	char text[32];
	int fd;

	printf("CONSOLE_LEVEL 8: %s\n", res(klog(CONSOLE_LEVEL, NULL, 8)));
	printf("CONSOLE_OFF: %s\n", res(klog(CONSOLE_OFF, NULL, 0)));
	fd = open("/proc/sys/kernel/printk", O_RDONLY);
	long r = read(fd, text, sizeof text - 1);
	close(fd);
	printf("printk: %.*s", (int)(r > 0 ? r : 0), text);
	write_kmsg("<4>hidden from the console");
	printf("CONSOLE_ON: %s\n", res(klog(CONSOLE_ON, NULL, 0)));
	fd = open("/proc/sys/kernel/printk", O_RDONLY);
	r = read(fd, text, sizeof text - 1);
	close(fd);
	printf("printk: %.*s", (int)(r > 0 ? r : 0), text);
	klog(CONSOLE_OFF, NULL, 0);
	printf("CONSOLE_LEVEL 5 after OFF: %s\n", res(klog(CONSOLE_LEVEL, NULL, 5)));
	printf("CONSOLE_ON: %s\n", res(klog(CONSOLE_ON, NULL, 0)));
	fd = open("/proc/sys/kernel/printk", O_RDONLY);
	r = read(fd, text, sizeof text - 1);
	close(fd);
	printf("printk: %.*s", (int)(r > 0 ? r : 0), text);
	write_kmsg("<4>shown on the console");
	write_kmsg("<5>also hidden");
	klog(CONSOLE_LEVEL, NULL, 7);
}

/* ---- churn (amphi only): records of every size from two writers -------- */

#define CHURN_EACH	1500

static int churn_done;	/* writers finished */

/* A record "T:K:LEN:" then filler up to LEN bytes, all derived from T and K. */
static size_t churn_text(int t, int k, char *buf)
{
	size_t len = (size_t)((k * 7919 + t * 104729) % 1000) + 24;
	int n = snprintf(buf, len + 1, "%d:%d:%zu:", t, k, len);

	for (size_t i = (size_t)n; i < len; i++)
		buf[i] = (char)('a' + (t * 31 + k + (int)i) % 26);
	return len;
}

static void *churn_writer(void *arg)
{
	int t = (int)(long)arg, w = -1;
	char buf[1100];

	for (int k = 0; k < CHURN_EACH; k++) {
		if (k % 10 == 0) {	/* a new open for each ten: the rate limit */
			close(w);
			w = writer();
		}
		size_t len = churn_text(t, k, buf);
		if (write(w, buf, len) != (long)len)
			printf("churn write %d:%d failed\n", t, k);
	}
	close(w);
	__atomic_add_fetch(&churn_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Whether a record's text is one churn_text made, whole. */
static int churn_intact(const char *text, size_t n)
{
	char want[1100];
	int t, k;

	if (sscanf(text, "%d:%d:", &t, &k) != 2 || t < 0 || t > 1 || k < 0 || k >= CHURN_EACH)
		return 0;
	size_t len = churn_text(t, k, want);
	return n == len && !memcmp(text, want, len);
}

static void churn(void)
{
	int rd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	long intact = 0, broken = 0, last_seq = -1, disorder = 0;
	pthread_t th[2];
	char rec[8192];

	lseek(rd, 0, SEEK_END);
	for (long t = 0; t < 2; t++)
		pthread_create(&th[t], NULL, churn_writer, (void *)t);
	for (;;) {
		int finished = __atomic_load_n(&churn_done, __ATOMIC_ACQUIRE) == 2;
		long r = read(rd, rec, sizeof rec - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* how many it loses depends on the scheduling */
		if (r <= 0 && finished)
			break;	/* and nothing was written after the look */
		if (r <= 0) {
			usleep(1000);
			continue;
		}
		rec[r - 1] = 0;	/* the newline */
		unsigned long pri, seq;
		const char *text;
		if (!parse_record(rec, &pri, &seq, &text) || (long)seq <= last_seq)
			disorder++;
		last_seq = (long)seq;
		if (pri == 12 && churn_intact(text, strlen(text)))
			intact++;
		else if (pri == 12)
			broken++;
	}
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	printf("churn: %s read back intact, %ld broken, %ld out of order\n",
	       intact > 100 ? "many" : "few", broken, disorder);
	long r = klog(READ_ALL, big, sizeof big);
	printf("churn: READ_ALL %s\n", r > 0 && lines_ok(big, r) > 0 ? "well-formed lines" : res(r));
	close(rd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "look";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "look") || !strcmp(mode, "fill-look")) {
		for (int k = 0; *mode == 'f' && k < 3; k++)
			write_kmsg("<6>something to read");
		look_syslog();
		look_kmsg();
		as_nobody();
	} else if (!strcmp(mode, "write")) {
		write_lines();
		rate_limit();
		overrun();
		clearing();
		reading();
		console_level();
	} else if (!strcmp(mode, "churn")) {
		churn();
	}
	return 0;
}
