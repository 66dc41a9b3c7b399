/* The Internet checksum (RFC 1071), for NIC drivers that finish a sum the
 * sender left partial.  Freestanding. */
#ifndef AMPHI_LIB_CSUM_H
#define AMPHI_LIB_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The 16-bit ones' complement sum of p[0..n) added to sum, folded, not
 * complemented. */
uint16_t csum_fold(const uint8_t *p, size_t n, uint32_t sum);

/* Completes a partial checksum: the field at start + offset holds the
 * pseudo-header's sum; the complemented sum over [start, len) goes there.
 * false if the offsets lie outside the frame. */
bool csum_complete(uint8_t *frame, size_t len, unsigned start, unsigned offset);

#endif
