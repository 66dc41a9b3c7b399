/* How far epolls may nest, as Linux limits it (fs/eventpoll.c): a chain of
 * epolls inside epolls may hold 5 (EP_MAX_NESTS, 4 inside the outermost)
 * whichever end it is built from, or ELOOP; a graph whose wake-ups could
 * fan out is refused with EINVAL once a file has too many paths up to the
 * epolls at the top (1000 of length 1, 500 of 2, 100, 50, 10).  After each
 * refusal the graph built so far still works: one eventfd write wakes the
 * top, through every level.
 *
 * One line per step: what was built, where the first refusal came and with
 * which errno, and whether a write woke the top.  Run natively to take
 * Linux's transcript (tests/vm/test_epoll_limits.py). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#define CHAIN	500
#define WIDTH	40	/* at most */
#define LEVELS	5

static int add(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? errno : 0;
}

static const char *name(int e)
{
	return e == 0 ? "ok" : e == ELOOP ? "ELOOP" : e == EINVAL ? "EINVAL" : e == EEXIST ? "EEXIST"
		: e == EMFILE ? "EMFILE" : strerror(e);
}

/* Whether one write to efd makes top readable at once, and the event
 * goes away again once it is read. */
static const char *wakes(int efd, int top)
{
	struct epoll_event ev;
	uint64_t one = 1;

	if (epoll_wait(top, &ev, 1, 0) != 0)
		return "ready too early";
	if (write(efd, &one, sizeof one) != sizeof one)
		return "write failed";
	int n = epoll_wait(top, &ev, 1, 1000);
	if (read(efd, &one, sizeof one) != sizeof one)
		return "read failed";
	if (n != 1 || !(ev.events & EPOLLIN))
		return "not woken";
	return epoll_wait(top, &ev, 1, 0) == 0 ? "woken" : "still ready";
}

/* e[0] holds e[1] holds ... built from the top down or from the bottom up:
 * the index of the first epoll_ctl refused and its errno. */
static void chain(int top_down)
{
	static int e[CHAIN + 1];
	int efd = eventfd(0, 0), i, err = 0;

	for (i = 0; i <= CHAIN; i++)
		e[i] = epoll_create1(0);
	for (i = 0; i < CHAIN && !err; i++) {
		int k = top_down ? i : CHAIN - 1 - i;
		err = add(e[k], e[k + 1]);
	}
	printf("chain of %d built %s: step %d %s\n", CHAIN + 1, top_down ? "top down" : "bottom up",
	       err ? i - 1 : i, name(err));
	/* The deepest epoll that got a parent holds the eventfd; the top of
	 * what was linked must see it. */
	int bottom = top_down ? i - 1 : CHAIN, top = top_down ? 0 : CHAIN - i + 1;
	const char *added = name(add(e[bottom], efd));
	printf("  eventfd in the deepest: %s; a write: %s\n", added, wakes(efd, e[top]));
	for (i = 0; i <= CHAIN; i++)
		close(e[i]);
	close(efd);
}

/* A cycle, directly and through three levels. */
static void cycles(void)
{
	int a = epoll_create1(0), b = epoll_create1(0), c = epoll_create1(0);

	printf("a in b: %s\n", name(add(b, a)));
	printf("b in a: %s\n", name(add(a, b)));
	printf("b in c, c in a: %s %s\n", name(add(c, b)), name(add(a, c)));
	printf("a in a: %s\n", name(add(a, a)));
	close(a);
	close(b);
	close(c);
}

/* LEVELS levels of width epolls, each holding every epoll of the level
 * below; the first level holds an eventfd.  Stops at the first refusal:
 * the narrower, the more levels before some path count is over. */
static void fan(int width)
{
	static int lv[LEVELS][WIDTH];
	int efd = eventfd(0, 0), err = 0, l = 0, i = 0, j = 0;

	for (l = 0; l < LEVELS; l++)
		for (i = 0; i < width; i++)
			lv[l][i] = epoll_create1(0);
	for (i = 0; i < width && !err; i++)
		err = add(lv[0][i], efd);
	for (l = 1; l < LEVELS && !err; l++)
		for (i = 0; i < width && !err; i++)
			for (j = 0; j < width && !err; j++)
				err = add(lv[l][i], lv[l - 1][j]);
	if (err)
		printf("fan-out %d wide: level %d epoll %d taking epoll %d: %s\n", width, l - 1, i - 1,
		       j - 1, name(err));
	else
		printf("fan-out %d wide: all %d levels built\n", width, LEVELS);
	/* The highest epoll holding something: the first of the level that
	 * failed, unless the failure came at its very first link. */
	int top = !err ? lv[LEVELS - 1][0] : i > 1 || j > 1 ? lv[l - 1][0] : lv[l - 2][0];
	printf("  a write reaches the highest epoll linked: %s\n", wakes(efd, top));
	for (l = 0; l < LEVELS; l++)
		for (i = 0; i < width; i++)
			close(lv[l][i]);
	close(efd);
}

/* An eventfd added to nested epolls counts the paths above it: 20 epolls
 * inside one top, each given the same eventfd, then the same 20 inside
 * more tops, each adding 20 paths through one epoll. */
static void paths(void)
{
	int efd = eventfd(0, 0), mid[20], tops[60], err = 0, n = 0;

	for (int i = 0; i < 20; i++)
		mid[i] = epoll_create1(0);
	for (int t = 0; t < 60 && !err; t++) {
		tops[t] = epoll_create1(0);
		for (int i = 0; i < 20 && !err; i++, n++)
			err = add(tops[t], mid[i]);
		if (t == 0)
			for (int i = 0; i < 20 && !err; i++)
				err = add(mid[i], efd);
	}
	printf("paths through one epoll from one eventfd: link %d %s\n", err ? n - 1 : n, name(err));
}

int main(void)
{
	struct rlimit r = { 8192, 8192 };

	setrlimit(RLIMIT_NOFILE, &r);
	setvbuf(stdout, NULL, _IOLBF, 0);
	chain(1);
	chain(0);
	cycles();
	fan(40);
	fan(10);
	fan(4);
	fan(3);
	fan(2);
	paths();
	printf("epoll_limits done\n");
	return 0;
}
