/* SPDX-License-Identifier: MIT */
/*
 * libctprof — common definitions: errors, export macro, version.
 *
 * Every function that can fail returns 0 or a negative errno and, when the
 * caller passes one, fills a struct ctprof_error whose message names the
 * path and the step that failed ("x.ctprof.zst: zstd decompress: ...").
 */
#ifndef CTPROF_COMMON_H
#define CTPROF_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CTPROF_BUILDING_LIB)
#define CTPROF_API __attribute__((visibility("default")))
#else
#define CTPROF_API
#endif

#define CTPROF_VERSION_MAJOR 0
#define CTPROF_VERSION_MINOR 1
#define CTPROF_VERSION_PATCH 0
#define CTPROF_VERSION_STRING "0.1.0"

/* Size of the message buffer in struct ctprof_error. */
#define CTPROF_ERROR_MSG_MAX 1024

struct ctprof_error {
	int code;                       /* negative errno, 0 when unset */
	char msg[CTPROF_ERROR_MSG_MAX]; /* "PATH: STEP: CAUSE", one line */
};

/* Library version as "MAJOR.MINOR.PATCH". */
CTPROF_API const char *ctprof_version(void);

/*
 * Log callback. Library code never writes to stdout or stderr itself; it
 * hands lines (without trailing newline) to the callback installed here.
 * The default is silent. level: 0 error, 1 warning, 2 info, 3 debug.
 */
typedef void (*ctprof_log_fn)(int level, const char *line, void *ctx);
CTPROF_API void ctprof_set_log(ctprof_log_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_COMMON_H */
