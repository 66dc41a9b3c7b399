/* AF_UNIX names: paths (a socket node in the VFS) and abstract names
 * (sun_path[0] == 0, only in the table here), binding, finding the socket
 * a name leads to, and getsockname/getpeername.
 *
 * The table lists every bound socket.  A path-bound one holds a reference
 * on its node, and a lookup of the path finds the socket by that inode, so
 * the VFS needs no field for it: unlinking the name only makes the socket
 * unreachable, and a node left behind by a closed socket refuses
 * connections, as on Linux. */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/string.h"
#include "fs/cred.h"
#include "fs/path.h"
#include "fs/vfs.h"

static struct spinlock unix_table_lock = SPINLOCK_INIT;
static struct list table = LIST_INIT(table);	/* struct unix_sock by blink */
static unsigned next_auto;			/* autobind names, under the lock */

/* A sockaddr_un: 0, or -EINVAL (too short, too long, not AF_UNIX). */
static int addr_check(const void *addr, uint32_t len)
{
	uint16_t family;

	if (len < 2 || len > UNIX_ADDR_MAX)
		return -EINVAL;
	memcpy(&family, addr, sizeof family);
	return family == AF_UNIX ? 0 : -EINVAL;
}

static bool abstract(const uint8_t *addr, uint32_t len) { return len > 2 && addr[2] == 0; }

/* The path in addr, NUL-terminated in buf[UNIX_PATH_MAX + 1]. */
static void path_of(const uint8_t *addr, uint32_t len, char *buf)
{
	size_t n = strnlen((const char *)addr + 2, len - 2);

	memcpy(buf, addr + 2, n);
	buf[n] = 0;
}

/* A bound socket of the type with the same abstract name.  As on Linux,
 * each type has its own abstract names: a stream and a datagram socket
 * may both bind one, and a datagram connect does not find a stream
 * listener there (ECONNREFUSED, where a path gives EPROTOTYPE).  Caller
 * holds the lock. */
static struct unix_sock *abstract_find(const uint8_t *addr, uint32_t len, int type)
{
	struct list *l;

	list_for_each(l, &table) {
		struct unix_sock *u = list_entry(l, struct unix_sock, blink);
		if (!u->inode && u->type == type && u->addrlen == len && !memcmp(u->addr, addr, len))
			return u;
	}
	return NULL;
}

/* Publishes u's name; -EADDRINUSE if an abstract name is taken, -EINVAL if
 * u got a name meanwhile. */
static int publish(struct unix_sock *u, const uint8_t *addr, uint32_t len, struct inode *node)
{
	spin_lock(&unix_table_lock);
	int err = u->addrlen ? -EINVAL : !node && abstract_find(addr, len, u->type) ? -EADDRINUSE : 0;
	if (!err) {
		memcpy(u->addr, addr, len);
		u->inode = node;
		__atomic_store_n(&u->addrlen, len, __ATOMIC_RELEASE);	/* addr before its length */
		list_add_tail(&table, &u->blink);
	}
	spin_unlock(&unix_table_lock);
	return err;
}

/* Makes the socket node for path: -EADDRINUSE if the name exists. */
static int node_create(const char *path, struct inode **node)
{
	char name[NAME_MAX + 1];
	struct inode *dir;
	bool slash;

	vfs_lock();
	int err = path_parent(vfs_cwd(), path, &dir, name, &slash);
	if (!err) {
		unsigned mode = S_IFSOCK | (0777 & ~vfs_umask(0, false));
		err = !name[0] || slash ? -EADDRINUSE : vfs_create(dir, name, mode, 0, node);
		inode_put(dir);
	}
	vfs_unlock();
	return err == -EEXIST ? -EADDRINUSE : err;
}

static bool node_exists(const char *path)
{
	struct inode *node;

	vfs_lock();
	int err = path_lookup(vfs_cwd(), path, false, &node, NULL);
	vfs_unlock();
	if (!err)
		inode_put(node);
	return !err;
}

static int bind_path(struct unix_sock *u, const uint8_t *addr, uint32_t len)
{
	char path[UNIX_PATH_MAX + 1];
	uint8_t full[UNIX_ADDR_MAX + 1];
	struct inode *node;

	path_of(addr, len, path);
	/* As on Linux, a name in use is reported before the socket's own. */
	int err = __atomic_load_n(&u->addrlen, __ATOMIC_ACQUIRE) ? -EINVAL : node_create(path, &node);
	if (err == -EINVAL && node_exists(path))
		err = -EADDRINUSE;
	if (err)
		return err;
	/* The name as getsockname shows it: the path and its NUL. */
	size_t n = strlen(path);
	memcpy(full, addr, 2);
	memcpy(full + 2, path, n + 1);
	if ((err = publish(u, full, (uint32_t)(2 + n + 1), node)))
		inode_put(node);	/* the node stays, as after a close */
	return err;
}

int unix_autobind(struct unix_sock *u)
{
	uint8_t addr[8] = { AF_UNIX, 0, 0 };

	for (int tries = 0; tries < 0x100000; tries++) {
		char hex[8];
		snprintf(hex, sizeof hex, "%05x", __atomic_fetch_add(&next_auto, 1, __ATOMIC_RELAXED) & 0xfffff);
		memcpy(addr + 3, hex, 5);
		int err = publish(u, addr, sizeof addr, NULL);
		if (err != -EADDRINUSE)
			return err;
	}
	return -EADDRINUSE;
}

int unix_bind(struct socket *s, const void *addr, uint32_t len)
{
	struct unix_sock *u = unix_of(s);
	int err = addr_check(addr, len);

	if (err)
		return err;
	if (!abstract(addr, len) && len > 2)
		return bind_path(u, addr, len);
	if (__atomic_load_n(&u->addrlen, __ATOMIC_ACQUIRE))
		return -EINVAL;
	if (len == 2)
		return unix_autobind(u);
	return publish(u, addr, len, NULL);
}

void unix_unbind(struct unix_sock *u)
{
	if (!__atomic_load_n(&u->addrlen, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&unix_table_lock);
	list_del(&u->blink);
	spin_unlock(&unix_table_lock);
	if (u->inode)
		inode_put(u->inode);
	u->inode = NULL;
}

/* The node a path names, referenced: connecting and sending to it take
 * write permission on it, as on Linux. */
static int node_find(const uint8_t *addr, uint32_t len, struct inode **node)
{
	char path[UNIX_PATH_MAX + 1];
	struct vfs_cred c;

	path_of(addr, len, path);
	vfs_lock();
	int err = path_lookup(vfs_cwd(), path, true, node, NULL);
	if (!err) {
		vfs_cred_current(&c);
		if ((err = vfs_permission(&c, *node, MAY_WRITE)))
			inode_put(*node);
	}
	vfs_unlock();
	if (!err && ((*node)->mode & S_IFMT) != S_IFSOCK) {
		inode_put(*node);
		err = -ECONNREFUSED;
	}
	return err;
}

int unix_find(const void *addr, uint32_t len, int type, struct unix_sock **out)
{
	struct inode *node = NULL;
	struct unix_sock *found = NULL;
	int err = addr_check(addr, len);

	if (!err && len == 2)
		err = -EINVAL;
	if (!err && !abstract(addr, len))
		err = node_find(addr, len, &node);
	if (err)
		return err;
	spin_lock(&unix_table_lock);
	if (!node) {
		found = abstract_find(addr, len, type);
	} else {
		struct list *l;
		list_for_each(l, &table) {
			struct unix_sock *u = list_entry(l, struct unix_sock, blink);
			if (u->inode == node)
				found = u;
		}
	}
	if (found)
		unix_get(found);
	spin_unlock(&unix_table_lock);
	if (node)
		inode_put(node);
	if (!found)
		return -ECONNREFUSED;
	if (found->type != type) {
		unix_put(found);
		return -EPROTOTYPE;
	}
	*out = found;
	return 0;
}

int unix_getname(struct socket *s, void *addr, uint32_t *len, bool peer)
{
	struct unix_sock *u = unix_of(s);
	struct unix_sock *who = u;

	if (peer) {
		spin_lock(&u->lock);
		bool connected = u->state == UNIX_CONNECTED || (u->type == SOCK_DGRAM && u->peer);
		spin_unlock(&u->lock);
		if (!connected || !(who = unix_peer_get(u)))
			return -ENOTCONN;
	}
	uint32_t n = __atomic_load_n(&who->addrlen, __ATOMIC_ACQUIRE);
	uint8_t unnamed[2] = { AF_UNIX, 0 };
	const uint8_t *src = n ? who->addr : unnamed;
	n = n ? n : 2;
	memcpy(addr, src, *len < n ? *len : n);
	*len = n;
	if (peer)
		unix_put(who);
	return 0;
}
