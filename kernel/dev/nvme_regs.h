/* NVM Express: the controller's registers in BAR0, the queue entries and
 * the commands this driver sends (NVMe base specification 1.4: 3.1
 * registers, 4.2-4.6 queue entries and PRPs, 5 admin commands, NVM command
 * set 6).  Little-endian like the CPU, so plain loads and stores. */
#ifndef AMPHI_DEV_NVME_REGS_H
#define AMPHI_DEV_NVME_REGS_H

#include <stdint.h>

/* Controller registers (offsets in BAR0). */
#define NVME_REG_CAP		0x00	/* 64 bits: capabilities */
#define NVME_REG_VS		0x08	/* version: major << 16 | minor << 8 */
#define NVME_REG_CC		0x14	/* controller configuration */
#define NVME_REG_CSTS		0x1c	/* controller status */
#define NVME_REG_AQA		0x24	/* admin queue sizes, 0-based */
#define NVME_REG_ASQ		0x28	/* 64 bits: admin submission queue */
#define NVME_REG_ACQ		0x30	/* 64 bits: admin completion queue */
#define NVME_REG_DOORBELLS	0x1000	/* SQ y tail at (2y) << (2 + DSTRD),
					 * CQ y head at (2y + 1) << (2 + DSTRD) */

#define NVME_CAP_MQES(c)	((uint32_t)((c) & 0xffff) + 1)	/* entries per queue */
#define NVME_CAP_TO_MS(c)	((uint32_t)(((c) >> 24) & 0xff) * 500u)	/* ready timeout */
#define NVME_CAP_DSTRD(c)	((unsigned)(((c) >> 32) & 0xf))
#define NVME_CAP_CSS_NVM(c)	(((c) >> 37) & 1)	/* the NVM command set */
#define NVME_CAP_MPSMIN(c)	((unsigned)(((c) >> 48) & 0xf))	/* 2^(12 + n) bytes */

#define NVME_CC_EN		(1u << 0)
#define NVME_CC_CSS_NVM		(0u << 4)
#define NVME_CC_MPS_4K		(0u << 7)	/* memory page size 2^(12 + 0) */
#define NVME_CC_AMS_RR		(0u << 11)	/* round-robin arbitration */
#define NVME_CC_IOSQES		(6u << 16)	/* 2^6 = 64-byte submission entries */
#define NVME_CC_IOCQES		(4u << 20)	/* 2^4 = 16-byte completion entries */

#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)	/* controller fatal status */

/* A submission queue entry (4.2). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags;		/* fused operation, PRP (0) or SGL */
	uint16_t cid;		/* command identifier, echoed in the completion */
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;		/* metadata pointer: unused */
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/* A completion queue entry (4.6). */
struct nvme_cqe {
	uint32_t result;	/* command specific */
	uint32_t reserved;
	uint16_t sq_head;	/* how far the controller consumed the SQ */
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status;	/* bit 0: phase tag; 15:1 the status field */
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "submission entry is 64 bytes");
_Static_assert(sizeof(struct nvme_cqe) == 16, "completion entry is 16 bytes");

#define NVME_CQE_PHASE		1u
#define NVME_CQE_SC(s)		(((s) >> 1) & 0xff)	/* status code */
#define NVME_CQE_SCT(s)		(((s) >> 9) & 0x7)	/* status code type */

/* Admin commands (5). */
#define NVME_ADMIN_CREATE_SQ	0x01
#define NVME_ADMIN_CREATE_CQ	0x05
#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_ADMIN_SET_FEATURES	0x09

#define NVME_CREATE_CONTIG	(1u << 0)	/* cdw11: queue memory is contiguous */
#define NVME_CREATE_CQ_IEN	(1u << 1)	/* cdw11: interrupts enabled */

#define NVME_IDENTIFY_NS	0x00	/* cdw10 CNS values */
#define NVME_IDENTIFY_CTRL	0x01
#define NVME_IDENTIFY_NS_LIST	0x02	/* active namespace ids above nsid */

#define NVME_FEAT_NUM_QUEUES	0x07	/* cdw11 and result: NCQ << 16 | NSQ, 0-based */

/* Identify Controller data (5.15.2.1): the bytes this driver reads. */
#define NVME_IDC_SN		4	/* 20 ASCII bytes */
#define NVME_IDC_MN		24	/* 40 ASCII bytes */
#define NVME_IDC_MDTS		77	/* largest transfer: 2^n minimum pages, 0: none */
#define NVME_IDC_NN		516	/* 32 bits: number of namespaces */
#define NVME_IDC_ONCS		520	/* 16 bits: optional NVM commands */
#define NVME_IDC_VWC		525	/* bit 0: a volatile write cache */
#define NVME_ONCS_DSM		(1u << 2)	/* Dataset Management */

/* Identify Namespace data (6.1.5 of the NVM set; 5.15.2 in 1.4). */
#define NVME_IDN_NSZE		0	/* 64 bits: size in logical blocks */
#define NVME_IDN_NLBAF		25	/* number of LBA formats, 0-based */
#define NVME_IDN_FLBAS		26	/* bits 3:0: the format in use */
#define NVME_IDN_LBAF		128	/* 4 bytes each: MS 15:0, LBADS 23:16 */

/* NVM commands (6). */
#define NVME_CMD_FLUSH		0x00
#define NVME_CMD_WRITE		0x01
#define NVME_CMD_READ		0x02
#define NVME_CMD_DSM		0x09	/* cdw10: ranges - 1; cdw11 bit 2: deallocate */
#define NVME_DSM_DEALLOCATE	(1u << 2)

/* One Dataset Management range (6.7). */
struct nvme_dsm_range {
	uint32_t attributes;
	uint32_t nlb;		/* logical blocks, not 0-based */
	uint64_t slba;
};

#endif
