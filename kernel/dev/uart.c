/* COM1, polled for output, interrupt-driven for input. */
#include "dev/uart.h"

#include "arch/x86_64/x86.h"

#define COM1	0x3f8
#define THR	0	/* transmit holding (write) / receive buffer (read) */
#define IER	1
#define FCR	2
#define LCR	3
#define MCR	4
#define LSR	5
#define LSR_DR		0x01	/* data ready */
#define LSR_THRE	0x20	/* transmit holding register empty */

void uart_init(void)
{
	outb(COM1 + IER, 0);
	outb(COM1 + LCR, 0x80);		/* divisor latch */
	outb(COM1 + 0, 1);		/* 115200 baud (QEMU ignores it) */
	outb(COM1 + 1, 0);
	outb(COM1 + LCR, 0x03);		/* 8N1 */
	outb(COM1 + FCR, 0xc7);		/* FIFOs on, cleared, 14-byte trigger */
	outb(COM1 + MCR, 0x0b);		/* DTR, RTS, OUT2 (interrupt line on) */
}

void uart_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		while (!(inb(COM1 + LSR) & LSR_THRE))
			__asm__ volatile("pause");
		outb(COM1 + THR, p[i]);
	}
}

bool uart_rx_ready(void) { return inb(COM1 + LSR) & LSR_DR; }
uint8_t uart_rx_byte(void) { return inb(COM1 + THR); }
void uart_rx_interrupts(bool on) { outb(COM1 + IER, on ? 0x01 : 0); }
