/* lwIP's checksum routine (LWIP_CHKSUM): the ones' complement sum of a
 * buffer, the loop every byte the stack sends or receives goes through
 * when the NIC offers no checksum offload (QEMU's slirp never does).
 *
 * It is aligned to 256 bytes, more than its size, so it never straddles a
 * page.  QEMU's TCG translates code in blocks that end at a page boundary
 * and cannot chain a jump from one page into another: a loop split over
 * two pages looks its target up on every iteration.  lwIP's own
 * lwip_standard_chksum landed across a page boundary once unrelated code
 * grew, and a 1 MiB file was served 40% slower (docs/bench.md). */
#include <stdint.h>

/* Loads at any address (the kernel is built without builtin memcpy). */
typedef uint32_t __attribute__((may_alias, aligned(1))) u32_any;
typedef uint16_t __attribute__((may_alias, aligned(1))) u16_any;

/* The sum of data read as little-endian 16-bit words, folded to 16 bits
 * and not complemented: what lwip_standard_chksum returns.  Words need no
 * alignment (x86 loads any), and ones' complement sums of 32-bit words
 * fold to the same 16-bit sum. */
__attribute__((aligned(256))) unsigned short net_chksum(const void *data, int len)
{
	const uint8_t *p = data;
	uint64_t sum = 0;

	for (; len >= 4; p += 4, len -= 4)
		sum += *(const u32_any *)p;
	if (len >= 2) {
		sum += *(const u16_any *)p;
		p += 2;
		len -= 2;
	}
	if (len)
		sum += *p;	/* the low byte of a last, half word */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (unsigned short)sum;
}
