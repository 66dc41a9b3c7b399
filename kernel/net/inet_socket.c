/* Internet sockets (AF_INET, AF_INET6) over lwIP: not yet built. */
#include "core/errno.h"
#include "net/socket.h"

int inet_socket_init(struct socket *s, int family, int type, int protocol)
{
	(void)s, (void)family, (void)type, (void)protocol;
	return -EAFNOSUPPORT;
}
