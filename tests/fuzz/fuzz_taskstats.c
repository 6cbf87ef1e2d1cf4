/* SPDX-License-Identifier: MIT */
/*
 * The taskstats netlink reply parser (lib/taskstats/parse.c): a datagram
 * walked message by message as the exit listener does (ctprof_ts_parse_msg),
 * and as a TASKSTATS_CMD_GET reply (ctprof_ts_parse_reply).
 */
#include <errno.h>

#include "taskstats/taskstats_int.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);
	struct ctprof_taskstats ts;
	size_t off = 0;
	uint32_t tid = 0;
	int rc;

	if (!buf)
		return 0;
	while (size - off >= CTPROF_TS_NLMSG_HDRLEN) {
		struct ctprof_ts_msg m;
		size_t step;

		rc = ctprof_ts_parse_msg(buf + off, size - off, &m);
		FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EPROTO);
		if (rc)
			break;
		FUZZ_CHECK(m.len >= CTPROF_TS_NLMSG_HDRLEN && m.len <= size - off);
		if (!tid && m.has_pid)
			tid = m.pid;
		step = ((size_t)m.len + 3u) & ~(size_t)3u;
		if (step >= size - off)
			break;
		off += step;
	}
	memset(&ts, 0, sizeof(ts));
	rc = ctprof_ts_parse_reply(buf, size, tid, &ts);
	FUZZ_CHECK(rc <= 0);
	free(buf);
	return 0;
}
