/* The program's standard input, output and error: the console.  (The file
 * system and its descriptor table come later; until then these are the only
 * descriptors.) */
#ifndef AMPHI_LINUX_STDIO_H
#define AMPHI_LINUX_STDIO_H

#include <stdbool.h>

/* Whether amphi's own descriptor fd (0..2) is a terminal on the host. */
void stdio_set_tty(int fd, bool tty);

#endif
