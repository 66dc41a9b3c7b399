/* The VGA text screen, mirroring the plain-text console. */
#ifndef AMPHI_DEV_VGA_TEXT_H
#define AMPHI_DEV_VGA_TEXT_H

#include <stddef.h>

void vga_text_init(void);	/* once the kernel's page tables are up; clears it */
void vga_text_write(const void *buf, size_t len);	/* caller serializes */

#endif
