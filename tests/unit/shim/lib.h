/*
 * Host shim for hv/include/lib.h: the real one, after the checking
 * spinlock (lib.h is the first header most hv sources include, so this
 * puts the shim lock ahead of any real header that includes spinlock.h).
 * panic() and printk_level() come from hv_fake.c.
 */
#ifndef XENOLITH_SHIM_LIB_H
#define XENOLITH_SHIM_LIB_H

/* <>: found through -Ishim, so that #include_next finds the real one. */
#include <spinlock.h>
#include_next <lib.h>

#endif
