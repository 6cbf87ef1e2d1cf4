/* SPDX-License-Identifier: MIT */
/* Internal helpers of the workload cgroup (lib/run/cgroup.c). */
#ifndef CTPROF_LIB_RUN_WCG_INT_H
#define CTPROF_LIB_RUN_WCG_INT_H

#include <ctprof/run.h>
#include "../util/util.h"

/* Leaf names tried per create: <prefix>-<pid>-0 .. -(CTPROF_WCG_NAME_TRIES-1). */
#define CTPROF_WCG_NAME_TRIES 1024u
/* Largest leaf-name prefix accepted (a cgroup name is at most NAME_MAX). */
#define CTPROF_WCG_PREFIX_MAX 200u
/* Nested cgroups the workload may create under the leaf: depth and count walked. */
#define CTPROF_WCG_WALK_DEPTH 32u
#define CTPROF_WCG_WALK_DIRS 4096u

/*
 * The cgroup v2 path of a /proc/PID/cgroup text: the bytes after the first
 * "0::" line, up to the newline, taken literally (the kernel does not
 * escape them, so spaces and backslashes are part of the name). v1 lines
 * ("4:memory:/x", "1:name=systemd:/") are skipped. *out is malloc'd.
 * Returns 0; -ENOENT when there is no "0::" line (a v1-only host);
 * -EINVAL when the path is empty, relative, has "//" at its start, a ".."
 * component or a NUL byte; -ENOMEM.
 */
CTPROF_HIDDEN int ctprof_wcg_parse_own(const char *buf, size_t len, char **out);

/* cpu.stat: usage_usec, user_usec and system_usec must all be present and
 * be decimal u64; other keys are ignored. 0 or -EINVAL. */
CTPROF_HIDDEN int ctprof_wcg_parse_cpu_stat(const char *buf, size_t len,
					    struct ctprof_wcg_cpu *out);

/* cgroup.events: the "populated 0|1" line. 0 or -EINVAL. */
CTPROF_HIDDEN int ctprof_wcg_parse_populated(const char *buf, size_t len, bool *populated);

/*
 * cgroup.procs: one decimal pid (1..INT_MAX) per line; blank lines are
 * ignored. The result is sorted and deduplicated (the kernel may list a pid
 * twice when it moved out and back while the file was read); malloc'd, NULL
 * with *n 0 when empty. 0, -EINVAL for a malformed line, or -ENOMEM.
 */
CTPROF_HIDDEN int ctprof_wcg_parse_pids(const char *buf, size_t len, int **pids, size_t *n);

/*
 * Tests: make ctprof_wcg_kill() behave as on a kernel without cgroup.kill
 * (freeze if possible, then SIGKILL every member pid until none is left).
 */
CTPROF_HIDDEN void ctprof_wcg_set_no_cgroup_kill(struct ctprof_wcg *c, bool on);

#endif
