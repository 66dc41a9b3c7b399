/* The program's standard input, output and error: the console as a file. */
#ifndef AMPHI_LINUX_STDIO_H
#define AMPHI_LINUX_STDIO_H

#include <stdbool.h>

struct fdtable;
struct file;

/* Whether amphi's own descriptor fd (0..2) is a terminal on the host. */
void stdio_set_tty(int fd, bool tty);
bool stdio_is_tty(int fd);
/* A file on stream 0 (in), 1 (out) or 2 (err) of the console. */
struct file *stdio_open(int stream, unsigned flags);
/* Descriptors 0, 1, 2 at start-up; 0 or -ENOMEM. */
int stdio_install(struct fdtable *t);

#endif
