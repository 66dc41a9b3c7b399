/* TCP's maximum segment lifetime (lwIP's TCP_MSL, in lwipopts.h).
 * TIME-WAIT lasts two of them. */
#ifndef AMPHI_NET_TCP_MSL_H
#define AMPHI_NET_TCP_MSL_H

/* Reads "amphi.tcp_msl=MS" from the kernel command line, once at boot. */
void net_tcp_msl_init(const char *cmdline);

#endif
