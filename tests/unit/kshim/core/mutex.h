/* Host stand-in for kernel/core/mutex.h: single-threaded unit tests only
 * check that a lock is taken and given back in pairs. */
#ifndef AMPHI_CORE_MUTEX_H
#define AMPHI_CORE_MUTEX_H

struct mutex {
	int held;
};

static inline void mutex_init(struct mutex *m) { m->held = 0; }
static inline void mutex_lock(struct mutex *m) { m->held++; }
static inline void mutex_unlock(struct mutex *m) { m->held--; }

#endif
