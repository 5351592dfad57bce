/* The handle table: handle values name objects and carry a generation, so a stale or forged value
 * is refused instead of reaching whatever reuses the slot.  Freed slots are reused oldest first,
 * which makes a generation wrap (128 reuses of one slot) need that many handle lifetimes. */
#include <errno.h>
#include <stdlib.h>

#include "core/core.h"

#define SLOT_SHIFT 2
#define SLOT_BITS 22
#define GEN_SHIFT 24
#define GEN_MASK 0x7fu

struct slot {
    struct ovio__object *obj; /* NULL when free */
    uint32_t gen;
    uint8_t closed_type;      /* type of the object the previous generation named */
    uint32_t next_free;       /* slot index; 0 ends the list */
};

static struct slot *slots;   /* slot 0 is never used: handle 0 is NULL */
static uint32_t nslots;
static uint32_t free_head, free_tail;

void ovio__obj_init(struct ovio__object *o, int type)
{
    o->type = (uint8_t)type;
    o->refs = 1;
    ovio__list_init(&o->waiters);
}

void ovio__obj_ref(struct ovio__object *o)
{
    o->refs++;
}

/* Per-type destructors live with their types. */
OVIO__HIDDEN void ovio__event_destroy(struct ovio__object *o);
OVIO__HIDDEN void ovio__thread_destroy(struct ovio__object *o);
OVIO__HIDDEN void ovio__sock_destroy(struct ovio__object *o);
OVIO__HIDDEN void ovio__port_destroy(struct ovio__object *o);

void ovio__obj_unref(struct ovio__object *o)
{
    if (--o->refs)
        return;
    switch (o->type) {
    case OVIO__OBJ_EVENT:
        ovio__event_destroy(o);
        break;
    case OVIO__OBJ_THREAD:
        ovio__thread_destroy(o);
        break;
    case OVIO__OBJ_SOCK:
        ovio__sock_destroy(o);
        break;
    case OVIO__OBJ_PORT:
        ovio__port_destroy(o);
        break;
    }
}

static int grow(void)
{
    uint32_t n = nslots ? nslots * 2 : 256;
    if (n > (1u << SLOT_BITS))
        return -EMFILE;
    struct slot *s = realloc(slots, n * sizeof *s);
    if (!s)
        return -ENOMEM;
    slots = s;
    for (uint32_t i = nslots ? nslots : 1; i < n; i++) {
        slots[i].obj = NULL;
        slots[i].gen = 1;
        slots[i].next_free = 0;
        if (free_tail)
            slots[free_tail].next_free = i;
        else
            free_head = i;
        free_tail = i;
    }
    nslots = n;
    return 0;
}

ovio_handle ovio__handle_new(struct ovio__object *obj)
{
    if (!free_head) {
        int err = grow();
        if (err) {
            errno = -err;
            return 0;
        }
    }
    uint32_t i = free_head;
    free_head = slots[i].next_free;
    if (!free_head)
        free_tail = 0;
    slots[i].obj = obj;
    ovio__obj_ref(obj);
    return ((ovio_handle)(slots[i].gen & GEN_MASK) << GEN_SHIFT) | ((ovio_handle)i << SLOT_SHIFT);
}

static struct slot *lookup(ovio_handle h)
{
    if (h & ((1u << SLOT_SHIFT) - 1) || h >> (GEN_SHIFT + 7))
        return NULL;
    uint32_t i = (uint32_t)(h >> SLOT_SHIFT) & ((1u << SLOT_BITS) - 1);
    uint32_t gen = (uint32_t)(h >> GEN_SHIFT) & GEN_MASK;
    if (i == 0 || i >= nslots || !slots[i].obj || (slots[i].gen & GEN_MASK) != gen)
        return NULL;
    return &slots[i];
}

struct ovio__object *ovio__handle_get(ovio_handle h, int type)
{
    if (h == OVIO_CURRENT_THREAD && (!type || type == OVIO__OBJ_THREAD)) {
        struct ovio__thread *t = ovio__self();
        if (!t)
            return NULL;
        ovio__obj_ref(&t->obj);
        return &t->obj;
    }
    struct slot *s = lookup(h);
    if (!s || (type && s->obj->type != type))
        return NULL;
    ovio__obj_ref(s->obj);
    return s->obj;
}

int ovio__handle_close(ovio_handle h)
{
    struct slot *s = lookup(h);
    if (!s)
        return -EBADF;
    struct ovio__object *o = s->obj;
    uint32_t i = (uint32_t)(s - slots);
    s->obj = NULL;
    s->closed_type = o->type;
    s->gen++;
    s->next_free = 0;
    if (free_tail)
        slots[free_tail].next_free = i;
    else
        free_head = i;
    free_tail = i;
    int type = o->type;
    if (type == OVIO__OBJ_PORT)
        ovio__port_close(o);
    ovio__obj_unref(o);
    return type;
}

void ovio__handle_close_all(int type)
{
    for (uint32_t i = 1; i < nslots; i++)
        if (slots[i].obj && slots[i].obj->type == type)
            ovio__handle_close(((ovio_handle)(slots[i].gen & GEN_MASK) << GEN_SHIFT) |
                               ((ovio_handle)i << SLOT_SHIFT));
}

bool ovio__handle_was(ovio_handle h, int type)
{
    if (h & ((1u << SLOT_SHIFT) - 1) || h >> (GEN_SHIFT + 7))
        return false;
    uint32_t i = (uint32_t)(h >> SLOT_SHIFT) & ((1u << SLOT_BITS) - 1);
    uint32_t gen = (uint32_t)(h >> GEN_SHIFT) & GEN_MASK;
    if (i == 0 || i >= nslots)
        return false;
    if (slots[i].obj && (slots[i].gen & GEN_MASK) == gen)
        return slots[i].obj->type == type;
    return ((gen + 1) & GEN_MASK) == (slots[i].gen & GEN_MASK) && slots[i].closed_type == type;
}
