/* Intel 82574 (QEMU's e1000e): the registers, bits and descriptor layouts
 * the driver uses, named and placed as Intel's 82574 GbE Controller
 * datasheet has them (its register and descriptor chapters).  Offsets are
 * into BAR0. */
#ifndef AMPHI_DEV_E1000E_REGS_H
#define AMPHI_DEV_E1000E_REGS_H

#include <stdint.h>

#define E1000E_VENDOR		0x8086
#define E1000E_DEVICE		0x10d3	/* 82574L */

#define REG_CTRL		0x0000
#define REG_STATUS		0x0008
#define REG_CTRL_EXT		0x0018
#define REG_ICR			0x00c0	/* interrupt cause, write 1 to clear */
#define REG_ITR			0x00c4
#define REG_IMS			0x00d0	/* interrupt mask set (enable) */
#define REG_IMC			0x00d8	/* interrupt mask clear (disable) */
#define REG_EIAC		0x00dc	/* MSI-X causes cleared as their message goes */
#define REG_IVAR		0x00e4	/* cause -> MSI-X vector */
#define REG_EITR(n)		(0x00e8 + 4 * (n))	/* per-vector throttling */
#define REG_RCTL		0x0100
#define REG_TCTL		0x0400
#define REG_TIPG		0x0410
#define REG_RDBAL		0x2800
#define REG_RDBAH		0x2804
#define REG_RDLEN		0x2808
#define REG_RDH			0x2810
#define REG_RDT			0x2818
#define REG_RDTR		0x2820
#define REG_RADV		0x282c
#define REG_TDBAL		0x3800
#define REG_TDBAH		0x3804
#define REG_TDLEN		0x3808
#define REG_TDH			0x3810
#define REG_TDT			0x3818
#define REG_TARC0		0x3840
#define REG_RXCSUM		0x5000
#define REG_RFCTL		0x5008
#define REG_MTA			0x5200	/* 128 words of multicast hash */
#define REG_RAL0		0x5400
#define REG_RAH0		0x5404

#define CTRL_SLU		(1u << 6)	/* set link up */
#define CTRL_RST		(1u << 26)
#define STATUS_LU		(1u << 1)
#define CTRL_EXT_PBA_SUPPORT	(1u << 31)	/* MSI-X pending bits; IMS clears them */

/* ICR/IMS bits.  With MSI-X, RX and TX queues and "other" have their own. */
#define INT_LSC			(1u << 2)
#define INT_RXQ0		(1u << 20)
#define INT_TXQ0		(1u << 22)
#define INT_OTHER		(1u << 24)

/* IVAR: four bits per cause, a vector number and "valid". */
#define IVAR_VALID		0x8u
#define IVAR_RXQ0_SHIFT		0
#define IVAR_OTHER_SHIFT	16

#define RCTL_EN			(1u << 1)
#define RCTL_MPE		(1u << 4)	/* every multicast: IPv6's groups */
#define RCTL_BAM		(1u << 15)	/* broadcasts: ARP */
#define RCTL_SECRC		(1u << 26)	/* strip the CRC */
/* BSIZE 00 with BSEX 0: 2048-byte buffers. */

#define TCTL_EN			(1u << 1)
#define TCTL_PSP		(1u << 3)	/* pad short packets */
#define TCTL_CT			(0x0fu << 4)	/* collision threshold */
#define TCTL_COLD_FD		(0x3fu << 12)	/* collision distance, full duplex */
#define TIPG_DEFAULT		0x00602008u	/* IPGT 8, IPGR1 8, IPGR2 6 */
#define TARC_ENABLE		(1u << 10)

#define RXCSUM_IPOFL		(1u << 8)
#define RXCSUM_TUOFL		(1u << 9)

#define RAH_AV			(1u << 31)

/* Legacy receive descriptor (RFCTL.EXTEN 0). */
struct e1000e_rxd {
	uint64_t addr;
	uint16_t length, csum;
	uint8_t status, errors;
	uint16_t special;
} __attribute__((packed));

#define RXD_STAT_DD		0x01	/* written back: the descriptor is ours */
#define RXD_STAT_EOP		0x02
#define RXD_STAT_IXSM		0x04	/* ignore the checksum bits */
#define RXD_STAT_TCPCS		0x20	/* TCP/UDP checksum checked */
#define RXD_ERR_TCPE		0x20	/* ... and found bad */
#define RXD_ERR_MASK		0xd7	/* CE, SE, SEQ, CXE, TCPE, IPE, RXE */

/* Transmit descriptors: a context descriptor (DEXT, DTYP 0) sets where
 * the checksums go and how a frame is segmented; data descriptors (DEXT,
 * DTYP 1) carry the frames, a frame over one or more.  Both are 16
 * bytes. */
struct e1000e_txd {
	union {
		uint64_t addr;		/* data: the buffer */
		struct {		/* context: checksum offsets */
			uint8_t ipcss, ipcso;
			uint16_t ipcse;
			uint8_t tucss, tucso;
			uint16_t tucse;
		} ctx;
	};
	uint32_t lower;		/* length / paylen, DTYP, command */
	uint32_t upper;		/* status (DD) and POPTS, or MSS */
} __attribute__((packed));

#define TXD_DTYP_DATA		(1u << 20)
#define TXD_CMD_EOP		(0x01u << 24)
#define TXD_CMD_IFCS		(0x02u << 24)	/* insert the Ethernet CRC */
#define TXD_CMD_TSE		(0x04u << 24)	/* data: part of a frame to segment */
#define TXD_CMD_RS		(0x08u << 24)	/* report status: DD on completion */
#define TXD_CMD_DEXT		(0x20u << 24)
#define TXD_TUCMD_TCP		(0x01u << 24)	/* context: TCP, not UDP */
#define TXD_TUCMD_IP		(0x02u << 24)	/* context: IPv4, not IPv6 */
#define TXD_TUCMD_TSE		(0x04u << 24)	/* context: segment (PAYLEN, HDRLEN, MSS) */
#define TXD_PAYLEN_MASK		0xfffffu	/* context: the TCP payload of a frame to segment */
#define TXD_CTX_HDRLEN_SHIFT	8		/* context upper: headers of a frame to segment */
#define TXD_CTX_MSS_SHIFT	16		/* context upper: each segment's payload */
#define TXD_STA_DD		0x1u
#define TXD_POPTS_IXSM		(0x01u << 8)	/* insert the IPv4 header checksum */
#define TXD_POPTS_TXSM		(0x02u << 8)	/* insert the TCP/UDP checksum */

#endif
