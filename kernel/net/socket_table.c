/* Every socket that has a file, for /proc/net/unix (and whatever else
 * needs to walk them).  One list under one spinlock, touched when a
 * socket gets its file and when it is destroyed: never on the data path. */
#include "net/socket.h"

#include "core/spinlock.h"

static struct list table = LIST_INIT(table);
static struct spinlock table_lock = SPINLOCK_INIT;

void socket_table_add(struct socket *s)
{
	spin_lock(&table_lock);
	list_add_tail(&table, &s->table_link);
	spin_unlock(&table_lock);
}

/* A socket that never got a file (an embryo, a failed accept) is on no
 * list: its link points at itself. */
void socket_table_remove(struct socket *s)
{
	spin_lock(&table_lock);
	list_del(&s->table_link);
	list_init(&s->table_link);
	spin_unlock(&table_lock);
}

int socket_each(int family, int (*fn)(struct socket *s, void *arg), void *arg)
{
	struct list *pos;
	int r = 0;

	spin_lock(&table_lock);
	list_for_each(pos, &table) {
		struct socket *s = list_entry(pos, struct socket, table_link);
		if ((family == AF_UNSPEC || s->family == family) && (r = fn(s, arg)))
			break;
	}
	spin_unlock(&table_lock);
	return r;
}
