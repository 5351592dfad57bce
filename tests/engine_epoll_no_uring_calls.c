/* Issue 4: a forced epoll engine makes no io_uring system call at all, so a seccomp policy that
 * kills the process on io_uring_setup is safe.  The child runs under a filter that kills on any
 * io_uring call; surviving the workload proves none was made.  A second child checks that a
 * forced io_uring that cannot start fails ovio_init with the reason. */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "engine_workload.h"

static int block_uring(uint32_t action)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    return !ctx || seccomp_rule_add(ctx, action, SCMP_SYS(io_uring_setup), 0) ||
           seccomp_rule_add(ctx, action, SCMP_SYS(io_uring_enter), 0) ||
           seccomp_rule_add(ctx, action, SCMP_SYS(io_uring_register), 0) || seccomp_load(ctx);
}

static int forced_epoll(void)
{
    if (block_uring(SCMP_ACT_KILL_PROCESS))
        return 77;
    setenv("OVIO_ENGINE", "epoll", 1);
    if (ovio_init() != 0 || strcmp(ovio_engine_name(), "epoll") != 0)
        return 1;
    int line = engine_workload();
    if (line)
        fprintf(stderr, "workload failed at engine_workload.h:%d\n", line);
    return line ? 1 : 0;
}

static int forced_uring_blocked(void)
{
    if (block_uring(SCMP_ACT_ERRNO(EPERM)))
        return 77;
    setenv("OVIO_ENGINE", "io_uring", 1);
    int err = ovio_init();
    if (err == 0 || ovio_engine_name() != NULL || !strstr(ovio_engine_reason(), "EPERM")) {
        fprintf(stderr, "forced io_uring under EPERM: init %d, engine %s, reason \"%s\"\n", err,
                ovio_engine_name() ? ovio_engine_name() : "(none)", ovio_engine_reason());
        return 1;
    }
    return 0;
}

static int run(int (*fn)(void), const char *what)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn());
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 1;
    if (WIFSIGNALED(st)) {
        fprintf(stderr, "%s: killed by signal %d (an io_uring call was made)\n", what,
                WTERMSIG(st));
        return 1;
    }
    if (WEXITSTATUS(st))
        fprintf(stderr, "%s: exit %d\n", what, WEXITSTATUS(st));
    return WEXITSTATUS(st);
}

int main(void)
{
    int rc = run(forced_epoll, "forced epoll");
    if (rc)
        return rc;
    return run(forced_uring_blocked, "forced io_uring, blocked");
}
