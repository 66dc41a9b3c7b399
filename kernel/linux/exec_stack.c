/* A new program's arguments and initial stack.  The strings lie at the top
 * as Linux lays them out (argv's, then envp's, then the file name AT_EXECFN
 * gives; below them the platform string and AT_RANDOM's bytes), and below
 * those, 16-byte aligned: argc, argv, NULL, envp, NULL, auxv. */
#include "linux/exec_internal.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/random.h"
#include "core/string.h"
#include "core/vm.h"

#define MAX_ARG_STRLEN	(32 * PAGE_SIZE)	/* one string, its NUL included */
#define ARG_MAX		(32 * PAGE_SIZE)
#define STK_LIM		(8ul << 20)
#define NAUX		19

enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
	AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
	AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
	AT_HWCAP2 = 26, AT_EXECFN = 31,
};

size_t exec_args_limit(uint64_t stack_limit)
{
	uint64_t limit = STK_LIM / 4 * 3;

	if (stack_limit / 4 < limit)
		limit = stack_limit / 4;
	return limit < ARG_MAX ? ARG_MAX : limit;
}

void exec_args_free(struct exec_args *a)
{
	kfree(a->buf);
	kfree(a->argv);
	a->buf = NULL;
	a->argv = a->envp = NULL;
}

int exec_args_index(struct exec_args *a)
{
	a->argv = kmalloc(((size_t)a->argc + a->envc + 2) * sizeof *a->argv);
	if (!a->argv)
		return -ENOMEM;
	a->envp = a->argv + a->argc + 1;
	const char *s = a->buf;
	for (int i = 0; i < a->argc + a->envc; i++) {
		if (i < a->argc)
			a->argv[i] = s;
		else
			a->envp[i - a->argc] = s;
		s += strlen(s) + 1;
	}
	a->argv[a->argc] = a->envp[a->envc] = NULL;
	return 0;
}

int exec_args_from_kernel(struct exec_args *a, const char *const *argv, int argc,
			  const char *const *envp, int envc, size_t limit)
{
	size_t len = 0;

	*a = (struct exec_args){ .argc = argc, .envc = envc, .limit = limit };
	for (int i = 0; i < argc + envc; i++) {
		size_t n = strlen(i < argc ? argv[i] : envp[i - argc]) + 1;
		if (n > MAX_ARG_STRLEN)
			return -E2BIG;
		len += n;
	}
	if (len + (size_t)(argc + envc) * sizeof(void *) > limit)
		return -E2BIG;
	if (!(a->buf = kmalloc(len ? len : 1)))
		return -ENOMEM;
	for (int i = 0; i < argc + envc; i++) {
		const char *s = i < argc ? argv[i] : envp[i - argc];
		memcpy(a->buf + a->len, s, strlen(s) + 1);
		a->len += strlen(s) + 1;
	}
	return exec_args_index(a);
}

int exec_args_script(struct exec_args *a, const char *interp, const char *arg, const char *file)
{
	size_t skip = a->argc ? strlen(a->argv[0]) + 1 : 0;
	size_t head = strlen(interp) + 1 + (arg ? strlen(arg) + 1 : 0) + strlen(file) + 1;
	char *buf = kmalloc(head + a->len - skip);

	if (!buf)
		return -ENOMEM;
	char *p = buf;
	const char *parts[3] = { interp, arg, file };
	for (int k = 0; k < 3; k++) {
		if (parts[k]) {
			memcpy(p, parts[k], strlen(parts[k]) + 1);
			p += strlen(parts[k]) + 1;
		}
	}
	memcpy(p, a->buf + skip, a->len - skip);
	struct exec_args n = { .buf = buf, .len = head + a->len - skip, .envc = a->envc,
			       .limit = a->limit,
			       .argc = (a->argc ? a->argc - 1 : 0) + (arg ? 3 : 2),
			       .ids = { a->ids[0], a->ids[1], a->ids[2], a->ids[3] },
			       .no_new_privs = a->no_new_privs };
	if (exec_args_index(&n)) {
		kfree(buf);
		return -ENOMEM;
	}
	exec_args_free(a);
	*a = n;
	return 0;
}

struct stack_builder {
	uint8_t *buf;		/* kernel copy of the stack's top */
	uint64_t top;		/* user address of buf's end */
	size_t used;		/* bytes from the end */
	size_t cap;
	uint64_t arg_start, env_start, env_end;	/* where the strings landed */
};

/* Pushes bytes at the top end; the user address they land at. */
static uint64_t push_bytes(struct stack_builder *s, const void *p, size_t n)
{
	s->used += n;
	memcpy(s->buf + s->cap - s->used, p, n);
	return s->top - s->used;
}

static uint64_t push_string(struct stack_builder *s, const char *str)
{
	return push_bytes(s, str, strlen(str) + 1);
}

/* Caller made room: the strings, 32 bytes, and (argc + envc + 3 + 2 *
 * NAUX) words plus 16 bytes of alignment. */
static void build(struct stack_builder *s, const struct exec_args *a, const char *execfn,
		  const struct exec_start *st, uint64_t *ptrs)
{
	uint64_t *p = ptrs, addr[2];
	uint8_t rnd[16];
	uint32_t r[4];

	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(1), "c"(0));
	uint64_t fn = push_string(s, execfn);
	s->env_end = fn;
	for (int i = a->envc - 1; i >= 0; i--)
		ptrs[a->argc + 2 + i] = push_string(s, a->envp[i]);
	s->env_start = s->top - s->used;
	for (int i = a->argc - 1; i >= 0; i--)
		ptrs[1 + i] = push_string(s, a->argv[i]);
	s->arg_start = s->top - s->used;
	addr[0] = push_string(s, "x86_64");
	random_fill(rnd, sizeof rnd);
	addr[1] = push_bytes(s, rnd, sizeof rnd);
	*p = a->argc;
	p += 1 + a->argc;
	*p++ = 0;
	p += a->envc;
	*p++ = 0;
	const uint64_t aux[NAUX][2] = {
		{ AT_PHDR, st->phdr }, { AT_PHENT, st->phent }, { AT_PHNUM, st->phnum },
		{ AT_PAGESZ, PAGE_SIZE }, { AT_BASE, st->interp_base }, { AT_FLAGS, 0 },
		{ AT_ENTRY, st->entry }, { AT_UID, a->ids[0] }, { AT_EUID, a->ids[1] },
		{ AT_GID, a->ids[2] }, { AT_EGID, a->ids[3] }, { AT_PLATFORM, addr[0] },
		{ AT_HWCAP, r[3] }, { AT_CLKTCK, 100 },
		{ AT_SECURE, a->ids[0] != a->ids[1] || a->ids[2] != a->ids[3] }, { AT_RANDOM, addr[1] }, { AT_HWCAP2, 0 }, { AT_EXECFN, fn },
		{ AT_NULL, 0 },
	};
	memcpy(p, aux, sizeof aux);
	p += sizeof aux / 8;
	/* rsp (pointing at argc) must be 16-byte aligned at entry. */
	size_t bytes = (size_t)(p - ptrs) * 8;
	s->used = (s->used + bytes + 15) & ~15ul;
	s->used -= bytes;
	push_bytes(s, ptrs, bytes);
}

int exec_stack(struct mm *mm, const struct exec_args *a, const char *execfn,
	       const struct exec_start *start, struct trapframe *tf)
{
	size_t words = (size_t)a->argc + a->envc + 3 + 2 * NAUX;
	struct stack_builder s = { .top = VM_STACK_TOP,
				   .cap = a->len + strlen(execfn) + 1 + 32 + words * 8 + 16 };
	/* a stack: not data for RLIMIT_DATA, locked only as far as used */
	long at = s.cap > VM_STACK_SIZE / 2 ? -E2BIG :
		  vm_map(mm, VM_STACK_TOP - VM_STACK_SIZE, VM_STACK_SIZE, MMU_READ | MMU_WRITE,
			 VM_FIXED | VM_STACK, NULL, NULL, 0);
	int err = at < 0 ? (int)at : 0;

	if (err)
		return err;
	s.buf = kmalloc(s.cap);
	uint64_t *ptrs = kmalloc(words * 8);
	err = s.buf && ptrs ? 0 : -ENOMEM;
	if (!err) {
		build(&s, a, execfn, start, ptrs);
		err = vm_fill(mm, s.top - s.used, s.buf + s.cap - s.used, s.used);
		mm->arg_start = s.arg_start;
		mm->arg_end = s.env_start;
		mm->env_end = s.env_end;
	}
	kfree(ptrs);
	kfree(s.buf);
	if (err)
		return err;
	memset(tf, 0, sizeof *tf);
	tf->rip = start->pc;
	tf->rsp = s.top - s.used;
	tf->cs = USER_CS;
	tf->ss = USER_DS;
	tf->rflags = 0x202;	/* interrupts on */
	tf->vector = VEC_SYSCALL;
	tf->error = ~0ull;	/* no system call to restart */
	return 0;
}
