/* SPDX-License-Identifier: MIT */
/* sched_ext sysfs reads and scheduler-log tails for the swap (lib/run/scx.c). */
#include "scx_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Read at most cap-1 bytes of dir/name into buf, trimmed of surrounding
 * whitespace; "" when unreadable. Returns false when the file is unreadable.
 */
static bool read_attr(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[PATH_MAX];
	size_t len = 0, b = 0;
	ssize_t r;
	int fd;

	buf[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	while (len + 1 < cap) {
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	/* An embedded NUL ends the value. */
	len = strlen(buf);
	while (len && strchr(" \t\r\n", buf[len - 1]))
		buf[--len] = '\0';
	while (b < len && strchr(" \t\r\n", buf[b]))
		b++;
	memmove(buf, buf + b, len - b + 1);
	return true;
}

void ctprof_scx_read_sysfs(const char *dir, struct ctprof_scx_sysfs *out)
{
	char tmp[64];
	struct stat st;

	memset(out, 0, sizeof(*out));
	out->present = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (!out->present)
		return;
	read_attr(dir, "state", out->state, sizeof(out->state));
	read_attr(dir, "root/ops", out->ops, sizeof(out->ops));
	if (read_attr(dir, "enable_seq", tmp, sizeof(tmp)))
		out->seq_valid = ctprof_parse_u64(tmp, strlen(tmp), &out->enable_seq);
	if (!out->seq_valid)
		out->enable_seq = 0;
}

char *ctprof_scx_log_tail(const char *path, size_t max)
{
	char *raw, *res, *start;
	size_t len = 0;
	off_t size, from;
	struct stat st;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	size = st.st_size;
	from = size > (off_t)max ? size - (off_t)max : 0;
	raw = ctprof_malloc(max + 1);
	if (!raw) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (len < max) {
		r = pread(fd, raw + len, max - len, from + (off_t)len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	raw[len] = '\0';
	start = raw;
	if (from > 0) {
		/* Cut to the first full line, unless there is none. */
		char *nl = memchr(raw, '\n', len);

		if (nl && nl + 1 < raw + len)
			start = nl + 1;
	}
	res = ctprof_utf8_lossy(start, len - (size_t)(start - raw));
	free(raw);
	if (!res)
		errno = ENOMEM;
	return res;
}
