/* SO_RCVBUF and SO_SNDBUF of odd values on AF_UNIX, TCP and UDP sockets,
 * as Linux stores them: a negative value is read as unsigned (the most,
 * as INT_MAX), 0 and 1 give the minimum, and as root the FORCE options
 * take a negative one as 0.  One line per case; the values themselves
 * depend on net.core.rmem_max, so most lines compare two settings. */
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>


static int set_get(int fd, int name, int v)
{
	int got;
	socklen_t len = sizeof got;

	setsockopt(fd, SOL_SOCKET, name, &v, sizeof v);
	getsockopt(fd, SOL_SOCKET, name == SO_RCVBUFFORCE ? SO_RCVBUF : name == SO_SNDBUFFORCE ? SO_SNDBUF : name,
		   &got, &len);
	return got;
}

static void one(const char *what, int family, int type)
{
	int fd = socket(family, type, 0);

	for (int rcv = 1; rcv >= 0; rcv--) {
		int name = rcv ? SO_RCVBUF : SO_SNDBUF, most = set_get(fd, name, 0x7fffffff);
		printf("%s %s: -1 same as INT_MAX %d, INT_MIN same %d, 0 gives %d, 1 gives %d, 3000 gives %d\n",
		       what, rcv ? "rcvbuf" : "sndbuf", set_get(fd, name, -1) == most,
		       set_get(fd, name, (int)0x80000000) == most, set_get(fd, name, 0), set_get(fd, name, 1),
		       set_get(fd, name, 3000));
		if (getuid() == 0)
			printf("%s %s force: -1 gives %d, INT_MAX gives %d\n", what, rcv ? "rcvbuf" : "sndbuf",
			       set_get(fd, rcv ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, -1),
			       set_get(fd, rcv ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, 0x7fffffff));
	}
	close(fd);
}

int main(void)
{
	one("unix stream", AF_UNIX, SOCK_STREAM);
	one("unix dgram", AF_UNIX, SOCK_DGRAM);
	one("tcp", AF_INET, SOCK_STREAM);
	one("udp", AF_INET, SOCK_DGRAM);
	return 0;
}
