/* CRC-32C by slicing-by-4 (the reflected polynomial 0x82f63b78): four
 * bytes per step through four tables.  Under QEMU's TCG that is 2.8 times
 * a table lookup per byte (490 against 178 MB/s in a guest), as fast as
 * slicing-by-8 there with half the tables (the kernel image is kept small:
 * hello's least -m depends on it), and faster than the SSE4.2 crc32
 * instruction, which QEMU computes bit by bit (145 MB/s).
 * tests/unit/test_crc32c.c checks it against RFC 3720's vectors and a
 * bitwise CRC. */
#include "crc32c.h"

#include "crc32c_tables.h"

/* 4 bytes from any alignment, little-endian as x86 is: one load. */
static uint32_t load32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof v);
	return v;
}

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len >= 4; len -= 4, p += 4) {
		uint32_t v = load32(p) ^ crc;
		crc = table[3][v & 0xff] ^ table[2][(v >> 8) & 0xff] ^ table[1][(v >> 16) & 0xff] ^ table[0][v >> 24];
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}
