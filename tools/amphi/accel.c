/* Whether KVM can run a VM here.  /dev/kvm existing is not enough: it may
 * be unreadable to this user, a nested host may offer the device and refuse
 * to create VMs (so ask it for one), and it may not be hardware KVM at all:
 * kvm_pvm ("pagetable-based VM") answers the same ioctls but runs only
 * guests built for it; stock kernels (Linux's included) fault or hang
 * there.  So KVM counts as usable only when kvm_intel or kvm_amd drive it. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "amphi.h"

static int hardware_kvm(void)
{
	return access("/sys/module/kvm_intel", F_OK) == 0 ||
	       access("/sys/module/kvm_amd", F_OK) == 0;
}

int kvm_usable(void)
{
	if (!hardware_kvm())
		return 0;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		return 0;
	int ok = ioctl(kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
	if (ok) {
		int vm = ioctl(kvm, KVM_CREATE_VM, 0);
		ok = vm >= 0;
		if (vm >= 0)
			close(vm);
	}
	close(kvm);
	return ok;
}

/* The accelerator asked for, or the best one here. */
const char *accel_choose(const char *cmd, const char *asked)
{
	if (!asked)
		return kvm_usable() ? "kvm" : "tcg";
	if (strcmp(asked, "kvm") == 0 && !kvm_usable())
		die("%s: --accel kvm: /dev/kvm cannot run a VM here (try --accel tcg)", cmd);
	return asked;
}
