/* SPDX-License-Identifier: MIT */
/*
 * Snapshot files: bounded zstd decompression on load, and an atomic write
 * (temporary file in the same directory, fsync, rename, fsync of the
 * directory) that never leaves a torn snapshot or a stray temporary file.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ZSTD_customMem: zstd allocates through ctprof_malloc (failure injection) */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>

#include "codec.h"

/*
 * A legitimate payload of at most CTPROF_MAX_DECOMPRESSED_BYTES compresses
 * to about that size at worst (zstd's bound adds under 1%); a compressed
 * input twice the cap can only be padding (e.g. skippable frames).
 */
#define MAX_COMPRESSED_BYTES ((unsigned long long)CTPROF_MAX_DECOMPRESSED_BYTES * 2)

static const char cap_msg[] =
	"zstd-decompressed payload exceeds the 268435456-byte cap (decompression-bomb guard)";

_Static_assert(CTPROF_MAX_DECOMPRESSED_BYTES == 268435456, "cap_msg names the cap");

static void *zstd_alloc(void *opaque, size_t n)
{
	(void)opaque;
	return ctprof_malloc(n);
}

static void zstd_free(void *opaque, void *p)
{
	(void)opaque;
	free(p);
}

static const ZSTD_customMem zstd_mem = { zstd_alloc, zstd_free, NULL };

/* A zstd error code as a negative errno: ENOMEM for its allocation failures. */
static int zstd_errno(size_t ret, int other)
{
	return ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation ? -ENOMEM : other;
}

/* ---- load ---- */

static int decompress_fd(int fd, const char *path, off_t fsize, char **out, size_t *out_len,
			 struct ctprof_error *err)
{
	const size_t limit = CTPROF_MAX_DECOMPRESSED_BYTES + 1;
	size_t in_cap = ZSTD_DStreamInSize(), olen = 0, ocap = 0, last = 0;
	unsigned long long total_in = 0;
	ZSTD_DCtx *dctx = ZSTD_createDCtx_advanced(zstd_mem);
	char *in = ctprof_malloc(in_cap), *ob = NULL;
	int rc = 0;

	if (!dctx || !in) {
		rc = ctprof_err(err, -ENOMEM, "%s: zstd decompress: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, in, in_cap);
		ZSTD_inBuffer ib;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = ctprof_err(err, -errno, "%s: read: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		total_in += (size_t)r;
		if (total_in > MAX_COMPRESSED_BYTES) {
			rc = ctprof_err(err, -EFBIG, "%s: read: compressed file exceeds %llu bytes",
					path, MAX_COMPRESSED_BYTES);
			goto out;
		}
		ib.src = in;
		ib.size = (size_t)r;
		ib.pos = 0;
		if (!ob) {
			/*
			 * The writer pledges the payload size, so the frame header
			 * usually states it: one buffer of exactly that (+1, so that
			 * the end of the frame never needs a bigger one). Otherwise
			 * guess 16:1 and grow.
			 */
			unsigned long long fcs = ZSTD_getFrameContentSize(in, (size_t)r);

			if (fcs < limit)
				ocap = (size_t)fcs + 1;
			else if (fsize > 0 && (unsigned long long)fsize < limit / 16)
				ocap = (size_t)fsize * 16;
			else
				ocap = limit;
			if (ocap < 65536)
				ocap = 65536;
			ob = ctprof_malloc(ocap);
			if (!ob) {
				rc = ctprof_err(err, -ENOMEM, "%s: zstd decompress: out of memory",
						path);
				goto out;
			}
		}
		while (ib.pos < ib.size) {
			ZSTD_outBuffer obuf;

			if (olen == ocap) {
				/* ocap < limit here: olen == limit already failed below */
				size_t ncap = ocap > limit / 2 ? limit : ocap * 2;
				char *nb = ctprof_realloc(ob, ncap);

				if (!nb) {
					rc = ctprof_err(err, -ENOMEM, "%s: zstd decompress: out of memory",
							path);
					goto out;
				}
				ob = nb;
				ocap = ncap;
			}
			obuf.dst = ob + olen;
			obuf.size = ocap - olen;
			obuf.pos = 0;
			last = ZSTD_decompressStream(dctx, &obuf, &ib);
			if (ZSTD_isError(last)) {
				rc = ctprof_err(err, zstd_errno(last, -EBADMSG), "%s: zstd decompress: %s",
						path, ZSTD_getErrorName(last));
				goto out;
			}
			olen += obuf.pos;
			if (olen > CTPROF_MAX_DECOMPRESSED_BYTES) {
				rc = ctprof_err(err, -EFBIG, "%s: zstd decompress: %s", path, cap_msg);
				goto out;
			}
		}
	}
	if (!total_in) {
		rc = ctprof_err(err, -EBADMSG, "%s: zstd decompress: empty file", path);
		goto out;
	}
	if (last != 0) {
		rc = ctprof_err(err, -EBADMSG, "%s: zstd decompress: truncated zstd frame", path);
		goto out;
	}
	*out = ob;
	*out_len = olen;
	ob = NULL;
out:
	free(ob);
	free(in);
	ZSTD_freeDCtx(dctx);
	return rc;
}

CTPROF_API int ctprof_snapshot_load(const char *path, struct ctprof_snapshot **out,
				    struct ctprof_error *err)
{
	struct ctprof_snapshot *snap;
	struct stat st;
	char *json = NULL;
	size_t len = 0;
	int fd, rc;

	if (!path || !out)
		return ctprof_err(err, -EINVAL, "%s: read: invalid argument", path ? path : "(null)");
	/* O_NONBLOCK: opening a FIFO must not block; it is refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ctprof_err(err, -errno, "%s: read: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		rc = ctprof_err(err, -errno, "%s: read: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (S_ISDIR(st.st_mode))
			return ctprof_err(err, -EISDIR, "%s: read: %s", path, strerror(EISDIR));
		return ctprof_err(err, -EINVAL, "%s: read: not a regular file", path);
	}
	rc = decompress_fd(fd, path, st.st_size, &json, &len, err);
	close(fd);
	if (rc)
		return rc;
	rc = ctprof_snapshot_from_json(json, len, path, &snap, err);
	free(json);
	if (rc)
		return rc;
	*out = snap;
	return 0;
}

int ctprof_snapshot_load_buf(const void *data, size_t size, const char *name,
			     struct ctprof_snapshot **out, struct ctprof_error *err)
{
	struct ctprof_snapshot *snap;
	const char *p = data;
	char *json = NULL;
	size_t len = 0, done = 0;
	int fd, rc;

	if (!name || !out || (!data && size))
		return ctprof_err(err, -EINVAL, "%s: read: invalid argument", name ? name : "(null)");
	/* the bytes go through exactly the file path's bounded decompression */
	fd = memfd_create("ctprof-snapshot", MFD_CLOEXEC);
	if (fd < 0)
		return ctprof_err(err, -errno, "%s: read: memfd_create: %s", name, strerror(errno));
	while (done < size) {
		ssize_t w = write(fd, p + done, size - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = ctprof_err(err, w < 0 ? -errno : -EIO, "%s: read: memfd write: %s", name,
					strerror(w < 0 ? errno : EIO));
			close(fd);
			return rc;
		}
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		rc = ctprof_err(err, -errno, "%s: read: lseek: %s", name, strerror(errno));
		close(fd);
		return rc;
	}
	rc = decompress_fd(fd, name, (off_t)size, &json, &len, err);
	close(fd);
	if (rc)
		return rc;
	rc = ctprof_snapshot_from_json(json, len, name, &snap, err);
	free(json);
	if (rc)
		return rc;
	*out = snap;
	return 0;
}

/* ---- atomic write ---- */

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* zstd level 3, streamed to fd in ZSTD_CStreamOutSize() chunks. */
static int compress_to_fd(int fd, const char *path, const char *json, size_t len,
			  struct ctprof_error *err)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx_advanced(zstd_mem);
	size_t ocap = ZSTD_CStreamOutSize(), ret;
	char *ob = ctprof_malloc(ocap);
	ZSTD_inBuffer in = { json, len, 0 };
	int rc = 0;

	if (!cctx || !ob) {
		rc = ctprof_err(err, -ENOMEM, "%s: zstd compress: out of memory", path);
		goto out;
	}
	ret = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, CTPROF_ZSTD_LEVEL);
	if (!ZSTD_isError(ret))
		ret = ZSTD_CCtx_setPledgedSrcSize(cctx, len);
	if (ZSTD_isError(ret)) {
		rc = ctprof_err(err, zstd_errno(ret, -EINVAL), "%s: zstd compress: %s", path,
				ZSTD_getErrorName(ret));
		goto out;
	}
	do {
		ZSTD_outBuffer o = { ob, ocap, 0 };

		ret = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
		if (ZSTD_isError(ret)) {
			rc = ctprof_err(err, zstd_errno(ret, -EINVAL), "%s: zstd compress: %s", path,
					ZSTD_getErrorName(ret));
			goto out;
		}
		rc = write_all(fd, ob, o.pos);
		if (rc) {
			ctprof_err(err, rc, "%s: write: %s", path, strerror(-rc));
			goto out;
		}
	} while (ret != 0);
out:
	free(ob);
	ZSTD_freeCCtx(cctx);
	return rc;
}

/* Six characters from [A-Za-z0-9], like mkstemp's XXXXXX. */
static void rand_suffix(char *s)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid() << 32 ^
		    (uint64_t)(uintptr_t)s;
		for (i = 0; i < sizeof(r); i++, x >>= 8)
			r[i] = (unsigned char)x;
	}
	for (i = 0; i < sizeof(r); i++)
		s[i] = set[r[i] % (sizeof(set) - 1)];
}

/* Longest part of the target's name copied into the temporary name. */
#define TMP_BASE_MAX 200

/*
 * Create ".NAME.XXXXXX" next to path with O_EXCL and mode 0644, so that the
 * umask applies as for any new file (mkstemp would give 0600).
 */
static int create_temp(const char *path, char **tmp_out)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dlen;
	size_t blen = strlen(base);
	char *tmp;
	int tries, fd = -1;

	if (blen > TMP_BASE_MAX)
		blen = TMP_BASE_MAX;
	tmp = ctprof_malloc(dlen + 1 + blen + 1 + 6 + 1);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, path, dlen);
	tmp[dlen] = '.';
	memcpy(tmp + dlen + 1, base, blen);
	tmp[dlen + 1 + blen] = '.';
	tmp[dlen + 1 + blen + 1 + 6] = '\0';
	for (tries = 0; tries < 100; tries++) {
		rand_suffix(tmp + dlen + 1 + blen + 1);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int e = errno;

		free(tmp);
		return -e;
	}
	*tmp_out = tmp;
	return fd;
}

/* The directory that holds path (malloc'd), or NULL on ENOMEM. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return ctprof_strdup(".");
	if (slash == path)
		return ctprof_strdup("/");
	return ctprof_strndup(path, (size_t)(slash - path));
}

/*
 * fsync the directory, so that the rename is durable. Allocates nothing:
 * once the rename is done, running out of memory must not fail the write.
 */
static int sync_dir(const char *dir)
{
	int fd, rc = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* some filesystems cannot sync a directory; that is not a failure */
	if (fsync(fd) && errno != EINVAL && errno != EROFS)
		rc = -errno;
	close(fd);
	return rc;
}

/*
 * Signals whose default action ends the process and that people send to
 * stop a program: held (blocked in the calling thread) from the creation
 * of the temporary file until it is renamed or removed, so that Ctrl-C or
 * a SIGTERM never leaves it behind. A held signal is delivered when the
 * mask is restored: the target is then either complete or untouched.
 */
static void hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

typedef int (*fill_fn)(int fd, const char *path, const char *data, size_t len,
		       struct ctprof_error *err);

/* A file that is not compressed (reports: JUnit, TAP, JSON). */
static int fill_plain(int fd, const char *path, const char *data, size_t len,
		      struct ctprof_error *err)
{
	int rc = write_all(fd, data, len);

	if (rc)
		return ctprof_err(err, rc, "%s: write: %s", path, strerror(-rc));
	return 0;
}

/* Reject what can never be written: no name, a name ending in '/', a directory. */
static int check_target(const char *path, struct ctprof_error *err)
{
	struct stat st;
	size_t plen;

	if (!path || !*path)
		return ctprof_err(err, -EINVAL, "%s: write: invalid argument", path ? path : "(null)");
	plen = strlen(path);
	if (path[plen - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return ctprof_err(err, -EISDIR, "%s: write: %s", path, strerror(EISDIR));
	return 0;
}

/* Temporary file in the same directory, fill, fsync, rename, fsync of the directory. */
static int write_atomic(const char *path, fill_fn fill, const char *data, size_t len,
			struct ctprof_error *err)
{
	char *tmp = NULL, *dir;
	sigset_t old;
	int fd, rc;

	dir = dir_of(path);
	if (!dir)
		return ctprof_err(err, -ENOMEM, "%s: write: out of memory", path);
	hold_signals(&old);
	fd = create_temp(path, &tmp);
	if (fd < 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		free(dir);
		return ctprof_err(err, fd, "%s: create temporary file: %s", path, strerror(-fd));
	}
	rc = fill(fd, path, data, len, err);
	if (!rc && fsync(fd))
		rc = ctprof_err(err, -errno, "%s: fsync: %s", path, strerror(errno));
	if (close(fd) && !rc)
		rc = ctprof_err(err, -errno, "%s: close: %s", path, strerror(errno));
	if (!rc && rename(tmp, path))
		rc = ctprof_err(err, -errno, "%s: rename: %s", path, strerror(errno));
	if (rc)
		unlink(tmp); // NOLINT(clang-analyzer-core.NonNullParamChecker): fd >= 0 implies tmp is set
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(tmp);
	if (rc) {
		free(dir);
		return rc;
	}
	rc = sync_dir(dir);
	free(dir);
	if (rc)
		return ctprof_err(err, rc, "%s: fsync directory: %s", path, strerror(-rc));
	return 0;
}

CTPROF_API int ctprof_snapshot_write(const struct ctprof_snapshot *snap, const char *path,
				     struct ctprof_error *err)
{
	char *json = NULL;
	size_t len = 0;
	int rc;

	if (!snap)
		return ctprof_err(err, -EINVAL, "%s: write: invalid argument", path ? path : "(null)");
	rc = check_target(path, err);
	if (rc)
		return rc;
	rc = ctprof_snapshot_to_json(snap, &json, &len, err);
	if (rc) {
		ctprof_err_prefix(err, "%s", path);
		return rc;
	}
	rc = write_atomic(path, compress_to_fd, json, len, err);
	free(json);
	return rc;
}

CTPROF_API int ctprof_file_write_atomic(const char *path, const void *data, size_t len,
					struct ctprof_error *err)
{
	int rc;

	if (!data && len)
		return ctprof_err(err, -EINVAL, "%s: write: invalid argument", path ? path : "(null)");
	rc = check_target(path, err);
	if (rc)
		return rc;
	return write_atomic(path, fill_plain, data ? data : "", len, err);
}
