/* CRC-32C (Castagnoli), the checksum of ext4's metadata, iSCSI and SCTP.
 * Freestanding. */
#ifndef AMPHI_LIB_CRC32C_H
#define AMPHI_LIB_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The raw register update, without the customary inversions, as ext4 uses
 * it (its seeds are ~0 or a previous value).  The standard CRC-32C of a
 * message is ~crc32c(~0u, data, len). */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif
