/* Load averages (loadavg.c). */
#ifndef AMPHI_LINUX_LOADAVG_H
#define AMPHI_LINUX_LOADAVG_H

#define LOADAVG_SHIFT	11	/* the averages' fixed point: 1.0 is 1 << 11 */

/* Starts sampling, every 5 s from now, on the calling CPU. */
void loadavg_start(void);
/* The 1, 5 and 15 minute averages. */
void loadavg_get(unsigned long out[3]);

#endif
