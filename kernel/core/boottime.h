/* Where the kernel's boot time goes: a few named marks on the TSC from
 * kmain's first instruction to the program's, reported once (a kernel
 * message: amphi run -v shows it). */
#ifndef AMPHI_CORE_BOOTTIME_H
#define AMPHI_CORE_BOOTTIME_H

/* Notes that the step named `what` ended now (what must stay valid). */
void boottime_mark(const char *what);
/* Prints the steps' times, once; the TSC's rate must be known. */
void boottime_report(void);

#endif
