/* eth0's transmit path (netif_tx.c): lwIP's frames to the port, with the
 * checksum and segmentation work the port offers left to it.  All under
 * the core lock. */
#ifndef AMPHI_NET_NETIF_TX_H
#define AMPHI_NET_NETIF_TX_H

struct net_port;
struct pbuf;

/* Sends frame p on port, or keeps a reference to it in the batch of
 * segments the port will cut (offloads: the NET_PORT_TX_* eth0 uses).
 * 0, or the port's error (-ENOBUFS: its queue is full). */
int netif_tx_frame(struct net_port *port, unsigned offloads, struct pbuf *p);

/* Sends the batch, if any: before the core lock is let go and before
 * eth0 changes ports. */
void netif_tx_flush(void);

/* Prints how many TCP segments eth0 sent in frames the port segmented. */
void netif_tx_report(void);

#endif
