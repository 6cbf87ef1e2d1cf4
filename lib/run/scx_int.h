/* SPDX-License-Identifier: MIT */
/* Internal helpers of the sched_ext swap (lib/run/scx*.c). */
#ifndef CTPROF_LIB_RUN_SCX_INT_H
#define CTPROF_LIB_RUN_SCX_INT_H

#include <ctprof/run.h>
#include "../util/util.h"

/* Largest sysfs attribute read (state, ops, enable_seq). */
#define CTPROF_SCX_ATTR_MAX 4096

/* What one read of <sys_root>/kernel/sched_ext shows. */
struct ctprof_scx_sysfs {
	bool present;        /* the directory exists */
	char state[32];      /* trimmed, "" when unreadable */
	char ops[256];       /* trimmed root/ops, "" when absent */
	uint64_t enable_seq; /* 0 when unreadable or malformed */
	bool seq_valid;
};

/* Read state, root/ops and enable_seq under dir (".../kernel/sched_ext"). */
CTPROF_HIDDEN void ctprof_scx_read_sysfs(const char *dir, struct ctprof_scx_sysfs *out);

/*
 * The last at most max bytes of the file at path, starting at a line
 * boundary when the file is longer, invalid UTF-8 replaced; a malloc'd
 * string ("" for an empty file) or NULL with errno set.
 */
CTPROF_HIDDEN char *ctprof_scx_log_tail(const char *path, size_t max);

#endif
