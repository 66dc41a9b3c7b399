/* Pages on first touch, and copy-on-write.
 *
 * An anonymous page is a zeroed page taken at the first access; a file's
 * page comes from the file (vm_file_ops).  The address space's spinlock
 * guards the page tables and mappings; a file's page is fetched with it
 * dropped, because a file system may sleep for it (read its disk, take
 * its lock), and the mapping is looked up again after.  A shared mapping
 * maps the file's own page, writable if the mapping is.  A private page
 * that others share (since a fork, or a file's page in a private mapping:
 * it has more than one sharer) is mapped read-only, whatever the
 * mapping allows: the first write takes a copy for the writer and drops
 * its reference on the original, and the last one left with it just makes
 * it writable again.  A fault that must not sleep (VM_FAULT_NOSLEEP: the
 * kernel copying under a spinlock) is refused where a file would have to
 * find its page. */
#include "core/vm.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/vm_internal.h"

bool vm_access_allowed(unsigned prot, unsigned access)
{
	if (access & MMU_EXEC)
		return prot & MMU_EXEC;
	if (access & MMU_WRITE)
		return prot & MMU_WRITE;
	return prot != 0;	/* x86 pages are readable if mapped at all */
}

unsigned vm_page_prot(const struct vma *v, uint64_t pa)
{
	unsigned prot = v->prot;

	if ((prot & MMU_WRITE) && !(v->flags & VM_SHARED) && page_sharers(pa) > 1)
		prot &= ~MMU_WRITE;
	return prot;
}

/* A page for the program, out of what programs may take (the page and the
 * tables to map it: page_room_for_program). */
static uint64_t program_page(void)
{
	return page_room_for_program(4) ? page_alloc(1) : 0;
}

uint64_t vm_copy_page(uint64_t pa)
{
	void *copy = page_room_for_program(4) ? page_alloc_virt_uninit(1) : NULL;

	if (!copy)
		return 0;
	memcpy(copy, phys_to_virt(pa), PAGE_SIZE);
	return virt_to_phys(copy);
}

/* Maps a zeroed page at va.  Caller holds mm->lock. */
static int map_zero_page(struct mm *mm, const struct vma *v, uint64_t va)
{
	uint64_t pa = program_page();

	if (!pa)
		return -ENOMEM;
	if (mmu_map_user(mm->root, va, pa, v->prot)) {
		page_ref_put(pa);
		return -ENOMEM;
	}
	return 0;
}

/* A file held while mm->lock is dropped, released by the caller once it
 * has let go of the lock (release may sleep). */
struct held_file {
	const struct vm_file_ops *ops;
	void *obj;
};

static void held_release(struct held_file *h)
{
	if (h->obj)
		h->ops->release(h->obj);
}

/* A file's page for v at va: the file's own for a shared mapping (made if
 * a hole), for a private one its copy when writing, else the file's page
 * read-only (a hole: a zeroed page of its own).  Caller holds mm->lock,
 * which is dropped while the file finds its page and held again on
 * return; the file stays held in *h for the caller to release.  If the
 * mapping changed meanwhile, another thread mapped the page, or pages were
 * cut from the file (the page may be one it let go of), nothing is done:
 * the access faults again and finds what is there now.  A private
 * mapping's entry for the file's own page is marked as such. */
static int map_file_page(struct mm *mm, const struct vma *v, uint64_t va, unsigned access, struct held_file *h)
{
	const struct vm_file_ops *ops = v->ops;
	void *obj = v->obj;
	uint64_t idx = v->pgoff + (va - v->start) / PAGE_SIZE, pa;
	unsigned flags = v->flags;
	bool shared = flags & VM_SHARED;
	unsigned cuts = __atomic_load_n(&v->object->cuts, __ATOMIC_SEQ_CST);

	ops->hold(obj);
	h->ops = ops;
	h->obj = obj;
	spin_unlock(&mm->lock);
	int err = ops->get_page(obj, idx, shared, &pa);
	spin_lock(&mm->lock);
	v = vma_find(mm, va);
	if (!v || v->obj != obj || v->flags != flags || v->pgoff + (va - v->start) / PAGE_SIZE != idx ||
	    mmu_user_pte(mm->root, va) || __atomic_load_n(&v->object->cuts, __ATOMIC_SEQ_CST) != cuts) {
		if (!err)
			page_ref_put(pa);
		return 0;
	}
	if (err == -ENOENT)
		return map_zero_page(mm, v, va);
	if (err)
		return err == -EFAULT ? -EIO : err;
	bool borrowed = !shared && !(access & MMU_WRITE);
	if (!shared && (access & MMU_WRITE)) {
		uint64_t copy = vm_copy_page(pa);
		page_ref_put(pa);
		if (!(pa = copy))
			return -ENOMEM;
	}
	if (mmu_map_user(mm->root, va, pa, vm_page_prot(v, pa))) {
		page_ref_put(pa);
		return -ENOMEM;
	}
	if (borrowed)
		mmu_user_set_borrowed(mmu_user_pte(mm->root, va));
	return 0;
}

/* The page at *pte becomes v's alone and writable (if v allows): copied
 * when others share it.  Caller holds mm->lock. */
static int make_own(struct mm *mm, const struct vma *v, uint64_t va, uint64_t *pte)
{
	uint64_t old = mmu_user_pa(pte);

	/* Another CPU may still hold the read-only entry: it faults, and
	 * finds the page writable. */
	if (v->flags & VM_SHARED) {
		mmu_user_set_prot(pte, v->prot);
		return 0;
	}
	if (page_sharers(old) == 1) {
		/* Ours alone, even a page the file let go of: a copy now */
		mmu_user_set(pte, old, v->prot);
		return 0;
	}
	uint64_t pa = vm_copy_page(old);
	if (!pa)
		return -ENOMEM;
	mmu_user_set(pte, pa, v->prot);
	/* No CPU may read the old page through this address space after the
	 * writer's next store lands in the new one. */
	mm_flush(mm, va, va + PAGE_SIZE);
	page_ref_put(old);
	return 0;
}

/* Resolves a fault at the page va of v for access (allowed by v).  Only
 * a file's page sleeps (map_file_page, with the lock dropped); anonymous
 * pages and copies on write just take a free page.  Caller holds
 * mm->lock. */
static int fault_locked(struct mm *mm, const struct vma *v, uint64_t va, unsigned access, struct held_file *h)
{
	uint64_t *pte = mmu_user_pte(mm->root, va);

	if (!pte && v->ops && (access & VM_FAULT_NOSLEEP))
		return -EAGAIN;
	if (!pte)
		return v->ops ? map_file_page(mm, v, va, access, h) : map_zero_page(mm, v, va);
	unsigned have = mmu_user_prot(pte);
	if ((access & MMU_WRITE) && !(have & MMU_WRITE))
		return make_own(mm, v, va, pte);
	if (!have)	/* left behind by a change of protection: take v's */
		mmu_user_set_prot(pte, vm_page_prot(v, mmu_user_pa(pte)));
	return 0;	/* another thread brought it in meanwhile */
}

int vm_fault(struct mm *mm, uint64_t addr, unsigned access)
{
	uint64_t va = PAGE_ROUND_DOWN(addr);
	struct held_file h = { 0 };

	if (!mm)
		return -EFAULT;	/* a kernel thread has no user half */
	spin_lock(&mm->lock);
	struct vma *v = vma_find(mm, va);
	int err = v && vm_access_allowed(v->prot, access) ? fault_locked(mm, v, va, access, &h) : -EFAULT;
	spin_unlock(&mm->lock);
	held_release(&h);
	return err;
}

/* The page at va, present and mm's own, whatever v allows (the kernel
 * writing into it), or 0 when the mapping changed while a file's page was
 * fetched (*v then looked up again by the caller).  Caller holds
 * mm->lock. */
static uint64_t own_page(struct mm *mm, const struct vma *v, uint64_t va, int *err, struct held_file *h)
{
	uint64_t *pte = mmu_user_pte(mm->root, va);

	*err = 0;
	if (!pte)
		*err = v->ops ? map_file_page(mm, v, va, MMU_WRITE, h) : map_zero_page(mm, v, va);
	else if (!(v->flags & VM_SHARED) && page_sharers(mmu_user_pa(pte)) > 1)
		*err = make_own(mm, v, va, pte);
	if (*err || !(pte = mmu_user_pte(mm->root, va)))
		return 0;
	return mmu_user_pa(pte);
}

/* Who writes into another address space, and so where. */
enum filler {
	FILL_LOADER,	/* anywhere: exec filling a fresh image */
	FILL_PROGRAM,	/* where the program may store */
	FILL_DEBUGGER,	/* there, and into private mappings whatever their
			 * protection: a copy of the page, the program's own */
};

static bool may_fill(const struct vma *v, enum filler who)
{
	return who == FILL_LOADER || vm_access_allowed(v->prot, MMU_WRITE) ||
	       (who == FILL_DEBUGGER && !(v->flags & VM_SHARED));
}

/* Copies src to addr through the kernel's map of each page, where who may
 * write (a read-only shared mapping, and so a file not open for writing,
 * is only ever written by the loader). */
static int fill(struct mm *mm, uint64_t addr, const void *src, size_t len, enum filler who)
{
	const char *s = src;
	int err = 0;

	spin_lock(&mm->lock);
	while (len && !err) {
		struct vma *v = vma_find(mm, addr);
		if (!v || !may_fill(v, who)) {
			err = -EFAULT;
			break;
		}
		struct held_file h = { 0 };
		uint64_t page = PAGE_ROUND_DOWN(addr), off = addr - page;
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		uint64_t pa = own_page(mm, v, page, &err, &h);
		if (h.obj) {
			/* The lock was dropped while the file found its page: the
			 * page may be unmapped (and freed) since, so pa is not used
			 * but looked up again, under the lock held from then on. */
			spin_unlock(&mm->lock);
			held_release(&h);
			spin_lock(&mm->lock);
			continue;	/* an error ends it */
		}
		if (err || !pa)
			continue;	/* an error ends it; no page yet: look again */
		memcpy((char *)phys_to_virt(pa) + off, s, n);
		addr += n;
		s += n;
		len -= n;
	}
	spin_unlock(&mm->lock);
	return err;
}

size_t vm_load(struct mm *mm, uint64_t addr, void *dst, size_t len, bool force)
{
	char *d = dst;
	size_t done = 0;

	spin_lock(&mm->lock);
	while (done < len) {
		struct vma *v = vma_find(mm, addr);
		if (!v || (!force && !vm_access_allowed(v->prot, MMU_READ)))
			break;
		uint64_t page = PAGE_ROUND_DOWN(addr), off = addr - page;
		size_t n = PAGE_SIZE - off < len - done ? PAGE_SIZE - off : len - done;
		uint64_t *pte = mmu_user_pte(mm->root, page);
		if (!pte) {	/* (a page left without access by mprotect is there to read) */
			struct held_file h = { 0 };
			int err = fault_locked(mm, v, page, MMU_READ, &h);
			if (h.obj) {	/* the lock was dropped: look again */
				spin_unlock(&mm->lock);
				held_release(&h);
				spin_lock(&mm->lock);
			}
			if (err)
				break;
			continue;
		}
		memcpy(d + done, (char *)phys_to_virt(mmu_user_pa(pte)) + off, n);
		addr += n;
		done += n;
	}
	spin_unlock(&mm->lock);
	return done;
}

int vm_fill(struct mm *mm, uint64_t addr, const void *src, size_t len)
{
	return fill(mm, addr, src, len, FILL_LOADER);
}

int vm_store(struct mm *mm, uint64_t addr, const void *src, size_t len)
{
	return fill(mm, addr, src, len, FILL_PROGRAM);
}

int vm_poke(struct mm *mm, uint64_t addr, const void *src, size_t len)
{
	return fill(mm, addr, src, len, FILL_DEBUGGER);
}

int vm_pin_page(struct mm *mm, uint64_t addr, bool write, uint64_t *pa)
{
	uint64_t va = PAGE_ROUND_DOWN(addr);

	if (!mm)
		return -EFAULT;
	for (;;) {
		spin_lock(&mm->lock);
		struct vma *v = vma_find(mm, va);
		uint64_t *pte = v ? mmu_user_pte(mm->root, va) : NULL;
		unsigned have = pte ? mmu_user_prot(pte) : 0;
		if (v && have && (!write || (have & MMU_WRITE))) {
			*pa = mmu_user_pa(pte);
			bool pinned = page_pin(*pa);
			spin_unlock(&mm->lock);
			return pinned ? 0 : -EAGAIN;
		}
		spin_unlock(&mm->lock);
		int err = vm_fault(mm, va, write ? MMU_WRITE : MMU_READ);
		if (err)
			return err;
	}
}

int vm_shared_word(struct mm *mm, uint64_t addr, uint64_t *pa)
{
	int r = 0;

	if (!mm)
		return -EFAULT;
	spin_lock(&mm->lock);
	struct vma *v = vma_find(mm, addr);
	/* Read-only private anonymous memory can never change, so Linux's
	 * get_futex_key refuses a shared key there. */
	if (!v || (!(v->flags & VM_SHARED) && !v->ops && !(v->prot & MMU_WRITE)))
		r = -EFAULT;
	else if ((v->flags & VM_SHARED) || !(v->prot & MMU_WRITE)) {
		/* Shared, or a file's page that a read-only private mapping
		 * borrows (never a copy of its own): every process mapping the
		 * file meets there, as on Linux.  A writable private mapping's
		 * words are the address space's, copied or not (Linux's too). */
		uint64_t *pte = mmu_user_pte(mm->root, PAGE_ROUND_DOWN(addr));
		bool files = (v->flags & VM_SHARED) || (pte && mmu_user_borrowed(pte));
		if (pte && mmu_user_prot(pte) && files) {
			*pa = mmu_user_pa(pte) + (addr & (PAGE_SIZE - 1));
			r = 1;
		} else if (!pte || !mmu_user_prot(pte))
			r = -EFAULT;
	}
	spin_unlock(&mm->lock);
	return r;
}
