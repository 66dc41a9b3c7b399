/* The drivers amphi has, and the order buses are searched for them. */
#include "dev/devices.h"

#include "arch/x86_64/bootinfo.h"
#include "core/format.h"
#include "core/string.h"
#include "dev/e1000e.h"
#include "dev/ivshmem.h"
#include "dev/nvme.h"
#include "dev/pci.h"
#include "dev/virtio_mmio.h"
#include "dev/virtio_pci.h"

static const struct pci_driver *const pci_drivers[] = {
	&virtio_pci_net_modern,
	&virtio_pci_net_transitional,
	&virtio_pci_blk_modern,
	&virtio_pci_blk_transitional,
	&virtio_pci_9p_modern,
	&virtio_pci_9p_transitional,
	&e1000e_driver,
	&ivshmem_driver,
	&nvme_driver,
};

void dev_init(void)
{
	pci_init(pci_drivers, sizeof pci_drivers / sizeof pci_drivers[0]);
	virtio_mmio_init();
}

static char no_memory[40];
static bool no_memory_noted;

void dev_note_no_memory(const char *device)
{
	if (!__atomic_exchange_n(&no_memory_noted, true, __ATOMIC_ACQ_REL))
		snprintf(no_memory, sizeof no_memory, "%s", device);
}

const char *dev_no_memory(void) { return no_memory[0] ? no_memory : NULL; }

/* The value after the first "KEY" at or after from; KEY must start the
 * command line or follow a blank. */
static const char *cmdline_find_from(const char *from, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = strstr(from, key); p; p = strstr(p + 1, key))
		if (p == boot_info.cmdline || p[-1] == ' ')
			return p + len;
	return NULL;
}

static const char *cmdline_find(const char *key) { return cmdline_find_from(boot_info.cmdline, key); }

bool dev_net_offload(void)
{
	const char *v = cmdline_find("net.offload=");

	return !(v && !strncmp(v, "off", 3) && (v[3] == ' ' || !v[3]));
}

static bool large_rx = true;

void dev_net_set_large_rx(bool on)
{
	large_rx = on;
}

bool dev_net_large_rx(void)
{
	return large_rx;
}

unsigned long dev_cmdline_num(const char *key, unsigned long def)
{
	const char *v = cmdline_find(key);
	unsigned long n = 0;

	if (!v || *v < '0' || *v > '9')
		return def;
	while (*v >= '0' && *v <= '9' && n < 1000000000ul)
		n = n * 10 + (unsigned long)(*v++ - '0');
	return n;
}

bool dev_cmdline_names(const char *key, const char *name)
{
	size_t len = strlen(name);

	for (const char *v = cmdline_find(key); v; v = cmdline_find_from(v, key))
		if (!strncmp(v, name, len) && (v[len] == ' ' || !v[len]))
			return true;
	return false;
}
