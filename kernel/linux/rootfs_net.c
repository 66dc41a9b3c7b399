/* The /etc files that follow the network: /etc/hosts and /etc/resolv.conf,
 * made at boot from what net_start found and made again when a DHCP lease
 * comes only after the program started.  Each body is kept so that the
 * second time replaces only a file nobody else wrote: the initrd's own, or
 * one the program changed, stays as it is. */
#include "linux/rootfs.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/vfs.h"
#include "fs/vfs_kernel.h"
#include "net/net_config.h"

struct net_file {
	const char *path;
	char *(*make)(void);
	char *body;		/* what we wrote there; NULL: not ours */
};

static struct net_file net_files[] = {
	{ "/etc/hosts", net_config_hosts, NULL },
	{ "/etc/resolv.conf", net_config_resolv_conf, NULL },
};

#define NET_FILES (sizeof net_files / sizeof net_files[0])

/* Caller holds vfs_lock. */
static int write_made(struct net_file *f)
{
	char *body = f->make();

	if (!body)
		return -ENOMEM;
	int err = vfs_make_file(f->path, body, strlen(body), 0644);
	if (err) {
		kfree(body);
		return err;
	}
	kfree(f->body);
	f->body = body;
	return 0;
}

int rootfs_net_files_make(void)
{
	int err = 0;

	for (size_t k = 0; k < NET_FILES && !err; k++)
		if (!vfs_exists(net_files[k].path))
			err = write_made(&net_files[k]);
	return err;
}

/* Still holds exactly what we wrote (a program that writes it between this
 * look and the rewrite loses that write: the window is one lease). */
static bool unchanged(const struct net_file *f)
{
	void *data;
	size_t size;

	if (!f->body || vfs_read_whole(f->path, 0, &data, &size))
		return false;
	bool same = size == strlen(f->body) && !memcmp(data, f->body, size);
	kfree(data);
	return same;
}

void rootfs_net_files_refresh(void)
{
	for (size_t k = 0; k < NET_FILES; k++) {
		if (!unchanged(&net_files[k]))
			continue;
		vfs_lock();
		write_made(&net_files[k]);	/* out of memory: the old one stays */
		vfs_unlock();
	}
}
