/* hello, linked with a hypercall page (see the Makefile's _hcpage rule). */
#include "hello.c"
