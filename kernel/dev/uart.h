/* The 16550 UART at COM1. */
#ifndef AMPHI_DEV_UART_H
#define AMPHI_DEV_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_IRQ 4

void uart_init(void);
void uart_write(const void *buf, size_t len);	/* polled; caller serializes */
bool uart_rx_ready(void);
uint8_t uart_rx_byte(void);
void uart_rx_interrupts(bool on);

#endif
