/* SPDX-License-Identifier: MIT */
/*
 * Where cgroup v2 is mounted, from /proc/self/mountinfo (DESIGN.md §4):
 * /sys/fs/cgroup on pure v2 hosts, /sys/fs/cgroup/unified on hybrid ones,
 * anywhere at all in containers.
 *
 * mountinfo lines (proc(5)):
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
 * ROOT and MOUNTPOINT escape space, tab, newline and backslash as \ooo.
 */
#include "capture_int.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* Split off the next space-separated field of [*p, end). */
static bool next_field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	if (s >= end)
		return false;
	e = s;
	while (e < end && *e != ' ')
		e++;
	*f = s;
	*n = (size_t)(e - s);
	*p = e;
	return true;
}

/* Undo the kernel's \ooo escapes (mangle_path / seq_escape). */
static char *unescape(const char *s, size_t n)
{
	char *out = ctprof_malloc(n + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
			continue;
		}
		*o++ = s[i];
	}
	*o = '\0';
	return out;
}

char *ctprof_mountinfo_cgroup2(const char *text, size_t len, bool *oom)
{
	const char *line = text, *end = text + len;
	const char *first = NULL, *rootfirst = NULL;
	size_t firstn = 0, rootfirstn = 0;
	char *path;

	*oom = false;
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p = line, *f, *mnt = NULL, *root = NULL;
		size_t n, mntn = 0, rootn = 0;
		int idx = 0;
		bool sep = false;

		if (!eol)
			eol = end;
		while (next_field(&p, eol, &f, &n)) {
			if (sep) {
				/* first field after " - ": the filesystem type */
				if (n == 7 && memcmp(f, "cgroup2", 7) == 0 && mnt) {
					if (!first) {
						first = mnt;
						firstn = mntn;
					}
					if (!rootfirst && rootn == 1 && root[0] == '/') {
						rootfirst = mnt;
						rootfirstn = mntn;
					}
				}
				break;
			}
			if (idx == 3) {
				root = f;
				rootn = n;
			} else if (idx == 4) {
				mnt = f;
				mntn = n;
			} else if (idx >= 6 && n == 1 && f[0] == '-') {
				sep = true;
			}
			idx++;
		}
		line = eol + 1;
	}
	/* Prefer a mount of the hierarchy's root: /proc/PID/cgroup paths are
	 * relative to it (bind mounts of sub-trees come second). */
	if (rootfirst) {
		first = rootfirst;
		firstn = rootfirstn;
	}
	if (!first)
		return NULL;
	path = unescape(first, firstn);
	if (!path)
		*oom = true;
	return path;
}

CTPROF_API int ctprof_find_cgroup2_mount(const char *mountinfo_path, char **out,
					 struct ctprof_error *err)
{
	struct ctprof_buf buf = { 0 };
	char *path;
	bool oom;
	int rc;

	if (!mountinfo_path || !out)
		return ctprof_err(err, -EINVAL, "find cgroup2 mount: no mountinfo path");
	rc = ctprof_read_file_at(AT_FDCWD, mountinfo_path, &buf, CTPROF_READ_MAX);
	if (rc) {
		ctprof_buf_free(&buf);
		return ctprof_err(err, rc, "%s: read mountinfo: %s", mountinfo_path, strerror(-rc));
	}
	path = ctprof_mountinfo_cgroup2(buf.data, buf.len, &oom);
	ctprof_buf_free(&buf);
	if (!path && oom)
		return ctprof_err(err, -ENOMEM, "%s: find cgroup2 mount: %s", mountinfo_path,
				  strerror(ENOMEM));
	if (!path)
		return ctprof_err(err, -ENOENT, "%s: find cgroup2 mount: no cgroup2 filesystem mounted",
				  mountinfo_path);
	*out = path;
	return 0;
}
