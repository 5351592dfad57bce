/*
 * noprocvm.c - runs a program with process_vm_readv/process_vm_writev failing with ENOSYS
 * (a seccomp filter), for valgrind runs.
 *
 *   noprocvm PROGRAM [ARGS...]
 *
 * ovio's BSD layer used to copy to and from the caller's memory (accept/getsockname/getpeername
 * addresses ...) with process_vm_writev/readv on its own pid, so that a bad pointer gave
 * WSAEFAULT instead of a crash.  memcheck cannot see what the kernel writes that way and reported
 * every such address as uninitialised when the program printed it.  Where the calls are refused
 * ovio fell back to plain copies, which memcheck follows.  ovio now uses an in-process fault probe
 * instead (src/win32/ws_probe.c); stress/valgrind.sh still runs the examples both ways, so that a
 * return of such a system call shows up as a difference between the two.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: noprocvm PROGRAM [ARGS...]\n");
        return 2;
    }
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_writev, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
    };
    struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
        fprintf(stderr, "noprocvm: seccomp: %s\n", strerror(errno));
        return 2;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "noprocvm: %s: %s\n", argv[1], strerror(errno));
    return 127;
}
