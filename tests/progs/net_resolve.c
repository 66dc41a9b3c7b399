/* Resolves each argument with getaddrinfo (musl's resolver: /etc/hosts,
 * then the servers in /etc/resolv.conf) and prints "NAME ADDR" per IPv4
 * and IPv6 address, or "NAME error: ..." */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static void resolve(const char *name)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int err = getaddrinfo(name, NULL, &hints, &res);

	if (err) {
		printf("%s error: %s\n", name, gai_strerror(err));
		return;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		char buf[INET6_ADDRSTRLEN];
		const void *a = ai->ai_family == AF_INET
			? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
			: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		printf("%s %s\n", name, inet_ntop(ai->ai_family, a, buf, sizeof buf));
	}
	freeaddrinfo(res);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		resolve(argv[i]);
	return 0;
}
