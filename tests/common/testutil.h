/* SPDX-License-Identifier: MIT */
/* Helpers shared by unit and integration tests. */
#ifndef CTPROF_TESTUTIL_H
#define CTPROF_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* A fresh directory under $TMPDIR (or /tmp); malloc'd path. Aborts on failure. */
char *tu_mkdtemp(const char *tag);
/* rm -rf path (no symlink following). */
void tu_rmtree(const char *path);
/* Write a file (creating parent directories); aborts on failure. */
void tu_write_file(const char *path, const void *data, size_t len);
void tu_write_str(const char *path, const char *s);
/* printf-style path join into a malloc'd string. */
char *tu_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Read a whole file into a malloc'd NUL-terminated buffer; NULL if unreadable. */
char *tu_read_file(const char *path, size_t *len);
/* Path under the fixtures directory (malloc'd). */
char *tu_fixture(const char *rel);

/*
 * Run argv (argv[0] is a path), capturing stdout and stderr into malloc'd
 * strings (either pointer may be NULL to discard). Returns the exit status
 * (0..255), 128+signal when killed, or -1 if the program could not be run.
 * stdin is /dev/null. timeout_s bounds the run (SIGKILL on expiry).
 */
int tu_run(char *const argv[], char **out, char **errout, unsigned timeout_s);
struct ctprof_snapshot;
struct ctprof_thread;
struct ctprof_cgroup_stats;
/* The thread with this tid, or NULL. */
const struct ctprof_thread *tu_find_tid(const struct ctprof_snapshot *s, uint32_t tid);
/* The same, but a missing tid aborts the test with a message. */
const struct ctprof_thread *tu_get_tid(const struct ctprof_snapshot *s, uint32_t tid);
/* The stats of the cgroup with this path; a missing one aborts with a message. */
const struct ctprof_cgroup_stats *tu_get_cgroup(const struct ctprof_snapshot *s,
						const char *path);

/* The ctprof-harness binary under test. */
const char *tu_harness(void);

#endif
