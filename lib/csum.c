/* The Internet checksum: see csum.h. */
#include "csum.h"

uint16_t csum_fold(const uint8_t *p, size_t n, uint32_t sum)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

bool csum_complete(uint8_t *frame, size_t len, unsigned start, unsigned offset)
{
	if (start >= len || offset + 2 > len - start)
		return false;
	uint16_t c = (uint16_t)~csum_fold(frame + start, len - start, 0);
	frame[start + offset] = (uint8_t)(c >> 8);
	frame[start + offset + 1] = (uint8_t)c;
	return true;
}
