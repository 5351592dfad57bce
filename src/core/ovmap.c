/* The registry of overlapped records with an operation in flight.  Windows leaves reuse of a pending
 * OVERLAPPED undefined (the seed's quiz 3); ovio refuses it (SPEC A11), and CancelIoEx(h, ov) finds
 * the operation here.  Chained hash keyed by address; the requests are the chain nodes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/core.h"

static struct ovio__req **buckets;
static size_t nbuckets, count;

static size_t bucket_of(const void *ov, size_t n)
{
    uintptr_t x = (uintptr_t)ov;
    x ^= x >> 17;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 20) & (n - 1);
}

static int grow(void)
{
    size_t n = nbuckets ? nbuckets * 2 : 1024;
    struct ovio__req **b = calloc(n, sizeof *b);
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < nbuckets; i++) {
        struct ovio__req *r = buckets[i], *next;
        for (; r; r = next) {
            next = r->ov_next;
            size_t j = bucket_of(r->ov, n);
            r->ov_next = b[j];
            b[j] = r;
        }
    }
    free(buckets);
    buckets = b;
    nbuckets = n;
    return 0;
}

struct ovio__req *ovio__ovmap_find(const void *ov)
{
    if (!nbuckets)
        return NULL;
    for (struct ovio__req *r = buckets[bucket_of(ov, nbuckets)]; r; r = r->ov_next)
        if (r->ov == ov)
            return r;
    return NULL;
}

int ovio__ovmap_insert(const void *ov, struct ovio__req *r)
{
    if (ovio__ovmap_find(ov))
        return -EEXIST;
    if (count >= nbuckets) {
        int err = grow();
        if (err && !nbuckets)
            return err;
    }
    size_t j = bucket_of(ov, nbuckets);
    r->ov_next = buckets[j];
    buckets[j] = r;
    count++;
    return 0;
}

void ovio__ovmap_remove(const void *ov)
{
    if (!nbuckets)
        return;
    for (struct ovio__req **p = &buckets[bucket_of(ov, nbuckets)]; *p; p = &(*p)->ov_next) {
        if ((*p)->ov == ov) {
            *p = (*p)->ov_next;
            count--;
            return;
        }
    }
}
