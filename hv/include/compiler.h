/*
 * Included first in every hypervisor C file (by the Makefile). The image is
 * position-independent code linked at a fixed high address; hidden
 * visibility makes every reference PC-relative instead of through a GOT.
 */
#pragma GCC visibility push(hidden)
