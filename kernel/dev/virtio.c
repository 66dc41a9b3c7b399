/* What every virtio transport shares: status handshake and feature
 * negotiation (virtio 1.1, 3.1.1), failure, and binding drivers. */
#include "dev/virtio.h"
#include "dev/virtio_9p.h"

#include "core/errno.h"
#include "core/printk.h"

int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted)
{
	const struct virtio_ops *ops = vd->ops;

	ops->set_status(vd, 0);
	ops->set_status(vd, VIRTIO_S_ACKNOWLEDGE);
	ops->set_status(vd, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	vd->features = ops->get_features(vd) & wanted;
	if (!vd->legacy && !virtio_has(vd, VIRTIO_F_VERSION_1))
		return -EIO;	/* a modern transport with a legacy-only device */
	ops->set_features(vd, vd->features);
	if (vd->legacy)
		return 0;	/* no FEATURES_OK handshake before 1.0 */
	ops->set_status(vd, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	if (!(ops->get_status(vd) & VIRTIO_S_FEATURES_OK))
		return -EIO;
	return 0;
}

void virtio_driver_ok(struct virtio_dev *vd)
{
	uint8_t s = VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_DRIVER_OK;

	vd->ops->set_status(vd, vd->legacy ? s : s | VIRTIO_S_FEATURES_OK);
}

void virtio_fail(struct virtio_dev *vd, const char *why)
{
	if (__atomic_exchange_n(&vd->broken, true, __ATOMIC_ACQ_REL))
		return;		/* logged already */
	printk("virtio-%s: device %u broken: %s; no longer used\n", vd->transport, vd->device_id, why);
	vd->ops->set_status(vd, vd->ops->get_status(vd) | VIRTIO_S_FAILED);
}

bool virtio_check_status(struct virtio_dev *vd)
{
	if (vd->broken)
		return true;
	if (vd->ops->get_status(vd) & VIRTIO_S_NEEDS_RESET) {
		virtio_fail(vd, "the device needs a reset");
		return true;
	}
	return false;
}

const char *virtio_kind(uint16_t device_id)
{
	return device_id == VIRTIO_ID_NET ? "virtio-net" : device_id == VIRTIO_ID_BLOCK ? "virtio-blk" :
	       device_id == VIRTIO_ID_9P ? "virtio-9p" : "virtio device";
}

int virtio_bind(struct virtio_dev *vd)
{
	if (vd->device_id == VIRTIO_ID_NET)
		return virtio_net_probe(vd);
	if (vd->device_id == VIRTIO_ID_BLOCK)
		return virtio_blk_probe(vd);
	if (vd->device_id == VIRTIO_ID_9P)
		return virtio_9p_probe(vd);
	return -ENODEV;
}

void virtio_unbind(struct virtio_dev *vd, bool gone)
{
	if (vd->device_id == VIRTIO_ID_NET)
		virtio_net_remove(vd, gone);
	else if (vd->device_id == VIRTIO_ID_BLOCK)
		virtio_blk_remove(vd, gone);
}
