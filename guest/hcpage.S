/*
 * Linked into kernels that want a hypercall page: the note asks the
 * builder to fill it, and libpv then calls its stubs.
 */
	.pushsection .note.Xen, "a"
	.balign 4
	.long 4, 8, 2		/* namesz, descsz, XEN_ELFNOTE_HYPERCALL_PAGE */
	.asciz "Xen"
	.balign 4
	.quad hypercall_page
	.popsection

	.section .text.hcpage, "ax"
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xc3

	.data
	.globl pv_use_hypercall_page
	.balign 4
pv_use_hypercall_page:
	.long 1
