/* The run's settings (/.amphi/config): NUL-terminated strings, read two at
 * a time as key and value.  The buffer comes from the initrd, so the reader
 * never trusts it to be terminated. */
#include "config.h"
#include "libc_min.h"

/* Length of the string at buf[off..size), or -1 if no NUL ends it. */
static long string_end(const char *buf, size_t size, size_t off)
{
	for (size_t i = off; i < size; i++)
		if (buf[i] == 0)
			return (long)(i - off);
	return -1;
}

int config_next(const char *buf, size_t size, size_t *offset,
		const char **key, const char **value)
{
	size_t off = *offset;

	if (off == size)
		return 0;
	if (off > size)
		return -LIB_EINVAL;
	long klen = string_end(buf, size, off);
	if (klen < 0)
		return -LIB_EINVAL;
	size_t voff = off + (size_t)klen + 1;
	long vlen = string_end(buf, size, voff);
	if (vlen < 0)
		return -LIB_EINVAL;
	*key = buf + off;
	*value = buf + voff;
	*offset = voff + (size_t)vlen + 1;
	return 1;
}

int config_append(char *buf, size_t cap, size_t *len, const char *key, const char *value)
{
	size_t klen = strlen(key) + 1, vlen = strlen(value) + 1;
	size_t off = *len;

	if (off > cap || klen > cap - off || vlen > cap - off - klen)
		return -LIB_ENOSPC;
	memcpy(buf + off, key, klen);
	memcpy(buf + off + klen, value, vlen);
	*len = off + klen + vlen;
	return 0;
}
