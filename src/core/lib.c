/* Process-wide pieces: the core lock and library shutdown. */
#include "core/core.h"
#include "engine/engine.h"

pthread_mutex_t ovio__mutex = PTHREAD_MUTEX_INITIALIZER;

void ovio_shutdown(void)
{
    ovio__abort_all_silently();
}
