/* For profiling only (bench/profile): valgrind 3.19, Debian 12's, dies with SIGSEGV when a program
 * calls libdispatch's dispatch_main(), because on Linux that sleeps in sigsuspend() on a *const*
 * sigset_t and valgrind writes to the mask it is given. Preloaded, this dispatch_main does the same
 * wait with a writable mask. The bridge never returns from dispatch_main: it ends with exit(). */
#include <signal.h>

void dispatch_main(void) {
    sigset_t mask;
    sigemptyset(&mask);
    for (;;) sigsuspend(&mask);
}
