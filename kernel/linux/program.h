/* The run's program: read its settings from the initrd and start it. */
#ifndef AMPHI_LINUX_PROGRAM_H
#define AMPHI_LINUX_PROGRAM_H

/* Body of the "init" kernel thread: starts the program's first thread and
 * exits.  A program that cannot start ends the VM with status 127 or 126. */
void program_start(void *unused);
/* Ends the VM with status 137 and one line: no memory to start the
 * program (also when even its "init" thread cannot be made). */
_Noreturn void program_out_of_memory(void);

#endif
