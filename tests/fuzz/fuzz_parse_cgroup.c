/* SPDX-License-Identifier: MIT */
/* /proc/PID/task/TID/cgroup (ctprof_parse_cgroup) and the path safety check. */
#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size), *path;

	if (!buf)
		return 0;
	path = ctprof_parse_cgroup(buf, size);
	if (path) {
		FUZZ_CHECK(ctprof_utf8_valid(path, strlen(path)));
		/* a path called safe has no ".." component and one leading '/' */
		if (ctprof_cgroup_path_safe(path)) {
			FUZZ_CHECK(path[0] == '/' && path[1] != '/');
			FUZZ_CHECK(strstr(path, "/../") == NULL);
			FUZZ_CHECK(strlen(path) < 3 ||
				   strcmp(path + strlen(path) - 3, "/..") != 0);
		}
	}
	free(path);
	free(buf);
	return 0;
}
