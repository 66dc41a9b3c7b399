/* The types behind lwIP's operating-system layer (kernel/net/sys_arch*.c):
 * counting semaphores, sleeping mutexes, bounded mailboxes and threads on
 * amphi's scheduler.  lwIP's objects are embedded structs holding a pointer,
 * so "invalid" is a NULL pointer and lwIP may copy them by value. */
#ifndef AMPHI_NET_LWIP_ARCH_SYS_ARCH_H
#define AMPHI_NET_LWIP_ARCH_SYS_ARCH_H

#include <stdint.h>

struct net_sem;
struct net_mbox;
struct mutex;
struct thread;

typedef struct { struct net_sem *s; } sys_sem_t;
typedef struct { struct mutex *m; } sys_mutex_t;
typedef struct { struct net_mbox *b; } sys_mbox_t;
typedef struct thread *sys_thread_t;
/* SYS_ARCH_PROTECT: one spinlock with interrupts off; the saved flags. */
typedef uint64_t sys_prot_t;

#define sys_sem_valid(sem)		((sem) && (sem)->s)
#define sys_sem_set_invalid(sem)	do { if (sem) (sem)->s = NULL; } while (0)
#define sys_mutex_valid(mu)		((mu) && (mu)->m)
#define sys_mutex_set_invalid(mu)	do { if (mu) (mu)->m = NULL; } while (0)
#define sys_mbox_valid(mb)		((mb) && (mb)->b)
#define sys_mbox_set_invalid(mb)	do { if (mb) (mb)->b = NULL; } while (0)

/* For lwipopts.h: the core lock (LOCK_TCPIP_CORE) may also be taken by the
 * port glue and the socket layer; net_core_locked() is for assertions. */
void net_core_lock(void);
bool net_core_trylock(void);	/* takes it if free, without waiting */
void net_core_unlock(void);
unsigned long net_core_handoffs(void);	/* backlogs left to lwIP's thread (-v) */
int net_core_locked(void);
void net_core_start_checking(void);

#endif
