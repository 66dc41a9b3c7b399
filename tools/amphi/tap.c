/* A tap of the supervisor's own on a bridge (amphi server start --net
 * bridge=BR).  The kernel names it (amphiN); it is brought up and added
 * to the bridge with ioctls, and it is not persistent: the supervisor
 * holds its descriptor for life and every server VM's QEMU inherits it
 * (-netdev tap,fd=N), so the tap outlives restarts and disappears when
 * the last holder ends, whatever way the supervisor does.  Not
 * close-on-exec, on purpose. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "supervisor.h"

static int bridge_add(int sock, const char *bridge, const char *tap, char **why)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, bridge, IFNAMSIZ - 1);
	ifr.ifr_ifindex = (int)if_nametoindex(tap);
	if (ioctl(sock, SIOCBRADDIF, &ifr) < 0) {
		*why = xasprintf("cannot add a tap to it: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, tap, IFNAMSIZ - 1);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
		*why = xasprintf("cannot bring its tap %s up: %s", tap, strerror(errno));
		return -1;
	}
	return 0;
}

/* Returns the tap's descriptor and its name, or -1 and why not. */
int tap_create(const char *bridge, char name[16], char **why)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR);

	*why = NULL;
	if (fd < 0) {
		*why = xasprintf("/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strcpy(ifr.ifr_name, "amphi%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		*why = xasprintf("cannot create a tap: %s", strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = sock < 0 ? -1 : bridge_add(sock, bridge, name, why);
	if (sock >= 0)
		close(sock);
	if (r < 0) {
		if (!*why)
			*why = xasprintf("%s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
