/* virtio-9p: a request/response channel to a host folder, found by the
 * mount tag the host gave it.  It carries whole 9P messages and knows
 * nothing of what is in them (fs/9p*.c does).  One request at a time per
 * channel: a caller sleeps until the reply is in. */
#ifndef AMPHI_DEV_VIRTIO_9P_H
#define AMPHI_DEV_VIRTIO_9P_H

#include <stddef.h>

struct p9_chan;
struct virtio_dev;

/* The channel whose device has this mount tag, or NULL. */
struct p9_chan *p9_chan_find(const char *tag);

/* Sends req[0, len) and waits for the reply in resp (room for cap
 * bytes; both buffers in the direct map).  The bytes the device wrote,
 * or -EIO when the device is broken or did not answer in time. */
long p9_chan_rpc(struct p9_chan *c, const void *req, size_t len, void *resp, size_t cap);

/* virtio.c hands it every virtio-9p device. */
int virtio_9p_probe(struct virtio_dev *vd);

#endif
