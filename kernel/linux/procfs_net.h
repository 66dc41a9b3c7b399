/* /proc/net: shared by procfs_net*.c. */
#ifndef AMPHI_LINUX_PROCFS_NET_H
#define AMPHI_LINUX_PROCFS_NET_H

#include <stddef.h>
#include <stdint.h>

#include "fs/seqbuf.h"
#include "linux/procfs_internal.h"

/* A list function of net/sock_info.h's kind, with its one argument. */
typedef int proc_net_list_fn(void *out, int max, const void *arg);

/* The whole list, however long it grows between two looks: a kmalloc'd
 * array of *n entries of size bytes (kfree it), or NULL when out of
 * memory (s marked failed). */
void *proc_net_take(struct seqbuf *s, proc_net_list_fn *fn, const void *arg, size_t size, int *n);

/* The interfaces by index, as Linux lists them (lo first), after
 * starting lwIP: lo exists whenever /proc/net is read, as on Linux.
 * kfree it; NULL when out of memory (s marked failed). */
struct net_ifaddr *proc_net_take_ifaddrs(struct seqbuf *s, int *n);

/* 4 bytes of an address as Linux prints a __be32 with %08X: the word
 * read in the CPU's (little-endian) order. */
uint32_t proc_net_word(const uint8_t *p);

/* procfs_net_sock.c, procfs_net_snmp.c */
void proc_net_gen_tcp(struct seqbuf *s);
void proc_net_gen_tcp6(struct seqbuf *s);
void proc_net_gen_udp(struct seqbuf *s);
void proc_net_gen_udp6(struct seqbuf *s);
void proc_net_gen_unix(struct seqbuf *s);
void proc_net_gen_raw(struct seqbuf *s);
void proc_net_gen_raw6(struct seqbuf *s);
void proc_net_gen_packet(struct seqbuf *s);
void proc_net_gen_snmp(struct seqbuf *s);
void proc_net_gen_netstat(struct seqbuf *s);
void proc_net_gen_sockstat(struct seqbuf *s);
void proc_net_gen_sockstat6(struct seqbuf *s);
/* procfs_net_mcast.c */
void proc_net_gen_igmp(struct seqbuf *s);
void proc_net_gen_igmp6(struct seqbuf *s);

#endif
