/*
 * SMEP and SMAP (protect.c): the hypervisor never executes guest pages,
 * and touches guest memory through its virtual addresses only inside the
 * copy helpers (usercopy.S), which open the window with STAC and close it
 * with CLAC. Every entry from a guest starts with AC clear (SYSCALL's
 * FMASK, CLAC in common_entry), so a guest cannot open it for us.
 * STAC and CLAC are #UD without SMAP: they run only when cpu_has_smap.
 */
#ifndef XENOLITH_SMAP_H
#define XENOLITH_SMAP_H

#ifdef __ASSEMBLER__
/* Clobber the flags (not AC's neighbours that matter: entry paths only). */
.macro CLAC_IF_SMAP
	testb $1, cpu_has_smap(%rip)
	jz 1001f
	clac
1001:
.endm
.macro STAC_IF_SMAP
	testb $1, cpu_has_smap(%rip)
	jz 1002f
	stac
1002:
.endm
#else
#include "types.h"

extern u8 cpu_has_smap, cpu_has_smep;

void cpu_protect_init(void);
#endif

#endif
