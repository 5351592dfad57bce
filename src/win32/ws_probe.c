/*
 * Checked access to pointers a Winsock call receives (SPEC G3): an unmapped or protected argument
 * gives WSAEFAULT, not a crash, as the Windows kernel's probes do.  A system call per pointer
 * (process_vm_readv, ~1.4 us here) would cost more than the I/O itself, so the access is made
 * directly under a SIGSEGV/SIGBUS handler that jumps back when the fault happened inside a probe
 * of this thread, and otherwise passes the signal on to whatever handler was there before.
 *
 * The handler is installed by WSAStartup.  A program that installs its own SIGSEGV handler after
 * that takes the faults itself (docs/PORTING.md); one installed before is chained.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "win32/ws_internal.h"

/* volatile: the handler reads it, so the stores around each probe must really happen, in order. */
static __thread sigjmp_buf *volatile probe_env;
static struct sigaction prev_segv, prev_bus;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    sigjmp_buf *env = probe_env;
    if (env) {
        probe_env = NULL;
        siglongjmp(*env, 1);
    }
    struct sigaction *prev = sig == SIGSEGV ? &prev_segv : &prev_bus;
    if (prev->sa_flags & SA_SIGINFO) {
        prev->sa_sigaction(sig, si, uc);
    } else if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
        /* Not a probe: restore the default so the faulting instruction, re-run on return,
         * ends the process as it would have without ovio. */
        signal(sig, SIG_DFL);
    } else {
        prev->sa_handler(sig);
    }
}

static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    /* SA_NODEFER: leaving the handler by siglongjmp must not leave SIGSEGV blocked. */
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &prev_segv);
    sigaction(SIGBUS, &sa, &prev_bus);
}

void ws__probe_install(void)
{
    pthread_once(&installed, install);
}

/* The signal fences keep the compiler from moving the copy out of the window in which probe_env
 * is set; the copy itself is an ordinary memcpy. */
int ws__mem_read(void *dst, const void *src, size_t n)
{
    sigjmp_buf env;
    if (sigsetjmp(env, 0))
        return -EFAULT;
    probe_env = &env;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    memcpy(dst, src, n);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    probe_env = NULL;
    return 0;
}

int ws__mem_write(void *dst, const void *src, size_t n)
{
    sigjmp_buf env;
    if (sigsetjmp(env, 0))
        return -EFAULT;
    probe_env = &env;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    memcpy(dst, src, n);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    probe_env = NULL;
    return 0;
}

int ws__mem_check_rw(void *p, size_t n)
{
    if (!p)
        return -EFAULT;
    sigjmp_buf env;
    if (sigsetjmp(env, 0))
        return -EFAULT;
    probe_env = &env;
    /* An atomic add of zero writes nothing visible, even if another thread writes the same
     * word meanwhile (a completion storing its status), yet faults on a read-only page. */
    __atomic_fetch_add((unsigned char *)p, 0, __ATOMIC_RELAXED);
    __atomic_fetch_add((unsigned char *)p + n - 1, 0, __ATOMIC_RELAXED);
    probe_env = NULL;
    return 0;
}
