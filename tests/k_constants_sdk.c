/*
 * k_constants_sdk: ovio's Windows headers against MinGW-w64's, value by value and layout by layout.
 *
 * The comparison needs two compilers and the preprocessor, so it lives in k_constants_sdk.sh next
 * to this file; this program finds and runs it (exit 0 pass, 1 fail, 77 skip when MinGW-w64 is not
 * installed).  The script is found through $OVIO_SOURCE_DIR (set by tests/run.sh), else through
 * the path this file was compiled from, else in ./tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int find_source_dir(char *out, size_t size)
{
    struct stat st;
    const char *env = getenv("OVIO_SOURCE_DIR");
    char cand[PATH_MAX];

    if (env && *env) {
        snprintf(out, size, "%s", env);
        return 0;
    }
    /* __FILE__ is ".../tests/k_constants_sdk.c": the source dir is two components up. */
    snprintf(cand, sizeof cand, "%s", __FILE__);
    char *slash = strrchr(cand, '/');
    if (slash) {
        *slash = '\0';
        slash = strrchr(cand, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(cand, sizeof cand, ".");
        char script[PATH_MAX + 32];
        snprintf(script, sizeof script, "%s/tests/k_constants_sdk.sh", cand);
        if (stat(script, &st) == 0) {
            snprintf(out, size, "%s", cand);
            return 0;
        }
    }
    if (stat("tests/k_constants_sdk.sh", &st) == 0) {
        snprintf(out, size, ".");
        return 0;
    }
    return -1;
}

int main(void)
{
    char root[PATH_MAX];
    char script[PATH_MAX + 32];

    if (find_source_dir(root, sizeof root) != 0) {
        fprintf(stderr, "k_constants_sdk: cannot find tests/k_constants_sdk.sh "
                        "(set OVIO_SOURCE_DIR to the source tree)\n");
        return 1;
    }
    snprintf(script, sizeof script, "%s/tests/k_constants_sdk.sh", root);
    fflush(stdout);
    execl("/bin/sh", "sh", script, root, (char *)NULL);
    fprintf(stderr, "k_constants_sdk: cannot run %s: %s\n", script, strerror(errno));
    return 1;
}
