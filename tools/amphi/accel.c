/* Whether KVM can run a VM here.  /dev/kvm existing is not enough: it may
 * be unreadable to this user, or a nested host may offer the device and
 * refuse to create VMs, so ask it for one. */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "amphi.h"

int kvm_usable(void)
{
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
