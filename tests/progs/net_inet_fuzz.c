/* Random socket calls with odd arguments (short and long lengths, bad
 * pointers, a page with a hole after it, every level and option number,
 * AF_UNSPEC and v4-mapped addresses, odd flags) on 16 inet sockets shared
 * by three threads, whose blocking calls a signal interrupts every few
 * milliseconds.  The kernel must survive: the program ends with
 * "fuzz done".  Seeded, though the threads' interleaving varies.
 * Usage: net_inet_fuzz [ROUNDS [SEED]]. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static __thread uint64_t seed = 12345;
static uint64_t base_seed = 12345;
static int rounds_per, finished, n_acc, n_rx;
static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

#define NS 16
static int socks[NS];
static char *page;	/* a mapped page, an unmapped one, a mapped one */
static unsigned short ports[NS];

static long pick_int(void)
{
	static const long v[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 24, 27, 28, 64, 127, 128, 129, 255, 256,
				  1024, 4096, 65535, 65536, 0x7fffffff, -1, -2, 0x80000000L,
				  0xffffffffL, 0x100000000L };
	return v[rnd() % (sizeof v / sizeof v[0])];
}

static void *pick_ptr(void)
{
	switch (rnd() % 6) {
	case 0: return NULL;
	case 1: return (void *)8;
	case 2: return page + 4096 - (rnd() % 32);	/* runs into the hole */
	case 3: return page + 8192;			/* unmapped */
	default: return page + (rnd() % 2048);
	}
}

static void fill_addr(void *p, socklen_t *len)
{
	int f = rnd() % 3 == 0 ? AF_INET6 : rnd() % 5 == 0 ? AF_UNSPEC : AF_INET;
	if (f == AF_INET6) {
		struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = ports[rnd() % NS] };
		if (rnd() % 2)
			s.sin6_addr = in6addr_loopback;
		else if (rnd() % 2) {
			s.sin6_addr.s6_addr[10] = 0xff, s.sin6_addr.s6_addr[11] = 0xff;
			s.sin6_addr.s6_addr[12] = 127, s.sin6_addr.s6_addr[15] = 1;
		}
		s.sin6_scope_id = rnd() % 3;
		memcpy(p, &s, sizeof s);
		*len = rnd() % 4 ? sizeof s : pick_int();
	} else {
		struct sockaddr_in s = { .sin_family = f, .sin_port = ports[rnd() % NS] };
		s.sin_addr.s_addr = rnd() % 4 ? htonl(INADDR_LOOPBACK) : rnd() % 2 ? 0 : htonl(0xe0000001);
		memcpy(p, &s, sizeof s);
		*len = rnd() % 4 ? sizeof s : pick_int();
	}
}

static void tick(int sig) { (void)sig; }

static int any_sock(void) { return socks[rnd() % NS]; }

static void remake(int i)
{
	if (socks[i] >= 0)
		close(socks[i]);
	int f = rnd() % 2 ? AF_INET : AF_INET6;
	int t = rnd() % 2 ? SOCK_STREAM : SOCK_DGRAM;
	int nb = rnd() % 4 != 0;
	socks[i] = socket(f, t | (nb ? SOCK_NONBLOCK : 0), 0);
	if (!nb) {
		struct timeval tv = { 0, 1000 };
		setsockopt(socks[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(socks[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
}

static void one(void)
{
	int s = any_sock();
	char addr[256];
	socklen_t len;
	int v;

	switch (rnd() % 24) {
	case 0: remake(rnd() % NS); break;
	case 1: fill_addr(addr, &len); bind(s, (void *)addr, len); break;
	case 2: fill_addr(addr, &len); connect(s, (void *)addr, len); break;
	case 3:
		if (listen(s, pick_int()) == 0) {
			struct sockaddr_storage ss;
			len = sizeof ss;
			getsockname(s, (void *)&ss, &len);
			for (int k = 0; k < 4; k++)
				ports[rnd() % NS] = ((struct sockaddr_in *)&ss)->sin_port;
		}
		break;
	case 4: {
		int a = accept4(s, rnd() % 2 ? pick_ptr() : (void *)addr, rnd() % 2 ? (void *)&len : pick_ptr(), SOCK_NONBLOCK);
		len = pick_int();
		if (a >= 0) {
			__atomic_add_fetch(&n_acc, 1, __ATOMIC_RELAXED);
			int i = rnd() % NS;
			close(socks[i]);
			socks[i] = a;
		}
		break;
	}
	case 5: send(s, pick_ptr(), pick_int() & 0x1ffff, MSG_DONTWAIT | (rnd() % 2 ? MSG_MORE : 0) | (rnd() % 5 ? 0 : MSG_OOB)); break;
	case 6: recv(s, pick_ptr(), pick_int() & 0x1ffff, MSG_DONTWAIT | (rnd() % 3 ? 0 : MSG_PEEK) | (rnd() % 3 ? 0 : MSG_TRUNC) | (rnd() % 5 ? 0 : MSG_WAITALL) | (rnd() % 5 ? 0 : MSG_OOB)); break;
	case 7: fill_addr(addr, &len); sendto(s, page, pick_int() & 0x1ffff, MSG_DONTWAIT, (void *)addr, len); break;
	case 8: len = pick_int(); recvfrom(s, page, 4096, MSG_DONTWAIT, rnd() % 2 ? (void *)addr : pick_ptr(), (void *)&len); break;
	case 9: {
		int lvl = (int[]){ SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_UDP, 999 }[rnd() % 6];
		int name = rnd() % 70;
		*(int *)page = pick_int();
		setsockopt(s, lvl, name, rnd() % 4 ? page : pick_ptr(), pick_int());
		break;
	}
	case 10: {
		int lvl = (int[]){ SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_UDP, 999 }[rnd() % 6];
		len = pick_int();
		getsockopt(s, lvl, rnd() % 70, rnd() % 4 ? page : pick_ptr(), rnd() % 4 ? &len : pick_ptr());
		break;
	}
	case 11: shutdown(s, pick_int() % 4); break;
	case 12: len = pick_int(); getsockname(s, rnd() % 2 ? (void *)addr : pick_ptr(), &len); break;
	case 13: len = pick_int(); getpeername(s, rnd() % 2 ? (void *)addr : pick_ptr(), &len); break;
	case 14: ioctl(s, (unsigned long[]){ FIONREAD, 0x5411, 0x8905, FIONBIO, 0x8912, 0x8927 }[rnd() % 6], rnd() % 2 ? (void *)&v : pick_ptr()); break;
	case 15: {
		struct iovec iov[40];
		int n = rnd() % 40;
		for (int i = 0; i < n; i++)
			iov[i] = (struct iovec){ rnd() % 3 ? page + rnd() % 4096 : pick_ptr(), rnd() % 3 ? rnd() % 3000 : pick_int() };
		fill_addr(addr, &len);
		struct msghdr m;
		memset(&m, 0, sizeof m);
		m.msg_name = rnd() % 2 ? (void *)addr : pick_ptr();
		m.msg_namelen = rnd() % 2 ? len : pick_int();
		m.msg_iov = rnd() % 5 ? iov : pick_ptr();
		m.msg_iovlen = rnd() % 5 ? n : pick_int();
		m.msg_control = rnd() % 2 ? NULL : page + 1024;
		m.msg_controllen = rnd() % 2 ? 0 : pick_int();
		if (rnd() % 2)
			syscall(SYS_sendmsg, s, &m, MSG_DONTWAIT | (rnd() % 2 ? MSG_NOSIGNAL : 0));
		else
			syscall(SYS_recvmsg, s, &m, MSG_DONTWAIT | (rnd() % 3 ? 0 : MSG_PEEK));
		break;
	}
	case 16: {
		struct mmsghdr mm[4];
		struct iovec iov = { page, 100 };
		memset(mm, 0, sizeof mm);
		for (int i = 0; i < 4; i++) {
			mm[i].msg_hdr.msg_iov = &iov;
			mm[i].msg_hdr.msg_iovlen = 1;
			if (rnd() % 2) {
				mm[i].msg_hdr.msg_name = addr;
				fill_addr(addr, &mm[i].msg_hdr.msg_namelen);
			}
		}
		struct timespec ts = { 0, rnd() % 3 ? 1000 : 2000000000L };
		if (rnd() % 2)
			syscall(SYS_sendmmsg, s, rnd() % 5 ? (void *)mm : pick_ptr(), rnd() % 6, MSG_DONTWAIT);
		else
			syscall(SYS_recvmmsg, s, rnd() % 5 ? (void *)mm : pick_ptr(), rnd() % 6, MSG_DONTWAIT | (rnd() % 2 ? 0x10000 : 0), rnd() % 2 ? &ts : rnd() % 2 ? NULL : pick_ptr());
		break;
	}
	case 17: {
		struct pollfd p[NS];
		for (int i = 0; i < NS; i++)
			p[i] = (struct pollfd){ socks[i], POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };
		poll(p, NS, 0);
		break;
	}
	case 18: {
		int ep = epoll_create1(0);
		for (int i = 0; i < NS; i++) {
			struct epoll_event e = { EPOLLIN | EPOLLOUT | EPOLLRDHUP | (rnd() % 2 ? EPOLLET : 0), { .u32 = i } };
			epoll_ctl(ep, EPOLL_CTL_ADD, socks[i], &e);
		}
		struct epoll_event out[NS];
		epoll_wait(ep, out, NS, 0);
		close(ep);
		break;
	}
	case 19: {
		/* remember a listening/bound port */
		struct sockaddr_storage ss;
		len = sizeof ss;
		if (getsockname(s, (void *)&ss, &len) == 0)
			ports[rnd() % NS] = ((struct sockaddr_in *)&ss)->sin_port;
		break;
	}
	case 20: {
		struct linger l = { rnd() % 2, rnd() % 3 ? 0 : 1 };
		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof l);
		break;
	}
	case 21: { struct timeval tv = { 0, 1000 }; setsockopt(s, SOL_SOCKET, rnd() % 2 ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, sizeof tv); break; }
	case 22: if (read(s, rnd() % 2 ? page : pick_ptr(), pick_int() & 0xffff) > 0) __atomic_add_fetch(&n_rx, 1, __ATOMIC_RELAXED); break;
	case 23: write(s, rnd() % 2 ? page : pick_ptr(), pick_int() & 0xffff); break;
	}
}

static void *worker(void *arg)
{
	seed = base_seed * 3 + (uint64_t)(long)arg + 1;
	for (int i = 0; i < rounds_per; i++)
		one();
	__atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20000;
	if (argc > 2)
		base_seed = strtoull(argv[2], NULL, 0);
	seed = base_seed;
	signal(SIGPIPE, SIG_IGN);
	/* Any call that would block is interrupted soon. */
	struct sigaction sa = { .sa_handler = tick };
	sigaction(SIGALRM, &sa, NULL);
	page = mmap(NULL, 4096 * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);
	for (int i = 0; i < NS; i++) {
		socks[i] = -1;
		remake(i);
	}
	rounds_per = rounds;
	pthread_t th[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	/* Every worker's blocking call is interrupted soon. */
	while (__atomic_load_n(&finished, __ATOMIC_RELAXED) < 3) {
		usleep(5000);
		for (int i = 0; i < 3; i++)
			pthread_kill(th[i], SIGALRM);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NS; i++)
		close(socks[i]);
	printf("accepted %d, reads with data %d\nfuzz done\n", n_acc, n_rx);
	return 0;
}
