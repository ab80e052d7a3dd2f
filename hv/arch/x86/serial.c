/*
 * 16550 UART driver for the console (COM1 at 115200 8N1). Polled output:
 * the console must work from any context, including the panic path.
 */
#include "console.h"
#include "x86.h"

#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_DLL 0 /* divisor latch, with LCR.DLAB */
#define UART_DLM 1

#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_DR 0x01 /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */

static u16 uart_port;

static bool uart_probe(u16 port)
{
	/* The scratch register keeps what we write if a UART is there. */
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	return inb(port + UART_SCR) == 0xa5;
}

void serial_init(u16 port)
{
	if (!uart_probe(port))
		return;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, 1); /* 115200 = 1843200 / 16 / 1 */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0xc7); /* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03); /* DTR | RTS */
	uart_port = port;
}

bool serial_present(void)
{
	return uart_port != 0;
}

void serial_putc(char c)
{
	if (!uart_port)
		return;
	if (c == '\n')
		serial_putc('\r');
	for (int spin = 0; spin < 100000; spin++)
		if (inb(uart_port + UART_LSR) & LSR_THRE)
			break;
	outb(uart_port + UART_THR, (u8)c);
}

int serial_getc(void)
{
	if (!uart_port || !(inb(uart_port + UART_LSR) & LSR_DR))
		return -1;
	return inb(uart_port + UART_RBR);
}

/* Received data raises the UART's interrupt (OUT2 gates it to the PIC/IOAPIC). */
void serial_enable_rx_interrupt(void)
{
	if (!uart_port)
		return;
	outb(uart_port + UART_MCR, 0x0b); /* DTR | RTS | OUT2 */
	outb(uart_port + UART_IER, 0x01); /* data available */
}
