/* Host stand-in for kernel/core/mutex.h: unit tests run one thread. */
#ifndef AMPHI_CORE_MUTEX_H
#define AMPHI_CORE_MUTEX_H

#include <assert.h>
#include <stdbool.h>

struct mutex {
	bool held;
};

static inline void mutex_init(struct mutex *m) { m->held = false; }
/* Taking a held lock would deadlock in the kernel: fail loudly here. */
static inline void mutex_lock(struct mutex *m) { assert(!m->held); m->held = true; }
static inline void mutex_unlock(struct mutex *m) { assert(m->held); m->held = false; }

#endif
