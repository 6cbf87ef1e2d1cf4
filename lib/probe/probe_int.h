/* SPDX-License-Identifier: MIT */
/* Internal interfaces of lib/probe. */
#ifndef CTPROF_LIB_PROBE_INT_H
#define CTPROF_LIB_PROBE_INT_H

#include <ctprof/probe.h>
#include "../util/util.h"

#include <libelf.h>

/* Longest maps file read by the slow path (bytes). */
#define CTPROF_PROBE_MAPS_MAX ((size_t)64 << 20)
/* Most distinct DSOs the slow path opens. */
#define CTPROF_PROBE_DSO_MAX 4096
/* Polling of the stop after PTRACE_INTERRUPT (spec: 1 ms for 250 ms). */
#define CTPROF_PROBE_WAIT_STEP_US 1000
#define CTPROF_PROBE_WAIT_MAX_US 250000
/* Extra wait before a second PTRACE_DETACH when the first found the thread running. */
#define CTPROF_PROBE_DETACH_WAIT_US 2000000

/* The EM_* of the build architecture, or 0 when the probe is unsupported. */
CTPROF_HIDDEN int ctprof_probe_host_machine(void);

/* True when name is "tsd_tls" or "<non-empty prefix>_tsd_tls". */
CTPROF_HIDDEN bool ctprof_probe_is_tls_name(const char *name);
/* True when name is "mallctl" or "<non-empty prefix>mallctl" ending in "_mallctl". */
CTPROF_HIDDEN bool ctprof_probe_is_mallctl_name(const char *name);

/*
 * Find the TLS symbol in elf (.symtab first, then .dynsym): 1 found (value
 * and a malloc'd name set), 0 not found, -ENOMEM.
 */
CTPROF_HIDDEN int ctprof_probe_find_tls_sym(Elf *elf, uint64_t *value, char **name);

/*
 * DWARF member offsets from one ELF file: 0, -ENOENT (no debug info or no
 * matching members), -EINVAL (bad form / order; msg set), -ENOMEM.
 */
CTPROF_HIDDEN int ctprof_probe_dwarf_offsets(Elf *elf, uint64_t *off_alloc, uint64_t *off_dealloc,
					     char *msg, size_t msglen);

/*
 * The .gnu_debuglink name (validated bare basename; malloc'd) and the
 * build-id as lowercase hex (malloc'd); each NULL when absent or invalid.
 */
CTPROF_HIDDEN int ctprof_probe_debug_refs(Elf *elf, char **debuglink, char **build_id_hex);

#endif
