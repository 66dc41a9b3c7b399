/* The supervisor's QMP client (tools/amphi/qmp.c) against a QEMU played by
 * a thread, in the shapes QEMU 7.2 writes: the greeting, answers with and
 * without blanks, events between a command and its answer, errors whose
 * words hold quotes, a descriptor riding on getfd, DEVICE_DELETED for the
 * device watched (and not for one whose id only begins the same), a QEMU
 * that goes away, and one that never answers. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include "supervisor.h"

/* The monitor's peer is ours: this test is the app's QEMU and its parent. */
bool pid_descends_from(pid_t pid, pid_t ancestor)
{
	return pid == ancestor;
}

struct qemu {
	int listen_fd;
	const char *const *script;	/* a reply after each command read; NULL: close */
	int got_fd;			/* a descriptor that came with a command */
};

/* Reads one command line (and a descriptor riding on it). */
static bool read_command(int fd, struct qemu *q)
{
	char c, buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			    .msg_controllen = sizeof buf };

	do {
		if (recvmsg(fd, &m, 0) != 1)
			return false;
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		if (h && h->cmsg_type == SCM_RIGHTS)
			memcpy(&q->got_fd, CMSG_DATA(h), sizeof(int));
		m.msg_control = NULL;
		m.msg_controllen = 0;
	} while (c != '\n');
	return true;
}

static void *qemu_thread(void *arg)
{
	struct qemu *q = arg;
	int fd = accept(q->listen_fd, NULL, NULL);
	const char *greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, "
			       "\"major\": 7}, \"package\": \"\"}, \"capabilities\": [\"oob\"]}}\r\n";

	write(fd, greeting, strlen(greeting));
	for (const char *const *r = q->script; *r && read_command(fd, q); r++) {
		if (**r) {
			write(fd, *r, strlen(*r));
			continue;
		}
		/* "": no answer; the client is to give up before we do. */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, 10000);
		break;
	}
	close(fd);
	return NULL;
}

/* A QEMU on a fresh socket that replies with script (after the greeting:
 * the first entry answers qmp_capabilities), and the client connected. */
static pthread_t start(struct qemu *q, struct qmp *c, const char *const *script, int ms)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char *why = NULL;
	pthread_t t;

	snprintf(a.sun_path, sizeof a.sun_path, "/tmp/amphi-test-qmp-%d", (int)getpid());
	unlink(a.sun_path);
	*q = (struct qemu){ .script = script, .got_fd = -1 };
	q->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(q->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(q->listen_fd, 1), 0);
	pthread_create(&t, NULL, qemu_thread, q);
	int r = qmp_open(c, a.sun_path, getpid(), now_ms() + ms, &why);
	if (r)
		fail_msg("qmp_open: %s", why);
	unlink(a.sun_path);
	return t;
}

static void stop(struct qemu *q, struct qmp *c, pthread_t t)
{
	qmp_close(c);
	pthread_join(t, NULL);
	close(q->listen_fd);
	if (q->got_fd >= 0)
		close(q->got_fd);
}

static void answers_events_and_errors(void **state)
{
	static const char *const script[] = {
		"{\"return\": {}}\r\n",
		"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": "
		"\"NIC_RX_FILTER_CHANGED\", \"data\": {\"name\": \"a b\"}}\r\n{\"return\":{}}\r\n",
		"{\"error\": {\"class\": \"GenericError\", \"desc\": "
		"\"Duplicate ID \\\"amphi-nic1\\\" for device\"}}\r\n",
		"{\"return\": {\"x\": \"a } \\\" {\\\"return\\\": b\"}}\r\n",
		NULL,
	};
	struct qemu q;
	struct qmp c;
	char *why;
	int pipefd[2];
	(void)state;

	pthread_t t = start(&q, &c, script, 5000);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(qmp_call(&c, "{\"execute\":\"getfd\"}\n", pipefd[0], &why), 0);
	assert_null(why);
	assert_int_equal(qmp_call(&c, "{\"execute\":\"device_add\"}\n", -1, &why), -1);
	assert_string_equal(why, "Duplicate ID \\\"amphi-nic1\\\" for device");
	free(why);
	assert_int_equal(qmp_call(&c, "{\"execute\":\"x\"}\n", -1, &why), 0);
	assert_int_equal(qmp_call(&c, "{\"execute\":\"y\"}\n", -1, &why), -1);
	assert_string_equal(why, "the app's QEMU closed its monitor");
	free(why);
	stop(&q, &c, t);
	assert_true(q.got_fd >= 0);	/* getfd's descriptor arrived */
	close(pipefd[0]);
	close(pipefd[1]);
}

static void device_deleted_for_the_watched_device_only(void **state)
{
	static const char *const script[] = {
		"{\"return\": {}}\r\n",
		"{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"DEVICE_DELETED\", "
		"\"data\": {\"path\": \"/machine/peripheral/amphi-nic10\", \"device\": "
		"\"amphi-nic10\"}}\r\n{\"return\": {}}\r\n",
		"{\"return\": {}}\r\n{\"timestamp\": {\"seconds\": 1, \"microseconds\": 3}, "
		"\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"amphi-nic1\", \"path\": "
		"\"/machine/peripheral/amphi-nic1\"}}\r\n",
		NULL,
	};
	struct qemu q;
	struct qmp c;
	char *why;
	(void)state;

	pthread_t t = start(&q, &c, script, 5000);
	c.watch = "amphi-nic1";
	assert_int_equal(qmp_call(&c, "{\"execute\":\"device_del\"}\n", -1, &why), 0);
	assert_false(c.deleted);
	assert_int_equal(qmp_call(&c, "{\"execute\":\"z\"}\n", -1, &why), 0);
	while (!c.deleted && qmp_next(&c, now_ms() + 1000) == 1)
		;
	assert_true(c.deleted);
	stop(&q, &c, t);
}

static void a_qemu_that_never_answers_meets_the_deadline(void **state)
{
	static const char *const script[] = { "{\"return\": {}}\r\n", "", NULL };
	struct qemu q;
	struct qmp c;
	char *why;
	(void)state;

	pthread_t t = start(&q, &c, script, 300);
	assert_int_equal(qmp_call(&c, "{\"execute\":\"device_add\"}\n", -1, &why), -1);
	assert_string_equal(why, "the app's QEMU did not answer in time");
	free(why);
	stop(&q, &c, t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_events_and_errors),
		cmocka_unit_test(device_deleted_for_the_watched_device_only),
		cmocka_unit_test(a_qemu_that_never_answers_meets_the_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
