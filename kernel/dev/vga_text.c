/* The VGA text screen (80x25 at 0xb8000, as a BIOS leaves it): a mirror
 * of the plain-text console for machines booted from amphi's ISO with a
 * screen and no serial line.  Firmware without a text mode (UEFI) shows
 * nothing here; the serial line still works. */
#include "dev/vga_text.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/x86.h"

#define COLS	80
#define ROWS	25
#define ATTR	0x0700		/* light grey on black */
#define CRTC_INDEX	0x3d4
#define CRTC_DATA	0x3d5

static volatile uint16_t *screen;	/* NULL until vga_text_init */
static unsigned row, col;

void vga_text_init(void)
{
	screen = mmu_map_phys(0xb8000, COLS * ROWS * 2, true);
	for (unsigned i = 0; i < COLS * ROWS; i++)
		screen[i] = ATTR | ' ';
	row = col = 0;
}

static void scroll(void)
{
	for (unsigned i = 0; i < COLS * (ROWS - 1); i++)
		screen[i] = screen[i + COLS];
	for (unsigned i = COLS * (ROWS - 1); i < COLS * ROWS; i++)
		screen[i] = ATTR | ' ';
	row = ROWS - 1;
}

static void put(uint8_t c)
{
	if (c == '\n') {
		col = 0;
		row++;
	} else if (c == '\r') {
		col = 0;
	} else if (c == '\b') {
		col = col ? col - 1 : 0;
	} else if (c == '\t') {
		col = (col + 8) & ~7u;
	} else {
		screen[row * COLS + col++] = ATTR | c;
	}
	if (col >= COLS) {
		col = 0;
		row++;
	}
	if (row >= ROWS)
		scroll();
}

static void move_cursor(void)
{
	unsigned pos = row * COLS + col;

	outb(CRTC_INDEX, 0x0f);
	outb(CRTC_DATA, (uint8_t)pos);
	outb(CRTC_INDEX, 0x0e);
	outb(CRTC_DATA, (uint8_t)(pos >> 8));
}

void vga_text_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!screen)
		return;
	for (size_t i = 0; i < len; i++)
		put(p[i]);
	move_cursor();
}
