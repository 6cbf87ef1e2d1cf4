/* SPDX-License-Identifier: MIT */
/* PSI files (spec/snapshot-and-capture.md §3.5), host and per cgroup. */
#include "parse.h"
#include "parse_text.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* "N.NN" → N*100 + NN (fraction padded/cut to 2 digits), saturating. */
static uint16_t centi_percent(struct ctprof_span s)
{
	struct ctprof_span ip, fp;
	uint32_t i, f = 0;
	uint64_t v;

	if (!ctprof_split_once(s, '.', &ip, &fp)) {
		ip = s;
		fp = ctprof_span_of(s.p + s.n, 0);
	}
	if (!ctprof_num_u32(ip, &i))
		return 0;
	if (fp.n) {
		char pad[2] = { '0', '0' };

		memcpy(pad, fp.p, fp.n < 2 ? fp.n : 2);
		if (!ctprof_num_u32(ctprof_span_of(pad, 2), &f))
			f = 0;
	}
	v = (uint64_t)i * 100 + f;
	return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

void ctprof_parse_psi(const char *buf, size_t len, struct ctprof_psi_resource *out)
{
	struct ctprof_span line, tok, key, val;
	size_t pos = 0, tpos;

	while (ctprof_next_line(buf, len, &pos, &line)) {
		struct ctprof_psi_half *h;
		uint64_t v;

		tpos = 0;
		if (!ctprof_next_token(line, &tpos, false, &tok))
			continue;
		if (ctprof_span_eq(tok, "some"))
			h = &out->some;
		else if (ctprof_span_eq(tok, "full"))
			h = &out->full;
		else
			continue;
		while (ctprof_next_token(line, &tpos, false, &tok)) {
			if (!ctprof_split_once(tok, '=', &key, &val))
				continue;
			if (ctprof_span_eq(key, "avg10"))
				h->avg10 = centi_percent(val);
			else if (ctprof_span_eq(key, "avg60"))
				h->avg60 = centi_percent(val);
			else if (ctprof_span_eq(key, "avg300"))
				h->avg300 = centi_percent(val);
			else if (ctprof_span_eq(key, "total"))
				h->total_usec = ctprof_num_u64(val, &v) ? v : 0;
		}
	}
}

void ctprof_read_psi_files(int dirfd, const char *const names[4], struct ctprof_psi *out,
			   struct ctprof_buf *buf)
{
	struct ctprof_psi_resource *res[4] = { &out->cpu, &out->memory, &out->io, &out->irq };
	int i;

	for (i = 0; i < 4; i++) {
		memset(res[i], 0, sizeof(*res[i]));
		if (dirfd < 0)
			continue;
		if (ctprof_read_file_at(dirfd, names[i], buf, CTPROF_READ_MAX) == 0)
			ctprof_parse_psi(buf->data, buf->len, res[i]);
	}
}

int ctprof_read_host_psi(const char *proc_root, struct ctprof_psi *out)
{
	static const char *const names[4] = { "cpu", "memory", "io", "irq" };
	struct ctprof_buf buf = { 0 };
	int root, dir = -1, rc;

	root = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root >= 0) {
		dir = openat(root, "pressure", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(root);
	}
	ctprof_read_psi_files(dir, names, out, &buf);
	if (dir >= 0)
		close(dir);
	rc = buf.oom ? -ENOMEM : 0;
	ctprof_buf_free(&buf);
	return rc;
}
