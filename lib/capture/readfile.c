/* SPDX-License-Identifier: MIT */
/* The bounded, never-blocking file reader and lossy text decoding. */
#include "parse.h"
#include "parse_text.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* First buffer size: one read() for every typical procfs file. */
#define READ_INITIAL ((size_t)8192)

int ctprof_read_file_at(int dirfd, const char *name, struct ctprof_buf *buf, size_t max)
{
	struct stat st;
	int fd, ret = 0;

	buf->len = 0;
	if (buf->data)
		buf->data[0] = '\0';
	fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if (buf->cap < READ_INITIAL + 1 && ctprof_buf_reserve(buf, READ_INITIAL)) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		size_t room, want;
		ssize_t n;

		if (buf->len > max) {
			ret = -EFBIG;
			break;
		}
		if (buf->cap - buf->len <= 1 && ctprof_buf_reserve(buf, buf->cap)) {
			ret = -ENOMEM;
			break;
		}
		room = buf->cap - buf->len - 1;
		/* Never read more than max + 1 bytes in total. */
		want = (max < SIZE_MAX ? max + 1 : SIZE_MAX) - buf->len;
		if (want > room)
			want = room;
		n = read(fd, buf->data + buf->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		buf->len += (size_t)n;
	}
out:
	close(fd);
	if (ret)
		buf->len = 0;
	if (buf->data)
		buf->data[buf->len] = '\0';
	return ret;
}

char *ctprof_text_trimmed(const char *buf, size_t len)
{
	struct ctprof_span s = ctprof_trim(ctprof_span_of(buf ? buf : "", buf ? len : 0));

	return ctprof_utf8_lossy(s.p, s.n);
}
