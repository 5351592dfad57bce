/* installcheck: the native API, built against the installed ovio.pc. */
#include <ovio.h>
#include <stdio.h>

int main(void)
{
    int rc = ovio_init();
    if (rc < 0) {
        fprintf(stderr, "ovio_init: %d\n", rc);
        return 1;
    }
    printf("native: engine %s\n", ovio_engine_name());
    ovio_shutdown();
    return 0;
}
