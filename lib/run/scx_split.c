/* SPDX-License-Identifier: MIT */
/* Shell-like command-line splitting (no expansion) for --scheduler 'CMD ARGS'. */
#include "scx_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SPLIT_MAX_INPUT 65536 /* 64 KiB */
#define SPLIT_MAX_WORDS 4096

void ctprof_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int ctprof_split_cmdline(const char *line, char ***argv_out, struct ctprof_error *err)
{
	char **argv = NULL;
	char *word = NULL;
	size_t n, argc = 0, wl = 0;
	const char *p;
	int rc;

	if (!line)
		return ctprof_err(err, -EINVAL, "command line: split: no command");
	n = strnlen(line, SPLIT_MAX_INPUT + 1);
	if (n > SPLIT_MAX_INPUT)
		return ctprof_err(err, -E2BIG, "command line: split: longer than %d bytes",
				  SPLIT_MAX_INPUT);
	/* A word is never longer than the input; argv never longer than n/2+2. */
	word = ctprof_malloc(n + 1);
	argv = ctprof_calloc(n / 2 + 2, sizeof(*argv));
	if (!word || !argv) {
		rc = ctprof_err(err, -ENOMEM, "command line: split: out of memory");
		goto fail;
	}
	p = line;
	for (;;) {
		bool in_word = false;

		while (*p && is_blank(*p))
			p++;
		if (!*p)
			break;
		wl = 0;
		while (*p && !is_blank(*p)) {
			in_word = true;
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');

				if (!q) {
					rc = ctprof_err(err, -EINVAL,
							"command line: split: unterminated single quote at offset %zu",
							(size_t)(p - line));
					goto fail;
				}
				memcpy(word + wl, p + 1, (size_t)(q - p - 1));
				wl += (size_t)(q - p - 1);
				p = q + 1;
			} else if (*p == '"') {
				const char *start = p;

				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
						if (p[1] != '\n')
							word[wl++] = p[1];
						p += 2;
					} else {
						word[wl++] = *p++;
					}
				}
				if (*p != '"') {
					rc = ctprof_err(err, -EINVAL,
							"command line: split: unterminated double quote at offset %zu",
							(size_t)(start - line));
					goto fail;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					rc = ctprof_err(err, -EINVAL,
							"command line: split: trailing backslash");
					goto fail;
				}
				if (p[1] != '\n')
					word[wl++] = p[1];
				p += 2;
			} else {
				word[wl++] = *p++;
			}
		}
		if (!in_word)
			continue;
		if (argc >= SPLIT_MAX_WORDS) {
			rc = ctprof_err(err, -E2BIG, "command line: split: more than %d words",
					SPLIT_MAX_WORDS);
			goto fail;
		}
		argv[argc] = ctprof_strndup(word, wl);
		if (!argv[argc]) {
			rc = ctprof_err(err, -ENOMEM, "command line: split: out of memory");
			goto fail;
		}
		argc++;
	}
	if (argc == 0) {
		rc = ctprof_err(err, -EINVAL, "command line: split: no command");
		goto fail;
	}
	free(word);
	*argv_out = argv;
	return 0;
fail:
	free(word);
	ctprof_argv_free(argv);
	return rc;
}
