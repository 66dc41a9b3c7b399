/* /proc/net/igmp and /proc/net/igmp6: the multicast groups each interface
 * belongs to (net/netif.h's snapshot), in Linux's columns, for iproute2's
 * `ip maddr` and net-tools' `netstat -g`.  lwIP speaks IGMPv2, so the
 * querier column says V2 where Linux, speaking IGMPv3, says V3. */
#include "linux/procfs_net.h"

#include "core/format.h"
#include "core/kmalloc.h"
#include "net/netif.h"

static int list_groups(void *out, int max, const void *arg)
{
	(void)arg;
	return net_mcast_groups(out, max);
}

struct snapshot {
	struct net_mcast_group *groups;
	struct net_ifaddr *ifs;
	int ngroups, nifs;
};

/* The interfaces first: taking them starts lwIP, whose lo has groups
 * whenever this is read, as on Linux. */
static bool take(struct seqbuf *s, struct snapshot *t)
{
	t->ifs = proc_net_take_ifaddrs(s, &t->nifs);
	t->groups = t->ifs ? proc_net_take(s, list_groups, NULL, sizeof *t->groups, &t->ngroups) : NULL;
	if (!t->groups)
		kfree(t->ifs);
	return t->groups != NULL;
}

static void drop(struct snapshot *t)
{
	kfree(t->groups);
	kfree(t->ifs);
}

static const char *name_of(const struct snapshot *t, int index)
{
	const struct net_ifaddr *i = net_ifaddr_find(t->ifs, t->nifs, index);

	return i ? i->name : "?";
}

/* Each interface with IPv4 groups: a line of its own (index, name, how
 * many), then one for each group (Linux's igmp_mc_seq_show). */
void proc_net_gen_igmp(struct seqbuf *s)
{
	struct snapshot t;

	if (!take(s, &t))
		return;
	seq_printf(s, "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n");
	for (int k = 0; k < t.ngroups; k++) {
		const struct net_mcast_group *g = &t.groups[k];
		if (g->v6)
			continue;
		if (k == 0 || t.groups[k - 1].index != g->index || t.groups[k - 1].v6) {
			int count = 0;
			for (int j = k; j < t.ngroups && t.groups[j].index == g->index && !t.groups[j].v6; j++)
				count++;
			seq_printf(s, "%d\t%-10s: %5d %7s\n", g->index, name_of(&t, g->index), count, "V2");
		}
		seq_printf(s, "\t\t\t\t%08X %5d %d:%08X\t\t%d\n", proc_net_word(g->addr), g->users,
			   g->timer_cs != 0, g->timer_cs, g->last_reporter);
	}
	drop(&t);
}

/* One line a group (Linux's igmp6_mc_seq_show). */
void proc_net_gen_igmp6(struct seqbuf *s)
{
	struct snapshot t;

	if (!take(s, &t))
		return;
	for (int k = 0; k < t.ngroups; k++) {
		const struct net_mcast_group *g = &t.groups[k];
		if (!g->v6)
			continue;
		seq_printf(s, "%-4d %-15s ", g->index, name_of(&t, g->index));
		for (int i = 0; i < 16; i++)
			seq_printf(s, "%02x", g->addr[i]);
		seq_printf(s, " %5d %08X %u\n", g->users, g->flags6, g->timer_cs);
	}
	drop(&t);
}
