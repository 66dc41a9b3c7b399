/* The pages of an AIO context's ring and their mapping in the program:
 * shared, writable, shown as "/[aio] (deleted)" in /proc/PID/maps as on
 * Linux.  The pages are the kernel's own (a reference each), so writing
 * an event never faults, whatever the program did to its mapping. */
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "arch/x86_64/arch.h"
#include "core/page_alloc.h"
#include "core/vm.h"
#include "linux/aio_internal.h"

#define AIO_DEV		0x0f	/* st_dev of Linux's aio pseudo file system (00:0f) */

struct aio_pages {
	int refs;		/* the context's and each mapping's; atomic */
	struct vm_object object;
	uint64_t ino;
	size_t n;
	uint64_t pa[];
};

static uint64_t next_ino = 1;

struct aio_pages *aio_pages_new(size_t npages)
{
	struct aio_pages *p = kmalloc_program(sizeof *p + npages * sizeof p->pa[0]);

	if (!p)
		return NULL;
	*p = (struct aio_pages){ .refs = 1, .n = npages };
	p->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	for (size_t i = 0; i < npages; i++) {
		/* a program's memory: never the kernel's reserve */
		if (!page_room_for_program(1) || !(p->pa[i] = page_alloc(1))) {
			p->n = i;
			aio_pages_put(p);
			return NULL;
		}
	}
	return p;
}

void aio_pages_put(struct aio_pages *p)
{
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t i = 0; i < p->n; i++)
		page_ref_put(p->pa[i]);
	kfree(p);
}

void *aio_pages_at(struct aio_pages *p, size_t off)
{
	return (char *)phys_to_virt(p->pa[off / PAGE_SIZE]) + off % PAGE_SIZE;
}

static struct vm_object *pages_object(void *obj) { return &((struct aio_pages *)obj)->object; }

static int pages_get(void *obj, uint64_t idx, bool write, uint64_t *pa)
{
	struct aio_pages *p = obj;

	(void)write;
	if (idx >= p->n)
		return -EFAULT;
	page_ref_get(p->pa[idx]);
	*pa = p->pa[idx];
	return 0;
}

static void pages_hold(void *obj) { __atomic_add_fetch(&((struct aio_pages *)obj)->refs, 1, __ATOMIC_RELAXED); }
static void pages_release(void *obj) { aio_pages_put(obj); }

static void pages_describe(void *obj, char *name, size_t size, uint64_t *dev, uint64_t *ino)
{
	snprintf(name, size, "/[aio] (deleted)");
	*dev = AIO_DEV;
	*ino = ((struct aio_pages *)obj)->ino;
}

static const struct vm_file_ops aio_vm_ops = {
	.object = pages_object,
	.get_page = pages_get,
	.hold = pages_hold,
	.release = pages_release,
	.describe = pages_describe,
};

bool aio_pages_mapped_at(struct aio_pages *p, struct mm *mm, uint64_t addr)
{
	struct vm_area a = { .name = NULL };

	return vm_area_next(mm, addr, &a, 0) && a.start == addr && a.ops == &aio_vm_ops && a.obj == p &&
	       !a.offset && a.end - a.start == p->n * PAGE_SIZE;
}

long aio_pages_map(struct aio_pages *p, struct mm *mm)
{
	return vm_map(mm, 0, p->n * PAGE_SIZE, MMU_READ | MMU_WRITE, VM_SHARED | VM_DONTEXPAND, &aio_vm_ops, p, 0);
}
