/* The run's settings inside the initrd (/.amphi/config): NUL-terminated
 * strings taken two at a time as key and value (docs/protocol.md).
 * Freestanding. */
#ifndef AMPHI_LIB_CONFIG_H
#define AMPHI_LIB_CONFIG_H

#include <stddef.h>

#define CONFIG_PATH ".amphi/config"	/* archive name, no leading slash */

/* Reads the pair at *offset.  Returns 1 with *key and *value pointing into
 * buf (NUL-terminated there), 0 at the end, -EINVAL (-22) if the last string
 * is not terminated or a key has no value. */
int config_next(const char *buf, size_t size, size_t *offset,
		const char **key, const char **value);

/* Appends "key\0value\0" to buf (capacity cap) at *len; -ENOSPC if it does
 * not fit. */
int config_append(char *buf, size_t cap, size_t *len, const char *key, const char *value);

#endif
