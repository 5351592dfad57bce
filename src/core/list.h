/* Intrusive circular doubly linked lists: O(1) unlink from any position, no allocation. */
#ifndef OVIO_LIST_H
#define OVIO_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct ovio__list {
    struct ovio__list *next, *prev;
};

#define OVIO__CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void ovio__list_init(struct ovio__list *l)
{
    l->next = l->prev = l;
}

static inline bool ovio__list_empty(const struct ovio__list *l)
{
    return l->next == l;
}

/* A node that is in no list points at itself, so unlinking it twice is harmless. */
static inline bool ovio__list_linked(const struct ovio__list *n)
{
    return n->next != n;
}

static inline void ovio__list_push_back(struct ovio__list *l, struct ovio__list *n)
{
    n->prev = l->prev;
    n->next = l;
    l->prev->next = n;
    l->prev = n;
}

static inline void ovio__list_push_front(struct ovio__list *l, struct ovio__list *n)
{
    n->next = l->next;
    n->prev = l;
    l->next->prev = n;
    l->next = n;
}

static inline void ovio__list_remove(struct ovio__list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

static inline struct ovio__list *ovio__list_first(const struct ovio__list *l)
{
    return ovio__list_empty(l) ? NULL : l->next;
}

#define ovio__list_for_each_safe(pos, tmp, head)                                                   \
    for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); (pos) = (tmp), (tmp) = (pos)->next)

#endif
