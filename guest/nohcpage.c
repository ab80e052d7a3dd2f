/* Kernels without a hypercall page make hypercalls with SYSCALL. */
#include <pv/hypercall.h>

char hypercall_page[4096] __attribute__((aligned(4096)));
int pv_use_hypercall_page;
