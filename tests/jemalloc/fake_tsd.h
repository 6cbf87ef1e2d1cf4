/* SPDX-License-Identifier: MIT */
/*
 * A TLS variable of the same shape as jemalloc's tsd (the names the probe
 * looks for: symbol je_tsd_tls, struct tsd_s, the two counter members with
 * the "cant_access_tsd_items_directly_use_a_getter_or_setter_" prefix), so
 * that a test program is its own probe target. Another TLS variable comes
 * first so that st_value is not 0 and the TLS block is larger than tsd_s.
 * Include in exactly one translation unit of a program built with -g.
 */
#ifndef CTPROF_TESTS_FAKE_TSD_H
#define CTPROF_TESTS_FAKE_TSD_H

#include <stdint.h>

struct tsd_s {
	uint64_t state_and_friends[5];
	uint64_t cant_access_tsd_items_directly_use_a_getter_or_setter_thread_allocated;
	uint64_t cant_access_tsd_items_directly_use_a_getter_or_setter_thread_allocated_next_event_fast;
	uint64_t cant_access_tsd_items_directly_use_a_getter_or_setter_thread_deallocated;
	uint64_t more[3];
};

__attribute__((used, aligned(64))) __thread char fake_tsd_other_tls[200] = { 1 };
__attribute__((used)) __thread struct tsd_s je_tsd_tls;

#define FAKE_TSD_OFF_ALLOC 40u
#define FAKE_TSD_OFF_DEALLOC 56u

static inline void fake_tsd_set(uint64_t a, uint64_t d)
{
	*(volatile uint64_t *)&je_tsd_tls.cant_access_tsd_items_directly_use_a_getter_or_setter_thread_allocated = a;
	*(volatile uint64_t *)&je_tsd_tls
		 .cant_access_tsd_items_directly_use_a_getter_or_setter_thread_allocated_next_event_fast =
		0xdeadbeefcafef00dull;
	*(volatile uint64_t *)&je_tsd_tls.cant_access_tsd_items_directly_use_a_getter_or_setter_thread_deallocated = d;
}

#endif
