/* traps, linked with a hypercall page: handlers return through its iret. */
#include "traps.c"
