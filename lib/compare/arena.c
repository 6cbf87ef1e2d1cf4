/* SPDX-License-Identifier: MIT */
/* The compare engine's bump allocator and byte-string hash map. */
#include <errno.h>
#include <stdlib.h>

#include "cmp.h"

struct cp_chunk {
	struct cp_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define CP_CHUNK_DEFAULT ((size_t)256 * 1024)

void *cp_alloc(struct cp_arena *a, size_t n)
{
	struct cp_chunk *c = a->head;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (n == 0)
		n = 8;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CP_CHUNK_DEFAULT / 4 ? n : CP_CHUNK_DEFAULT;

		if (cap > SIZE_MAX - sizeof(*c)) {
			a->oom = true;
			return NULL;
		}
		c = ctprof_malloc(sizeof(*c) + cap);
		if (!c) {
			a->oom = true;
			return NULL;
		}
		c->used = 0;
		c->cap = cap;
		if (a->head && n > CP_CHUNK_DEFAULT / 4) {
			/* a big one-off: keep the current chunk at the head */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

void *cp_zalloc(struct cp_arena *a, size_t n)
{
	void *p = cp_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

char *cp_memdup(struct cp_arena *a, const char *s, size_t n)
{
	char *p = cp_alloc(a, n + 1);

	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *cp_strdup(struct cp_arena *a, const char *s)
{
	return cp_memdup(a, s, strlen(s));
}

void cp_arena_free(struct cp_arena *a)
{
	struct cp_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/* FNV-1a, 32-bit, then a final avalanche so that low bits spread. */
uint32_t cp_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	return h;
}

int cp_hmap_init(struct cp_hmap *h, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2 && cap < ((size_t)1 << 40))
		cap <<= 1;
	h->slots = ctprof_calloc(cap, sizeof(*h->slots));
	if (!h->slots)
		return -ENOMEM;
	h->cap = cap;
	h->n = 0;
	return 0;
}

void cp_hmap_free(struct cp_hmap *h)
{
	if (!h)
		return;
	free(h->slots);
	h->slots = NULL;
	h->cap = h->n = 0;
}

static struct cp_hslot *find_slot(struct cp_hslot *slots, size_t cap, const char *k, size_t len,
				  uint32_t hash)
{
	size_t mask = cap - 1, i = hash & mask;

	for (;;) {
		struct cp_hslot *s = &slots[i];

		if (!s->k)
			return s;
		if (s->hash == hash && s->len == len && memcmp(s->k, k, len) == 0)
			return s;
		i = (i + 1) & mask;
	}
}

uint32_t *cp_hmap_get(const struct cp_hmap *h, const char *k, size_t len)
{
	struct cp_hslot *s;

	if (!h->cap)
		return NULL;
	s = find_slot(h->slots, h->cap, k, len, cp_hash(k, len));
	return s->k ? &s->val : NULL;
}

static int grow(struct cp_hmap *h)
{
	size_t cap = h->cap * 2, i;
	struct cp_hslot *slots = ctprof_calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < h->cap; i++) {
		struct cp_hslot *o = &h->slots[i];

		if (o->k)
			*find_slot(slots, cap, o->k, o->len, o->hash) = *o;
	}
	free(h->slots);
	h->slots = slots;
	h->cap = cap;
	return 0;
}

uint32_t *cp_hmap_put(struct cp_hmap *h, const char *k, size_t len, uint32_t val, bool *inserted)
{
	uint32_t hash = cp_hash(k, len);
	struct cp_hslot *s;

	if (inserted)
		*inserted = false;
	if (len > UINT32_MAX)
		return NULL;
	if ((h->n + 1) * 4 > h->cap * 3 && grow(h) < 0)
		return NULL;
	s = find_slot(h->slots, h->cap, k, len, hash);
	if (!s->k) {
		s->k = k;
		s->len = (uint32_t)len;
		s->hash = hash;
		s->val = val;
		h->n++;
		if (inserted)
			*inserted = true;
	}
	return &s->val;
}
