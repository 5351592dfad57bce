/* Issue 4: with io_uring blocked as Docker's default seccomp profile blocks it (io_uring_setup
 * fails with EPERM) and no OVIO_ENGINE set, ovio falls back to epoll by itself, says why, and a
 * representative workload behaves as on io_uring.  Runs in a child: a seccomp filter cannot be
 * removed once installed. */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "engine_workload.h"

static int child(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(io_uring_setup), 0) ||
        seccomp_load(ctx)) {
        fprintf(stderr, "cannot install the seccomp filter\n");
        return 77;
    }
    unsetenv("OVIO_ENGINE");
    if (ovio_init() != 0) {
        fprintf(stderr, "ovio_init failed: %s\n", ovio_engine_reason());
        return 1;
    }
    const char *name = ovio_engine_name(), *why = ovio_engine_reason();
    if (!name || strcmp(name, "epoll") != 0 || !strstr(why, "EPERM")) {
        fprintf(stderr, "engine %s, reason \"%s\": wanted epoll because of EPERM\n",
                name ? name : "(none)", why);
        return 1;
    }
    int line = engine_workload();
    if (line) {
        fprintf(stderr, "workload failed at engine_workload.h:%d\n", line);
        return 1;
    }
    return 0;
}

int main(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(child());
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return 1;
    if (WIFSIGNALED(st)) {
        fprintf(stderr, "child killed by signal %d\n", WTERMSIG(st));
        return 1;
    }
    return WEXITSTATUS(st);
}
