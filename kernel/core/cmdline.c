/* Numbers from the kernel's command line (cmdline.h). */
#include "core/cmdline.h"

#include "core/string.h"

bool cmdline_number(const char *cmdline, const char *key, uint64_t max, uint64_t *value)
{
	const char *p = strstr(cmdline, key);
	uint64_t n = 0;

	if (!p)
		return false;
	for (p += strlen(key); *p >= '0' && *p <= '9' && n < max; p++)
		n = n * 10 + (uint64_t)(*p - '0');
	*value = n;
	return true;
}
