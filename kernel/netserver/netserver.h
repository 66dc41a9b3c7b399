/* The network-server role (docs/netserver.md): this kernel, booted with
 * role=server in its config, forwards Ethernet frames between its NIC, its
 * own network stack and the apps' shared-memory links, instead of running a
 * program. */
#ifndef AMPHI_NETSERVER_NETSERVER_H
#define AMPHI_NETSERVER_NETSERVER_H

/* One setting from the server's config: link.slots, link.key, link.gen,
 * and the net.* keys a program's run has.  0 or -EINVAL. */
int netserver_config_set(const char *key, const char *value);

/* The server's start-up, as a thread: links, NIC, its own stack; then it
 * tells the host it forwards (FRAME_READY). */
void netserver_main(void *unused);

#endif
