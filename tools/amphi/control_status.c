/* `status text` and `status json`: the server and one entry per app.
 *
 * What the supervisor knows itself (names, pids, slots, modes, MACs, and
 * the mode switches it made) comes from its own memory; the link's state,
 * why it was shut and the counters from the server VM's ledger, which no
 * app can write; claims from a copy of each region taken once, every
 * value of which is untrusted: the app can write anything there.  Only numbers are
 * printed from it, and a claim counts as granted only when the server's
 * verdict at its index answers that very request. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "netaddr.h"
#include "supervisor.h"

/* One app, as the regions showed it when status was asked for. */
struct view {
	const struct slot *s;
	struct link_srv srv;
	struct link_app app;
	struct link_ledger_slot led;
	bool current;		/* the server's part belongs to this attach */
	bool counted;		/* the ledger's entry does */
	char *addresses[LINK_MAX_CLAIMS + 1];
	char *ports[LINK_MAX_CLAIMS];
	size_t naddr, nports;
};

static char *claim_string(const struct link_claim *cl)
{
	char buf[INET6_ADDRSTRLEN];

	switch (cl->kind) {
	case LINK_CLAIM_TCP: return xasprintf("tcp/%u", cl->port);
	case LINK_CLAIM_UDP: return xasprintf("udp/%u", cl->port);
	case LINK_CLAIM_IP4: return xstrdup(inet_ntop(AF_INET, cl->addr, buf, sizeof buf));
	case LINK_CLAIM_IP6: return xstrdup(inet_ntop(AF_INET6, cl->addr, buf, sizeof buf));
	}
	return NULL;
}

static void view_claims(struct view *v)
{
	if (v->s->app.mode == LINK_MODE_OWN)
		v->addresses[v->naddr++] = net_mac_string(v->s->app.mac);
	else
		v->addresses[v->naddr++] = xstrdup("shared");
	for (unsigned i = 0; v->current && i < LINK_MAX_CLAIMS; i++) {
		const struct link_claim *cl = &v->app.claims[i];
		const struct link_verdict *vd = &v->srv.verdicts[i];
		if (!cl->req || vd->req != cl->req || vd->result != LINK_GRANTED)
			continue;
		char *str = claim_string(cl);
		if (!str)
			continue;	/* MAC claims: the MAC is shown already */
		if (cl->kind == LINK_CLAIM_TCP || cl->kind == LINK_CLAIM_UDP)
			v->ports[v->nports++] = str;
		else
			v->addresses[v->naddr++] = str;
	}
}

static void view_take(struct view *v, const struct slot *s, const struct link_ledger *ledger)
{
	memset(v, 0, sizeof *v);
	v->s = s;
	memcpy(&v->srv, link_srv(s->base), sizeof v->srv);
	memcpy(&v->app, link_app(s->base), sizeof v->app);
	v->current = v->srv.attach_seq == s->attach_seq;
	if (__atomic_load_n(&ledger->magic, __ATOMIC_ACQUIRE) == LINK_LEDGER_MAGIC &&
	    s->index < ledger->nslots) {
		memcpy(&v->led, &ledger->slots[s->index], sizeof v->led);
		v->counted = v->led.attach_seq == s->attach_seq;
	}
	view_claims(v);
}

static void view_free(struct view *v)
{
	for (size_t i = 0; i < v->naddr; i++)
		free(v->addresses[i]);
	for (size_t i = 0; i < v->nports; i++)
		free(v->ports[i]);
}

static const char *shut_reason(uint32_t r)
{
	switch (r) {
	case LINK_SHUT_HEADER: return "header";
	case LINK_SHUT_RING: return "ring";
	case LINK_SHUT_FRAME: return "frame";
	}
	return "unknown";
}

static const char *link_state(const struct view *v)
{
	if (!v->counted)
		return "waiting";
	return v->led.state == LINK_SRV_READY ? "ready" : v->led.state == LINK_SRV_SHUT ? "shut"
											: "waiting";
}

static const char *server_state(const struct supervisor *sv)
{
	if (sv->stopping)
		return "stopping";
	if (!sv->ever_ready)
		return "starting";
	return sv->vm.running ? "running" : "restarting";
}

static char *net_string(const struct supervisor *sv)
{
	const struct net_opts *n = &sv->o->vm.net;

	if (n->mode == NET_TAP)
		return xasprintf("tap %s", n->tap);
	if (n->mode == NET_BRIDGE)
		return xasprintf("bridge %s (tap %s)", n->bridge, sv->o->tap_name);
	return xstrdup("user");
}

static char *forward_string(const struct net_forward *f)
{
	return xasprintf("%u.%u.%u.%u:%u->%u/%s", f->host_addr[0], f->host_addr[1],
			 f->host_addr[2], f->host_addr[3], f->host_port, f->guest_port,
			 f->udp ? "udp" : "tcp");
}

/* ---- text ---------------------------------------------------------------- */

static void text_list(struct client *c, const char *key, char **items, size_t n)
{
	reply(c, "  %-12s", key);
	for (size_t i = 0; i < n; i++)
		reply(c, " %s", items[i]);
	reply(c, "%s\n", n ? "" : " none");
}

static void text_counters(struct client *c, const char *key, const struct link_counters *k)
{
	reply(c, "  %-12s %llu frames, %llu bytes, %llu drops\n", key,
	      (unsigned long long)k->frames, (unsigned long long)k->bytes,
	      (unsigned long long)k->drops);
}

static const char *switching(const struct app *a)
{
	return !a->job.pid ? NULL : a->job.to_direct ? "direct" : "server";
}

static void text_switching(struct client *c, const struct app *a)
{
	reply(c, "  %-12s %s\n", "switchable", a->hotplug ? "yes" : "no");
	reply(c, "  %-12s %s\n", "direct", a->direct ? "yes" : "no");
	reply(c, "  %-12s %s\n", "nic", a->nic && a->tap[0] ? a->tap : "none");
	reply(c, "  %-12s %s%s\n", "switching", switching(a) ? "to " : "",
	      switching(a) ? switching(a) : "no");
	reply(c, "  %-12s %u\n", "switches", a->switches);
	reply(c, "  %-12s %u\n", "refusals", a->refusals);
}

static void text_app(struct client *c, const struct view *v)
{
	const struct slot *s = v->s;
	static const struct link_counters none;

	reply(c, "app %s\n", s->app.name);
	reply(c, "  %-12s %d\n", "pid", (int)s->app.pid);
	reply(c, "  %-12s %u\n", "slot", s->index);
	reply(c, "  %-12s %s\n", "mode", s->app.mode == LINK_MODE_OWN ? "own" : "shared");
	text_list(c, "addresses", (char **)v->addresses, v->naddr);
	text_list(c, "ports", (char **)v->ports, v->nports);
	text_counters(c, "to app", v->counted ? &v->led.to_app : &none);
	text_counters(c, "from app", v->counted ? &v->led.from_app : &none);
	if (v->counted && v->led.state == LINK_SRV_SHUT)
		reply(c, "  %-12s shut (%s)\n", "link", shut_reason(v->led.shut_reason));
	else
		reply(c, "  %-12s %s\n", "link", link_state(v));
	reply(c, "  %-12s %u\n", "shuts", v->led.shuts);
	reply(c, "  %-12s %s\n", "qemu", s->app_peer.fd >= 0 ? "connected" : "not connected");
	text_switching(c, &s->app);
}

void status_text(struct supervisor *sv, struct client *c)
{
	char up[32], vmup[32];
	char *net = net_string(sv), *mac = net_mac_string(sv->o->mac);
	char *log = xasprintf("%s/server.log", sv->o->dir);

	format_duration(up, sizeof up, sv_uptime_s(sv));
	format_duration(vmup, sizeof vmup, (now_ms() - sv->vm.started_ms) / 1000);
	reply(c, "server %s\n", sv->o->name);
	reply(c, "  %-12s %s\n", "state", server_state(sv));
	reply(c, "  %-12s %d\n", "supervisor", (int)getpid());
	if (sv->vm.running)
		reply(c, "  %-12s %d (up %s)\n", "qemu", (int)sv->vm.vm.pid, vmup);
	else
		reply(c, "  %-12s -\n", "qemu");
	reply(c, "  %-12s %s\n", "uptime", up);
	reply(c, "  %-12s %u\n", "restarts", sv->vm.restarts);
	reply(c, "  %-12s %u\n", "generation", sv->vm.generation);
	reply(c, "  %-12s %s\n", "net", net);
	for (size_t i = 0; i < sv->o->vm.net.nfwd; i++) {
		char *f = forward_string(&sv->o->vm.net.fwd[i]);
		reply(c, "  %-12s %s\n", "forward", f);
		free(f);
	}
	reply(c, "  %-12s %s\n", "mac", mac);
	reply(c, "  %-12s %s\n", "log", log);
	reply(c, "  %-12s %u of %u used\n", "slots", slots_used(sv), sv->o->nslots);
	reply(c, "  %-12s %u of at most %u apps\n", "direct", switch_nics_used(sv), sv->o->max_direct);
	free(net);
	free(mac);
	free(log);
	for (unsigned i = 0; i < sv->o->nslots; i++) {
		if (!sv->slots[i].assigned)
			continue;
		struct view *v = xmalloc(sizeof *v);
		view_take(v, &sv->slots[i], sv->ledger);
		text_app(c, v);
		view_free(v);
		free(v);
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_string(struct client *c, const char *s)
{
	char *out = xmalloc(6 * strlen(s) + 3), *o = out;

	*o++ = '"';
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			*o++ = '\\';
		if (ch < 0x20)
			o += sprintf(o, "\\u%04x", ch);
		else
			*o++ = (char)ch;
	}
	*o++ = '"';
	queue_push(&c->out, out, (size_t)(o - out));
	free(out);
}

static void json_key_string(struct client *c, const char *key, const char *value)
{
	reply(c, ",\"%s\":", key);
	json_string(c, value);
}

static void json_list(struct client *c, const char *key, char **items, size_t n)
{
	reply(c, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			reply(c, ",");
		json_string(c, items[i]);
	}
	reply(c, "]");
}

static void json_counters(struct client *c, const char *key, const struct link_counters *k)
{
	reply(c, ",\"%s\":{\"frames\":%llu,\"bytes\":%llu,\"drops\":%llu}", key,
	      (unsigned long long)k->frames, (unsigned long long)k->bytes,
	      (unsigned long long)k->drops);
}

static void json_switching(struct client *c, const struct app *a)
{
	reply(c, ",\"switchable\":%s,\"direct\":%s", a->hotplug ? "true" : "false",
	      a->direct ? "true" : "false");
	if (a->nic && a->tap[0])
		json_key_string(c, "nic", a->tap);
	else
		reply(c, ",\"nic\":null");
	if (switching(a))
		json_key_string(c, "switching", switching(a));
	else
		reply(c, ",\"switching\":null");
	reply(c, ",\"switches\":%u,\"refusals\":%u", a->switches, a->refusals);
}

static void json_app(struct client *c, const struct view *v)
{
	const struct slot *s = v->s;
	static const struct link_counters none;
	bool shut = v->counted && v->led.state == LINK_SRV_SHUT;

	reply(c, "{\"name\":");
	json_string(c, s->app.name);
	reply(c, ",\"pid\":%d,\"slot\":%u,\"peer\":%u", (int)s->app.pid, s->index, s->app.peer_id);
	json_key_string(c, "mode", s->app.mode == LINK_MODE_OWN ? "own" : "shared");
	if (s->app.mode == LINK_MODE_OWN)
		json_key_string(c, "mac", v->addresses[0]);
	else
		reply(c, ",\"mac\":null");
	json_list(c, "addresses", (char **)v->addresses, v->naddr);
	json_list(c, "ports", (char **)v->ports, v->nports);
	json_counters(c, "to_app", v->counted ? &v->led.to_app : &none);
	json_counters(c, "from_app", v->counted ? &v->led.from_app : &none);
	json_key_string(c, "link", link_state(v));
	if (shut)
		json_key_string(c, "shut_reason", shut_reason(v->led.shut_reason));
	else
		reply(c, ",\"shut_reason\":null");
	reply(c, ",\"shuts\":%u", v->led.shuts);
	reply(c, ",\"connected\":%s", s->app_peer.fd >= 0 ? "true" : "false");
	json_switching(c, &s->app);
	reply(c, "}");
}

static void json_server(struct supervisor *sv, struct client *c)
{
	char *net = net_string(sv), *mac = net_mac_string(sv->o->mac);
	char *log = xasprintf("%s/server.log", sv->o->dir);

	reply(c, "{\"name\":");
	json_string(c, sv->o->name);
	json_key_string(c, "state", server_state(sv));
	reply(c, ",\"supervisor_pid\":%d", (int)getpid());
	if (sv->vm.running)
		reply(c, ",\"qemu_pid\":%d,\"vm_uptime_s\":%lld", (int)sv->vm.vm.pid,
		      (long long)(now_ms() - sv->vm.started_ms) / 1000);
	else
		reply(c, ",\"qemu_pid\":null,\"vm_uptime_s\":null");
	reply(c, ",\"uptime_s\":%lld,\"restarts\":%u,\"generation\":%u",
	      (long long)sv_uptime_s(sv), sv->vm.restarts, sv->vm.generation);
	json_key_string(c, "net", net);
	char *fwd[sv->o->vm.net.nfwd + 1];
	for (size_t i = 0; i < sv->o->vm.net.nfwd; i++)
		fwd[i] = forward_string(&sv->o->vm.net.fwd[i]);
	json_list(c, "forwards", fwd, sv->o->vm.net.nfwd);
	for (size_t i = 0; i < sv->o->vm.net.nfwd; i++)
		free(fwd[i]);
	json_key_string(c, "mac", mac);
	json_key_string(c, "log", log);
	reply(c, ",\"slots_used\":%u,\"slots_total\":%u", slots_used(sv), sv->o->nslots);
	reply(c, ",\"direct_apps\":%u,\"max_direct\":%u", switch_nics_used(sv), sv->o->max_direct);
	free(net);
	free(mac);
	free(log);
}

void status_json(struct supervisor *sv, struct client *c)
{
	bool first = true;

	json_server(sv, c);
	reply(c, ",\"apps\":[");
	for (unsigned i = 0; i < sv->o->nslots; i++) {
		if (!sv->slots[i].assigned)
			continue;
		struct view *v = xmalloc(sizeof *v);
		view_take(v, &sv->slots[i], sv->ledger);
		reply(c, first ? "" : ",");
		json_app(c, v);
		view_free(v);
		free(v);
		first = false;
	}
	reply(c, "]}\n");
}
