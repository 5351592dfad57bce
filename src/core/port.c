/* Completion ports (SPEC I): packet queues that operations on bound sockets post to. */
#include <stdlib.h>

#include "core/core.h"

struct ovio__port {
    struct ovio__object obj;
};

void ovio__port_destroy(struct ovio__object *o)
{
    free(OVIO__CONTAINER_OF(o, struct ovio__port, obj));
}

void ovio__port_deliver(struct ovio__sock *s, struct ovio__req *r, bool sync_success)
{
    (void)s;
    (void)r;
    (void)sync_success;
}
