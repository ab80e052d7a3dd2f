/*
 * The hypercall page, for kernels whose ELF notes ask for one (older
 * Linux, Mini-OS, XTF). Stub i at offset 32*i makes hypercall i with
 * SYSCALL, keeping RCX and R11; the iret stub (23) pushes the frame's
 * last words and never returns. Unused bytes are int3.
 */
#include <xen/xen.h>
#include "lib.h"
#include "page.h"
#include "pv.h"

void pv_write_hypercall_page(void *page)
{
	u8 *p = page;

	memset(page, 0xcc, PAGE_SIZE);
	for (unsigned int i = 0; i < PAGE_SIZE / 32; i++) {
		u8 *s = p + i * 32;
		unsigned int n = 0;

		s[n++] = 0x51;               /* push %rcx */
		s[n++] = 0x41, s[n++] = 0x53; /* push %r11 */
		if (i == __HYPERVISOR_iret)
			s[n++] = 0x50;       /* push %rax */
		s[n++] = 0xb8;               /* mov $i, %eax */
		memcpy(s + n, &i, 4);
		n += 4;
		s[n++] = 0x0f, s[n++] = 0x05; /* syscall */
		if (i == __HYPERVISOR_iret)
			continue;
		s[n++] = 0x41, s[n++] = 0x5b; /* pop %r11 */
		s[n++] = 0x59;               /* pop %rcx */
		s[n++] = 0xc3;               /* ret */
	}
}
