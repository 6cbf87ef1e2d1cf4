/* SPDX-License-Identifier: MIT */
/* Global sched_ext sysfs attributes (spec/snapshot-and-capture.md §3.6). */
#include "parse.h"
#include "parse_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Trimmed u64; 0 when unreadable or malformed. */
static uint64_t read_u64(int dirfd, const char *name, struct ctprof_buf *buf)
{
	uint64_t v;

	if (dirfd < 0 || ctprof_read_file_at(dirfd, name, buf, CTPROF_READ_MAX))
		return 0;
	return ctprof_num_u64(ctprof_trim(ctprof_span_of(buf->data, buf->len)), &v) ? v : 0;
}

int ctprof_read_sched_ext(const char *sys_root, struct ctprof_sched_ext **out)
{
	struct ctprof_sched_ext *se;
	struct ctprof_buf buf = { 0 };
	struct stat st;
	char *path;
	int dir;

	*out = NULL;
	path = ctprof_malloc(strlen(sys_root) + sizeof("/kernel/sched_ext"));
	if (!path)
		return -ENOMEM;
	strcpy(path, sys_root);
	strcat(path, "/kernel/sched_ext");
	/* As ktstr's Path::exists(): anything that stat()s counts as present. */
	if (stat(path, &st) < 0) {
		free(path);
		return 0;
	}
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(path);
	se = ctprof_calloc(1, sizeof(*se));
	if (!se)
		goto oom;
	if (dir >= 0 && ctprof_read_file_at(dir, "state", &buf, CTPROF_READ_MAX) == 0)
		se->state = ctprof_text_trimmed(buf.data, buf.len);
	else
		se->state = ctprof_strdup("");
	if (!se->state || buf.oom)
		goto oom;
	se->switch_all = read_u64(dir, "switch_all", &buf);
	se->nr_rejected = read_u64(dir, "nr_rejected", &buf);
	se->hotplug_seq = read_u64(dir, "hotplug_seq", &buf);
	se->enable_seq = read_u64(dir, "enable_seq", &buf);
	if (dir >= 0)
		close(dir);
	ctprof_buf_free(&buf);
	*out = se;
	return 0;
oom:
	if (dir >= 0)
		close(dir);
	ctprof_buf_free(&buf);
	if (se)
		free(se->state);
	free(se);
	return -ENOMEM;
}
