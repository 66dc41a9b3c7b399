/* INET_DIAG_REQ_BYTECODE: the filter a dump request may carry (what `ss`
 * makes of an expression such as "sport = :22"), checked and run as
 * Linux's inet_diag.c does.  A program is a run of 4-byte ops, each with
 * its arguments after it; every op is a conditional jump forward, by
 * "yes" bytes when its test passes and "no" bytes when it fails.  The
 * socket passes when the run ends exactly at the program's end. */
#include "net/sock_diag_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

enum {
	BC_NOP, BC_JMP, BC_S_GE, BC_S_LE, BC_D_GE, BC_D_LE, BC_AUTO, BC_S_COND, BC_D_COND,
	BC_DEV_COND, BC_MARK_COND, BC_S_EQ, BC_D_EQ, BC_CGROUP_COND,
};

struct bc_op {
	uint8_t code, yes;
	uint16_t no;
};

/* struct inet_diag_hostcond: the address follows. */
struct hostcond {
	uint8_t family, prefix_len;
	int32_t port;			/* -1: any */
};

/* Linux's valid_cc asks, for each jump, whether walking by "yes" from the
 * program's start reaches its target, which makes a long program cost the
 * square of its length.  Walked once here instead: the offsets the walk
 * reaches, a bit per 4 bytes, up to the first "yes" that is not a step
 * forward inside the program.  NULL without memory. */
static uint8_t *landings(const uint8_t *bc, int len)
{
	size_t size = (size_t)len / 32 + 1;
	uint8_t *map = kmalloc(size);

	if (!map)
		return NULL;
	memset(map, 0, size);
	for (int off = 0;;) {
		struct bc_op op;
		map[off / 32] |= (uint8_t)(1u << (off / 4 % 8));
		if (off + (int)sizeof op > len)
			break;
		memcpy(&op, bc + off, sizeof op);
		if (op.yes < 4 || (op.yes & 3) || off + op.yes > len)
			break;
		off += op.yes;
	}
	return map;
}

static bool lands(const uint8_t *map, int off)
{
	return !(off & 3) && (map[off / 32] >> (off / 4 % 8) & 1);
}

/* Linux's valid_hostcond: room for the condition and its family's address,
 * a prefix no longer than it. */
static bool hostcond_ok(const uint8_t *bc, int len, int *min_len)
{
	struct hostcond c;
	int alen;

	*min_len += (int)sizeof c;
	if (len < *min_len)
		return false;
	memcpy(&c, bc + sizeof(struct bc_op), sizeof c);
	if (c.family == 0)
		alen = 0;
	else if (c.family == AF_INET_K)
		alen = 4;
	else if (c.family == AF_INET6_K)
		alen = 16;
	else
		return false;
	*min_len += alen;
	return len >= *min_len && c.prefix_len <= 8 * alen;
}

/* The arguments' room, by op: 0 when the op is unknown (-EINVAL). */
static int op_check(const uint8_t *bc, int len, bool net_admin, int *min_len)
{
	switch (bc[0]) {
	case BC_S_COND: case BC_D_COND:
		return hostcond_ok(bc, len, min_len) ? 0 : -EINVAL;
	case BC_DEV_COND:
		*min_len += 4;
		break;
	case BC_S_EQ: case BC_S_GE: case BC_S_LE: case BC_D_EQ: case BC_D_GE: case BC_D_LE:
		*min_len += (int)sizeof(struct bc_op);	/* the port, in a second op's "no" */
		break;
	case BC_MARK_COND:
		if (!net_admin)
			return -EPERM;
		*min_len += 8;
		break;
	case BC_CGROUP_COND:
		*min_len += 8;
		break;
	case BC_AUTO: case BC_JMP: case BC_NOP:
		return 0;
	default:
		return -EINVAL;
	}
	return len >= *min_len ? 0 : -EINVAL;
}

/* One op at offset off of the program (len bytes left from it). */
static int audit_op(const uint8_t *bc, int off, int len, bool net_admin, const uint8_t *map)
{
	int min_len = sizeof(struct bc_op), err;
	struct bc_op op;

	if (len < (int)sizeof op)
		return -EINVAL;	/* Linux reads past the program here; we do not */
	memcpy(&op, bc + off, sizeof op);
	if ((err = op_check(bc + off, len, net_admin, &min_len)))
		return err;
	if (op.code != BC_NOP) {
		if (op.no < min_len || op.no > len + 4 || (op.no & 3))
			return -EINVAL;
		if (op.no < len && !lands(map, off + op.no))
			return -EINVAL;
	}
	if (op.yes < min_len || op.yes > len + 4 || (op.yes & 3))
		return -EINVAL;
	return op.yes;
}

int diag_bc_audit(const uint8_t *bc, int len, bool net_admin)
{
	int off = 0, step = 0;

	if (len < (int)sizeof(struct bc_op))
		return -EINVAL;
	uint8_t *map = landings(bc, len);
	if (!map)
		return -ENOMEM;
	while (off < len && (step = audit_op(bc, off, len - off, net_admin, map)) > 0)
		off += step;
	kfree(map);
	if (step < 0)
		return step;
	return off == len ? 0 : -EINVAL;
}

/* The first bits of a and b (network order words) are equal. */
static bool prefix_match(const uint32_t *a, const uint8_t *b, int bits)
{
	int words = bits / 32;
	uint32_t w;

	if (words && memcmp(a, b, (size_t)words * 4))
		return false;
	bits &= 31;
	if (!bits)
		return true;
	memcpy(&w, b + words * 4, 4);
	uint32_t mask = __builtin_bswap32(~0u << (32 - bits));
	return ((a[words] ^ w) & mask) == 0;
}

/* An S_COND or D_COND at p. */
static bool host_passes(const uint8_t *p, bool src, const struct diag_entry *e)
{
	struct hostcond c;
	const uint8_t *addr = p + sizeof(struct bc_op) + sizeof c;
	const uint32_t *a = src ? e->saddr : e->daddr;

	memcpy(&c, p + sizeof(struct bc_op), sizeof c);
	if (c.port != -1 && c.port != (src ? e->sport : e->dport))
		return false;
	if (c.family && c.family != e->family) {
		/* an IPv4 condition meets an IPv6 socket's v4-mapped address */
		return e->family == AF_INET6_K && c.family == AF_INET_K && !a[0] && !a[1] &&
		       a[2] == __builtin_bswap32(0xffff) && prefix_match(a + 3, addr, c.prefix_len);
	}
	return !c.prefix_len || prefix_match(a, addr, c.prefix_len);
}

/* The audited op at p (its arguments are inside the program). */
static bool op_passes(const uint8_t *p, const struct diag_entry *e)
{
	struct bc_op port;
	uint32_t u32[2];
	uint64_t u64;

	switch (p[0]) {
	case BC_JMP:		return false;
	case BC_AUTO:		return !e->port_locked;
	case BC_S_COND:		return host_passes(p, true, e);
	case BC_D_COND:		return host_passes(p, false, e);
	case BC_DEV_COND:
		memcpy(u32, p + 4, 4);
		return u32[0] == e->ifindex;
	case BC_MARK_COND:	/* mark, then mask */
		memcpy(u32, p + 4, 8);
		return (e->mark & u32[1]) == u32[0];
	case BC_CGROUP_COND:
		memcpy(&u64, p + 4, 8);
		return u64 == e->cgroup_id;
	case BC_S_EQ: case BC_S_GE: case BC_S_LE: case BC_D_EQ: case BC_D_GE: case BC_D_LE:
		break;
	default:		return true;	/* NOP */
	}
	memcpy(&port, p + 4, sizeof port);
	uint16_t have = p[0] == BC_S_EQ || p[0] == BC_S_GE || p[0] == BC_S_LE ? e->sport : e->dport;
	if (p[0] == BC_S_EQ || p[0] == BC_D_EQ)
		return have == port.no;
	if (p[0] == BC_S_GE || p[0] == BC_D_GE)
		return have >= port.no;
	return have <= port.no;
}

/* The program was audited: every jump lands on an op or at the end, and
 * each op's arguments are inside it. */
bool diag_bc_run(const uint8_t *bc, int len, const struct diag_entry *e)
{
	while (len > 0) {
		struct bc_op op;
		memcpy(&op, bc, sizeof op);
		int step = op_passes(bc, e) ? op.yes : op.no;
		bc += step;
		len -= step;
	}
	return len == 0;
}
