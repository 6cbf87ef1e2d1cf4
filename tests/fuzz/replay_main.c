/* SPDX-License-Identifier: MIT */
/*
 * Replays inputs through a fuzz target without libFuzzer: every argument is
 * a file or a directory whose regular files (not starting with '.') are fed,
 * in name order, to LLVMFuzzerTestOneInput. A missing directory is skipped
 * (not every target has regressions); no input at all is a failure, so a
 * lost corpus cannot pass silently. A crash, sanitizer report or broken
 * invariant ends the process, which fails the test.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX_INPUT ((size_t)64 << 20)

static int replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t r;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 4096;
			if (cap > REPLAY_MAX_INPUT + 1)
				cap = REPLAY_MAX_INPUT + 1;
			if (len == cap) {
				fprintf(stderr, "replay: %s: larger than %zu bytes\n", path,
					REPLAY_MAX_INPUT);
				free(buf);
				fclose(f);
				return -1;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	{
		/* exactly len bytes, like libFuzzer, so over-reads are caught */
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	(*count)++;
	return 0;
}

static int filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int replay_path(const char *path, size_t *count)
{
	struct dirent **ents;
	struct stat st;
	int n, i, rc = 0;

	if (stat(path, &st)) {
		if (errno == ENOENT) {
			printf("replay: %s: absent, skipped\n", path);
			return 0;
		}
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	n = scandir(path, &ents, filter, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *sub;

		if (!rc) {
			if (asprintf(&sub, "%s/%s", path, ents[i]->d_name) < 0) {
				rc = -1;
			} else {
				if (!stat(sub, &st) && S_ISREG(st.st_mode) && replay_file(sub, count))
					rc = -1;
				free(sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count))
			return 1;
	printf("replay: %zu inputs, no crash\n", count);
	if (!count) {
		fprintf(stderr, "replay: no input found\n");
		return 1;
	}
	return 0;
}
