/* Taps on a bridge: the supervisor's own (amphi server start --net
 * bridge=BR) and each direct-mode NIC's (switch_job.c).  The kernel names
 * them (amphiN); each is brought up and added to the bridge with ioctls,
 * and none is persistent: it disappears with its last descriptor.  The
 * supervisor holds its own tap's for life and every server VM's QEMU
 * inherits it (-netdev tap,fd=N), so that tap outlives restarts and goes
 * when the supervisor does, whatever way (not close-on-exec, on purpose);
 * a NIC's tap is handed to the app's QEMU, and goes with its netdev. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "supervisor.h"

/* A Linux bridge whose address nobody set takes the lowest of its ports'
 * MACs, and takes another when that port goes: every host that talks to
 * the bridge's own address would then send to a MAC nobody answers for
 * (its ARP cache says the old one) until it asks again, and a switch's
 * tap goes within seconds.  So our taps' MACs start with 0xfe (locally
 * administered, unicast, above any vendor's, as libvirt's taps): the
 * bridge never takes them while it has a real port; and a NIC's tap's go
 * on with 0xff, above the server's tap's: on a bridge of taps alone the
 * bridge takes the server's, which stays as long as the server. */
static int tap_set_mac(int sock, const char *tap, bool nic, char **why)
{
	struct ifreq ifr;
	uint8_t *m = (uint8_t *)ifr.ifr_hwaddr.sa_data;

	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, tap, IFNAMSIZ - 1);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	net_random_mac(m);
	m[0] = 0xfe;
	m[1] = nic ? 0xff : (uint8_t)(m[1] % 0xff);
	if (ioctl(sock, SIOCSIFHWADDR, &ifr) < 0) {
		*why = xasprintf("cannot set its tap's MAC: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int bridge_add(int sock, const char *bridge, const char *tap, bool nic, char **why)
{
	struct ifreq ifr;

	if (tap_set_mac(sock, tap, nic, why) < 0)
		return -1;
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

/* Returns the tap's descriptor and its name, or -1 and why not.  nic: the
 * tap of an app's NIC (direct mode), not the server's own. */
int tap_create(const char *bridge, bool nic, char name[16], char **why)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR);

	*why = NULL;
	if (fd < 0) {
		*why = xasprintf("/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, "amphi%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		*why = xasprintf("cannot create a tap: %s", strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = sock < 0 ? -1 : bridge_add(sock, bridge, name, nic, why);
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
