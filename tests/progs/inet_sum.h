/* The Internet checksum's one's complement sum (RFC 1071) of len bytes,
 * added to sum and folded to 16 bits, for test programs that build or
 * check IP, ICMP and ICMPv6 packets themselves: a packet's sum field is
 * its complement, and a packet whose sum is right sums to 0xffff. */
#ifndef INET_SUM_H
#define INET_SUM_H

#include <stddef.h>
#include <stdint.h>

static uint16_t sum16(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

#endif
