/* Mappings of an address space (core/mm.h): virtual memory areas (VMAs)
 * over the lower half, filled with zeroed pages on first touch.  Every
 * call names the address space; the system calls pass the calling
 * thread's. */
#ifndef AMPHI_CORE_VM_H
#define AMPHI_CORE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm;
struct vm_file_ops;

#define VM_MIN_ADDR	0x10000ul		/* nothing maps below (null pointers fault) */
#define VM_MMAP_TOP	0x00007f0000000000ul	/* mmap hands out addresses below this */
#define VM_USER_END	0x00007ffffffff000ul	/* no mapping reaches past (Linux's TASK_SIZE) */
#define VM_STACK_TOP	VM_USER_END
#define VM_STACK_SIZE	(8ul << 20)

/* A mapping's kind (besides its protection), and where vm_map puts it. */
#define VM_SHARED	1	/* MAP_SHARED: writes reach every address space that maps it */
#define VM_NOWRITE	2	/* shared, of a file not open for writing: never PROT_WRITE */
#define VM_FIXED	4	/* exactly at addr, replacing what is there */
#define VM_FIXED_NOREPLACE 8	/* exactly at addr, -EEXIST if anything is there */
/* What fork does with a mapping (madvise; vm_fork_advise). */
#define VM_DONTFORK	16	/* the child has nothing there */
#define VM_WIPEONFORK	32	/* the child reads zeros there (private anonymous only) */
/* Without VM_FIXED*: inside the window x86_64 Linux gives MAP_32BIT (the
 * hint only if the mapping would end below it). */
#define VM_32BIT	64
#define VM_32BIT_START	0x40000000ul
#define VM_32BIT_END	0x80000000ul
/* mlock's marks (Linux's VM_LOCKED, VM_LOCKONFAULT): the mapping's pages
 * are brought in when it is locked (unless on fault) and counted against
 * VM_LIMIT_LOCKED.  Nothing is ever paged out, so that is all they do. */
#define VM_LOCKED	128
#define VM_LOCKONFAULT	256
#define VM_LOCK_MASK	(VM_LOCKED | VM_LOCKONFAULT)
/* A stack (exec's, or MAP_GROWSDOWN): never data (VM_LIMIT_DATA), and
 * locked only as far down as it has been used (vm_lock.c). */
#define VM_STACK	512
/* Never grown by mremap (-EFAULT), as Linux's VM_DONTEXPAND: a mapping
 * whose provider knows its size (an AIO ring). */
#define VM_DONTEXPAND	1024

/* A file as all address spaces map it (fs/ keeps one per inode, zeroed):
 * how many mappings it has, so that cutting pages from a file nobody maps
 * costs nothing, and how many times pages were cut from it, so that a
 * fault that fetched a page before a cut maps nothing.  core/vm.c and
 * vm_object.c keep both. */
struct vm_object {
	int nmaps;		/* VMAs of every address space */
	unsigned cuts;
	/* Shared VMAs that may write its pages (not VM_NOWRITE), or -1 once
	 * writing mappings are refused for good (F_SEAL_WRITE): Linux's
	 * i_mmap_writable.  Changed only with atomics, so a seal and a new
	 * mapping cannot both succeed. */
	int nwritable;
};

/* Refuses shared mappings that may write o's pages from now on: 0, or
 * -EBUSY while one exists (or is being made).  Once only per object. */
int vm_object_deny_write(struct vm_object *o);

/* The pages [idx, idx + npages) of o leave every address space that maps
 * them; the next access finds what the file holds then (or SIGBUS past
 * its end).  A shared mapping loses its entries; a private one the file's
 * own pages, and with copies_too its copies of them as well (truncation,
 * as Linux's even_cows; a punched hole keeps them).  A fault in flight
 * that fetched its page before this maps nothing; the caller lets go of
 * the pages before (tmpfs) or after (a store's cache, which must not lose
 * a store made through a mapping meanwhile).  Called with no spinlock
 * held: it takes every address space's. */
void vm_object_unmap(struct vm_object *o, uint64_t idx, uint64_t npages, bool copies_too);

/* A file's pages as its mappings see them: fs/ provides them (an opaque
 * obj per mapped file, held once by each mapping), core/vm.c maps them. */
struct vm_file_ops {
	/* The file's vm_object: the same for every obj of one file. */
	struct vm_object *(*object)(void *obj);
	/* The page at index idx with a reference for the caller: 0 and *pa,
	 * -EFAULT past the end of the file (SIGBUS), -ENOMEM.  write: a
	 * shared mapping writes there (a hole gets its page).  May sleep;
	 * called with no spinlock held. */
	int (*get_page)(void *obj, uint64_t idx, bool write, uint64_t *pa);
	void (*hold)(void *obj);
	void (*release)(void *obj);	/* may sleep: called with no lock held */
	/* npages pages from idx go from the file, which reads zero there
	 * (MADV_REMOVE); -EOPNOTSUPP where its store cannot free a range.
	 * May sleep: called with no spinlock held. */
	int (*punch)(void *obj, uint64_t idx, uint64_t npages);
	/* msync(MS_SYNC): what was stored into the file made durable (its
	 * fdatasync).  May sleep: called with no spinlock held. */
	int (*sync)(void *obj);
	/* /proc/PID/maps: its path (NUL-terminated in name), device and inode. */
	void (*describe)(void *obj, char *name, size_t size, uint64_t *dev, uint64_t *ino);
};

/* The limits an address space is held to, which linux/ keeps (Linux's
 * RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK), in bytes; UINT64_MAX, the
 * default, is none.  Past them a mapping, a brk or an mremap is -ENOMEM
 * (AS: all mappings; DATA: private writable ones but stacks), and a lock
 * (VM_LOCKED) is -ENOMEM for mlock, -EAGAIN for a new or grown mapping;
 * what is there already stays.  fork's child inherits them. */
enum vm_limit { VM_LIMIT_AS, VM_LIMIT_DATA, VM_LIMIT_LOCKED };
void vm_set_limit(struct mm *mm, enum vm_limit which, uint64_t bytes);
/* Who may lock past VM_LIMIT_LOCKED (Linux's CAP_IPC_LOCK): linux/
 * registers the function that answers for the calling thread.  It is
 * asked with no spinlock held.  Without one, every caller may. */
void vm_set_lock_privilege(bool (*unlimited)(void));

/* Ranges are page aligned and lie below VM_USER_END; the callers (the
 * system calls) check what programs pass, and these refuse the rest with
 * -EINVAL, so nothing ever maps outside the user half. */

/* Maps len bytes with prot (MMU_READ/WRITE/EXEC) and flags (VM_*): a
 * file's pages from page pgoff (ops, obj: held by the mapping), or
 * zero-filled memory (ops NULL).  Without VM_FIXED*, at addr if it is free
 * else where there is room.  The address, or -EINVAL (a fixed range outside
 * the user half), -EPERM (below VM_MIN_ADDR, or a shared mapping that may
 * write a file whose writing mappings are refused), -EEXIST, -ENOMEM. */
long vm_map(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	    const struct vm_file_ops *ops, void *obj, uint64_t pgoff);
/* Anonymous private memory: [addr, addr+len) replacing what was there, or
 * (!replace) -EEXIST if anything was; -ENOMEM when out of VMAs. */
int vm_map_fixed(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, bool replace);
/* Finds room for len bytes (at hint if free) and maps it; the address, or
 * -ENOMEM. */
long vm_map_anywhere(struct mm *mm, uint64_t hint, uint64_t len, unsigned prot);
int vm_unmap(struct mm *mm, uint64_t addr, uint64_t len);
/* Everything goes (the last user of mm left). */
void vm_unmap_all(struct mm *mm);
/* -ENOMEM if a hole, -EACCES for PROT_WRITE on a VM_NOWRITE mapping. */
int vm_protect(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot);
/* mremap: moves or resizes the mapping at old, keeping its pages; the new
 * address or -errno.  flags are Linux's; `to` is the MREMAP_FIXED target.
 * old_len 0 maps a shared mapping's pages a second time (-EINVAL for a
 * private one), as Linux does. */
#define VM_REMAP_MAYMOVE	1
#define VM_REMAP_FIXED		2
#define VM_REMAP_DONTUNMAP	4	/* the old range stays mapped, empty */
long vm_remap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, unsigned flags,
	      uint64_t to);
/* Drops the pages of the mapped parts of [addr, addr+len): they read as
 * zero again (a file mapping's: the file's bytes).  -ENOMEM if the range has
 * holes (the rest is still done); -EINVAL and nothing done if a part is a
 * file's or shared (VM_DISCARD_ANON: MADV_FREE) or locked
 * (VM_DISCARD_UNLOCKED: but MADV_DONTNEED_LOCKED). */
#define VM_DISCARD_ANON		1
#define VM_DISCARD_UNLOCKED	2
int vm_discard(struct mm *mm, uint64_t addr, uint64_t len, unsigned only);
/* madvise's fork advice: the mapped parts of [addr, addr+len) get the
 * flags in set (VM_DONTFORK, VM_WIPEONFORK) and lose those in clear.  0,
 * -ENOMEM for holes (the rest is still done) or when out of VMAs, -EINVAL
 * (nothing done) for VM_WIPEONFORK on a part that is a file's or shared. */
int vm_fork_advise(struct mm *mm, uint64_t addr, uint64_t len, unsigned set, unsigned clear);
/* madvise(MADV_REMOVE): the files behind the mapped parts of [addr,
 * addr+len) lose those pages (vm_file_ops.punch), which then read as zero
 * there and through read().  Linux's errors: -EINVAL for anonymous private
 * memory, -EACCES for a private or read-only shared file mapping, the
 * punch's (-EOPNOTSUPP), -EINVAL for a locked part, -ENOMEM for holes
 * (the rest is still done).
 * Every mapping of those pages, in any address space, loses them. */
int vm_remove(struct mm *mm, uint64_t addr, uint64_t len);
/* msync(MS_SYNC): each file behind a shared mapping in [addr, addr+len)
 * makes what was stored durable (vm_file_ops.sync).  0, its error, or
 * -ENOMEM for holes (the rest is still done). */
int vm_sync(struct mm *mm, uint64_t addr, uint64_t len);
/* mincore: for the n pages from addr (page aligned), 1 in vec where this
 * address space has the page in (a file's page it has not touched counts
 * as absent), 0 where not; stops at the first page no mapping holds.
 * How many were filled in. */
size_t vm_resident(struct mm *mm, uint64_t addr, size_t n, uint8_t *vec);
/* mlock, mlock2, munlock: the mappings from addr on, up to addr+len (any
 * bytes: the range is not checked) get the lock marks `lock` (VM_LOCKED,
 * with VM_LOCKONFAULT, or 0 to unlock), cut where the range ends.  0;
 * -ENOMEM (nothing done) when locking would pass the limit; -EINVAL when
 * the range wraps; -ENOMEM at the first hole, the mappings before it done
 * (Linux's order).  Pages are not brought in: vm_populate. */
int vm_lock(struct mm *mm, uint64_t addr, uint64_t len, unsigned lock);
/* mlockall, munlockall: mappings made from now on get the marks future
 * (0: none), and unless keep_current, every mapping now gets current.
 * -ENOMEM (nothing done) when current locks more than the limit allows
 * (counting everything mapped, as Linux counts total_vm). */
int vm_lock_all(struct mm *mm, unsigned current, unsigned future, bool keep_current);
/* Bytes locked (/proc/PID/status VmLck): a locked stack counts as far
 * down as it has been used. */
uint64_t vm_locked_bytes(struct mm *mm);
/* Bytes of data (/proc/PID/status VmData): private writable mappings but
 * stacks, which VM_LIMIT_DATA holds. */
uint64_t vm_data_bytes(struct mm *mm);
/* Brings in the pages of the locked mappings (VM_LOCKED without
 * VM_LOCKONFAULT) in [addr, addr+len), a writable private one's as a
 * write would (its own copy), as Linux's mlock populates them.  With
 * ignore_errors a mapping that fails is left for the next one; else the
 * first failure ends it: -EFAULT (PROT_NONE, past a file's end) or
 * -ENOMEM.  stop (may be NULL) is asked now and then: true ends it early,
 * with 0 (a signal to deliver).  Called with no spinlock held. */
int vm_populate(struct mm *mm, uint64_t addr, uint64_t len, bool ignore_errors, bool (*stop)(void));

/* 0 if [addr, addr+len) is mapped without holes (need_access: and nothing
 * in it is PROT_NONE), else -ENOMEM. */
int vm_covered(struct mm *mm, uint64_t addr, uint64_t len, bool need_access);
/* True if [addr, addr+len) overlaps no mapping. */
int vm_is_free(struct mm *mm, uint64_t addr, uint64_t len);

/* One mapping as /proc/PID/maps shows it. */
struct vm_area {
	uint64_t start, end;
	unsigned prot, flags;	/* flags: VM_SHARED, VM_LOCKED, VM_STACK */
	uint64_t resident;	/* pages present (when asked for) */
	bool file;		/* a file's: then the six below */
	uint64_t offset, dev, ino;
	const struct vm_file_ops *ops;	/* whose pages: lets their provider know its own */
	void *obj;
	char *name;		/* the caller's buffer (name_size bytes), or NULL */
	size_t name_size;
};

/* Read-only iteration: the first area ending above addr, 1 and *a filled
 * (a->name and name_size set by the caller), or 0 past the last.
 * count_resident walks the page tables of the area (areas without access
 * are not counted). */
int vm_area_next(struct mm *mm, uint64_t addr, struct vm_area *a, int count_resident);

/* Resolves a fault at addr for access (MMU_READ/WRITE/EXEC): 0 when a page
 * is now there, -EFAULT when the access is not allowed, -EIO past the end
 * of a mapped file (SIGBUS), -ENOMEM.  With VM_FAULT_NOSLEEP in access it
 * never sleeps: -EAGAIN where a file would have to find its page (a copy
 * made under a spinlock, core/uaccess.h). */
#define VM_FAULT_NOSLEEP	0x100
int vm_fault(struct mm *mm, uint64_t addr, unsigned access);

/* The page at addr, brought in as an access of the program would (write:
 * the device will store into it, so a private page is made the caller's
 * own), pinned while a device works on it (O_DIRECT; page_unpin lets it
 * go): 0 and its physical address, vm_fault's error, or -EAGAIN when the
 * page has all the pins it can take. */
int vm_pin_page(struct mm *mm, uint64_t addr, bool write, uint64_t *pa);

/* Where a futex word at addr lives (linux/futex.c's keys): 1 and its
 * physical address in *pa for a MAP_SHARED mapping, and for a read-only
 * private mapping of a file where the page is still the file's own (as
 * Linux keys both by the file's page); 0 for other private memory;
 * -EFAULT if unmapped, read-only private anonymous memory, or (shared, or
 * read-only of a file) not present now: touch it and ask again. */
int vm_shared_word(struct mm *mm, uint64_t addr, uint64_t *pa);

/* Writes src into the program's memory regardless of protection (the ELF
 * loader filling read-only text of a fresh address space).  -EFAULT if
 * unmapped, -ENOMEM. */
int vm_fill(struct mm *mm, uint64_t addr, const void *src, size_t len);
/* The same, but as a store of the program would be (an address space
 * other than the caller's: a forked child's tid before it runs): -EFAULT
 * where a mapping does not allow writing, so a read-only MAP_SHARED file
 * is never written through it. */
int vm_store(struct mm *mm, uint64_t addr, const void *src, size_t len);
/* The same as a debugger's store (/proc/PID/mem): also into private
 * mappings the program may not write (its text), which get a copy of the
 * page as a store of the program's own would. */
int vm_poke(struct mm *mm, uint64_t addr, const void *src, size_t len);

/* Copies len bytes at addr of mm (any address space) to dst as the
 * program's own reads would find them, faulting pages in: the bytes
 * copied before the first that is unmapped or (unless force, a debugger's
 * read) unreadable. */
size_t vm_load(struct mm *mm, uint64_t addr, void *dst, size_t len, bool force);

/* fork: child (empty) gets every mapping of parent; private pages are
 * shared copy-on-write, shared mappings stay shared.  0 or -ENOMEM (child
 * then holds part of it: give it up with mm_unuse). */
int vm_fork(struct mm *parent, struct mm *child);

#endif
