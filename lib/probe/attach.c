/* SPDX-License-Identifier: MIT */
/*
 * Attach, once per tgid (spec §4.6.1): pid directory, exe link, maps, the
 * TLS symbol, PT_TLS, the architecture, and the DWARF member offsets
 * (the exe's own debug info, <root>/<exe>.debuginfo|.debug, the build-id
 * path, the .gnu_debuglink candidates, each under the target's root and
 * on the host). Without a TLS symbol in the exe, the slow path looks for
 * jemalloc in the mapped shared objects (jemalloc-in-dso).
 */
#include "probe_int.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

CTPROF_HIDDEN int ctprof_probe_exports_mallctl(Elf *elf);

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;
static void elf_init(void)
{
	elf_version(EV_CURRENT);
}

static const char *const tag_names[CTPROF_PROBE__COUNT] = {
	[CTPROF_PROBE_OK] = "ok",
	[CTPROF_PROBE_PID_MISSING] = "pid-missing",
	[CTPROF_PROBE_READLINK_FAILURE] = "readlink-failure",
	[CTPROF_PROBE_MAPS_READ_FAILURE] = "maps-read-failure",
	[CTPROF_PROBE_JEMALLOC_NOT_FOUND] = "jemalloc-not-found",
	[CTPROF_PROBE_JEMALLOC_IN_DSO] = "jemalloc-in-dso",
	[CTPROF_PROBE_ARCH_MISMATCH] = "arch-mismatch",
	[CTPROF_PROBE_DWARF_PARSE_FAILURE] = "dwarf-parse-failure",
	[CTPROF_PROBE_WORKER_PANIC] = "worker-panic",
	[CTPROF_PROBE_PTRACE_SEIZE] = "ptrace-seize",
	[CTPROF_PROBE_PTRACE_INTERRUPT] = "ptrace-interrupt",
	[CTPROF_PROBE_WAITPID] = "waitpid",
	[CTPROF_PROBE_GET_REGSET] = "get-regset",
	[CTPROF_PROBE_PROCESS_VM_READV] = "process-vm-readv",
	[CTPROF_PROBE_TLS_ARITHMETIC] = "tls-arithmetic",
};

CTPROF_API const char *ctprof_probe_tag_name(enum ctprof_probe_tag tag)
{
	if ((unsigned)tag >= CTPROF_PROBE__COUNT)
		return NULL;
	return tag_names[tag];
}

CTPROF_API bool ctprof_probe_tag_actionable(enum ctprof_probe_tag tag)
{
	return (unsigned)tag < CTPROF_PROBE__COUNT && tag != CTPROF_PROBE_OK &&
	       tag != CTPROF_PROBE_READLINK_FAILURE && tag != CTPROF_PROBE_JEMALLOC_NOT_FOUND;
}

CTPROF_API void ctprof_jemalloc_probe_free(struct ctprof_jemalloc_probe *p)
{
	if (!p)
		return;
	free(p->tls_sym_name);
	free(p->debug_path);
	free(p);
}

/* An open ELF file. */
struct elf_file {
	int fd;
	Elf *elf;
};

static void elf_close(struct elf_file *f)
{
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	f->elf = NULL;
	f->fd = -1;
}

/* 0, or a negative errno (-ENOEXEC when it is not an ELF file). */
static int elf_open(const char *path, struct elf_file *f)
{
	struct stat st;

	f->elf = NULL;
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st) || !S_ISREG(st.st_mode)) {
		elf_close(f);
		return -ENOEXEC;
	}
	f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
	if (!f->elf || elf_kind(f->elf) != ELF_K_ELF) {
		elf_close(f);
		return -ENOEXEC;
	}
	return 0;
}

/* Bounded read of a whole (proc) file into a malloc'd NUL-terminated buffer. */
static int read_text(const char *path, size_t max, char **out, size_t *len)
{
	struct ctprof_buf b = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (b.len >= max) {
			rc = -EFBIG;
			break;
		}
		if (ctprof_buf_reserve(&b, 65536)) {
			rc = -ENOMEM;
			break;
		}
		r = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
	}
	close(fd);
	if (rc) {
		ctprof_buf_free(&b);
		return rc;
	}
	if (ctprof_buf_reserve(&b, 1)) {
		ctprof_buf_free(&b);
		return -ENOMEM;
	}
	b.data[b.len] = '\0';
	*out = b.data;
	*len = b.len;
	return 0;
}

static int path_join(char *buf, size_t len, const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c ? c : "" };
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		size_t l = strlen(parts[i]);

		if (l >= len - n)
			return -ENAMETOOLONG;
		memcpy(buf + n, parts[i], l);
		n += l;
	}
	buf[n] = '\0';
	return 0;
}

/* The PT_TLS segment: 1 found, 0 none. */
static int find_pt_tls(Elf *elf, uint64_t *align, uint64_t *aligned_size)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n))
		return 0;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_TLS)
			continue;
		if (align) {
			uint64_t a = ph.p_align ? ph.p_align : 1;
			uint64_t r = ph.p_memsz % a;

			*align = a;
			if (r && ph.p_memsz > UINT64_MAX - (a - r))
				return 0;
			*aligned_size = r ? ph.p_memsz + (a - r) : ph.p_memsz;
		}
		return 1;
	}
	return 0;
}

struct cascade {
	struct ctprof_buf tried; /* "path (why); path (why); ..." */
	uint64_t a, d;
	char *found;             /* malloc'd path that gave the offsets */
	bool oom;
};

/* Try one file; true once the offsets are known (or on ENOMEM). */
static bool try_debug_file(struct cascade *c, const char *path, Elf *already_open)
{
	struct elf_file f = { .fd = -1 };
	char msg[256];
	int rc;

	if (c->tried.len)
		ctprof_buf_puts(&c->tried, "; ");
	ctprof_buf_puts(&c->tried, path);
	if (already_open) {
		f.elf = already_open;
	} else {
		rc = elf_open(path, &f);
		if (rc) {
			(void)snprintf(msg, sizeof(msg), " (%s)", strerror(-rc));
			ctprof_buf_puts(&c->tried, msg);
			return false;
		}
	}
	rc = ctprof_probe_dwarf_offsets(f.elf, &c->a, &c->d, msg, sizeof(msg));
	if (!already_open)
		elf_close(&f);
	if (rc == -ENOMEM) {
		c->oom = true;
		return true;
	}
	if (rc == 0) {
		c->found = ctprof_strdup(path);
		if (!c->found)
			c->oom = true;
		return true;
	}
	ctprof_buf_puts(&c->tried, " (");
	ctprof_buf_puts(&c->tried, msg);
	ctprof_buf_puts(&c->tried, ")");
	if (c->tried.oom)
		c->oom = true;
	return c->oom;
}

/* The DWARF cascade of §4.6.1 (without DWP). 0, -ENOENT, -ENOMEM. */
static int dwarf_cascade(struct cascade *c, const char *piddir, const char *exe, Elf *exe_elf,
			 const char *exe_open_path)
{
	char root[PATH_MAX], path[PATH_MAX], dir[PATH_MAX];
	char *link = NULL, *bid = NULL, *slash;
	const char *prefixes[2];
	int rc, dl;

	/* 1 and 4: the exe's own debug info (one full walk serves both). */
	if (try_debug_file(c, exe_open_path, exe_elf))
		goto out;
	if (path_join(root, sizeof(root), piddir, "/root", NULL))
		return -ENAMETOOLONG;
	prefixes[0] = root;
	prefixes[1] = "";
	/* 3. <root>/<exe>.debuginfo, <root>/<exe>.debug. */
	if (!path_join(path, sizeof(path), root, exe, ".debuginfo") && try_debug_file(c, path, NULL))
		goto out;
	if (!path_join(path, sizeof(path), root, exe, ".debug") && try_debug_file(c, path, NULL))
		goto out;
	rc = ctprof_probe_debug_refs(exe_elf, &link, &bid);
	if (rc)
		return rc;
	dl = snprintf(dir, sizeof(dir), "%s", exe);
	if (dl < 0 || (size_t)dl >= sizeof(dir))
		goto out; /* no directory to look in: not found */
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	for (int i = 0; i < 2; i++) {
		const char *pre = prefixes[i];
		const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";

		if (bid) {
			int n = snprintf(path, sizeof(path), "%s/usr/lib/debug/.build-id/%.2s/%s.debug", pre,
					 bid, bid + 2);

			if (n > 0 && (size_t)n < sizeof(path) && try_debug_file(c, path, NULL))
				goto out;
		}
		if (link) {
			int n = snprintf(path, sizeof(path), "%s%s%s%s", pre, dir, sep, link);

			if (n > 0 && (size_t)n < sizeof(path) && try_debug_file(c, path, NULL))
				goto out;
			n = snprintf(path, sizeof(path), "%s%s%s.debug/%s", pre, dir, sep, link);
			if (n > 0 && (size_t)n < sizeof(path) && try_debug_file(c, path, NULL))
				goto out;
			n = snprintf(path, sizeof(path), "%s/usr/lib/debug%s%s%s", pre, dir, sep, link);
			if (n > 0 && (size_t)n < sizeof(path) && try_debug_file(c, path, NULL))
				goto out;
		}
	}
out:
	free(link);
	free(bid);
	if (c->oom)
		return -ENOMEM;
	return c->found ? 0 : -ENOENT;
}

/*
 * The slow path: a mapped executable object other than the exe with the
 * TLS symbol (or stripped, with PT_TLS and a mallctl export). 1 found
 * (*dso set), 0 not, -ENOMEM.
 */
static int scan_dsos(const char *piddir, const char *exe, char *maps, char **dso)
{
	char **seen = NULL;
	size_t nseen = 0;
	char *line, *save = NULL;
	int found = 0;

	for (line = strtok_r(maps, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char perms[8], path[PATH_MAX];
		struct elf_file f;
		const char *p;
		size_t i;
		int field = 0;

		if (sscanf(line, "%*s %7s", perms) != 1 || strlen(perms) < 3 || perms[2] != 'x')
			continue;
		/* The path is the 6th field: skip five space-separated fields. */
		p = line;
		while (*p && field < 5) {
			while (*p && *p != ' ')
				p++;
			while (*p == ' ')
				p++;
			field++;
		}
		if (*p != '/' || strcmp(p, exe) == 0 || strstr(p, " (deleted)"))
			continue;
		for (i = 0; i < nseen && strcmp(seen[i], p) != 0; i++)
			;
		if (i < nseen)
			continue;
		if (nseen >= CTPROF_PROBE_DSO_MAX)
			break;
		{
			char **ns = ctprof_realloc(seen, (nseen + 1) * sizeof(*seen));

			if (!ns) {
				found = -ENOMEM;
				break;
			}
			seen = ns;
			seen[nseen++] = (char *)p;
		}
		if (path_join(path, sizeof(path), piddir, "/root", p))
			continue;
		if (elf_open(path, &f) && elf_open(p, &f))
			continue;
		if (ctprof_probe_find_tls_sym(f.elf, NULL, NULL) == 1 ||
		    (find_pt_tls(f.elf, NULL, NULL) && ctprof_probe_exports_mallctl(f.elf) == 1)) {
			*dso = ctprof_strdup(p);
			found = *dso ? 1 : -ENOMEM;
		}
		elf_close(&f);
	}
	free(seen);
	return found;
}

#define FAIL(t, code, ...)                                    \
	do {                                                  \
		*tag = (t);                                   \
		rc = ctprof_err(err, (code), __VA_ARGS__);    \
		goto out;                                     \
	} while (0)

CTPROF_API int ctprof_jemalloc_attach(const char *proc_root, int pid,
				      struct ctprof_jemalloc_probe **out,
				      enum ctprof_probe_tag *tag, struct ctprof_error *err)
{
	char piddir[PATH_MAX], path[PATH_MAX], exe[PATH_MAX];
	struct elf_file f = { .fd = -1 };
	struct cascade c = { 0 };
	struct ctprof_jemalloc_probe *p = NULL;
	struct stat st;
	char *maps = NULL, *dso = NULL;
	size_t maps_len;
	ssize_t n;
	int rc = 0, mach;
	GElf_Ehdr eh;

	*out = NULL;
	*tag = CTPROF_PROBE_OK;
	pthread_once(&elf_once, elf_init);
	if (!proc_root)
		proc_root = "/proc";
	if (pid <= 0)
		FAIL(CTPROF_PROBE_PID_MISSING, -ESRCH, "%s/%d: probe attach: not a process id", proc_root,
		     pid);
	if (snprintf(piddir, sizeof(piddir), "%s/%d", proc_root, pid) >= (int)sizeof(piddir))
		FAIL(CTPROF_PROBE_PID_MISSING, -ENAMETOOLONG, "%s/%d: probe attach: path too long",
		     proc_root, pid);
	/* 1. */
	if (stat(piddir, &st))
		FAIL(CTPROF_PROBE_PID_MISSING, -errno, "%s: probe attach: stat: %s", piddir,
		     strerror(errno));
	/* 2. */
	path_join(path, sizeof(path), piddir, "/exe", NULL);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		FAIL(CTPROF_PROBE_READLINK_FAILURE, n < 0 ? -errno : -ENOENT, "%s: probe attach: readlink: %s",
		     path, n < 0 ? strerror(errno) : "empty");
	exe[n] = '\0';
	/* 3. */
	path_join(path, sizeof(path), piddir, "/maps", NULL);
	rc = read_text(path, CTPROF_PROBE_MAPS_MAX, &maps, &maps_len);
	if (rc == -ENOMEM)
		goto out;
	if (rc)
		FAIL(CTPROF_PROBE_MAPS_READ_FAILURE, rc, "%s: probe attach: read maps: %s", path,
		     strerror(-rc));
	/* 4. The fast path, through the magic link. */
	path_join(path, sizeof(path), piddir, "/exe", NULL);
	rc = elf_open(path, &f);
	if (rc)
		FAIL(rc == -ENOEXEC ? CTPROF_PROBE_JEMALLOC_NOT_FOUND : CTPROF_PROBE_READLINK_FAILURE, rc,
		     "%s (%s): probe attach: open ELF: %s", path, exe, strerror(-rc));
	p = ctprof_calloc(1, sizeof(*p));
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	rc = ctprof_probe_find_tls_sym(f.elf, &p->tls_sym_value, &p->tls_sym_name);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		/* 5. The slow path. */
		rc = scan_dsos(piddir, exe, maps, &dso);
		if (rc < 0)
			goto out;
		if (rc == 1)
			FAIL(CTPROF_PROBE_JEMALLOC_IN_DSO, -ENOTSUP,
			     "%s: probe attach: jemalloc is in the shared object %s (static-TLS addressing reaches only the executable)",
			     exe, dso);
		/* 6. */
		FAIL(CTPROF_PROBE_JEMALLOC_NOT_FOUND, -ENOENT, "%s: probe attach: no jemalloc TLS symbol",
		     exe);
	}
	if (!find_pt_tls(f.elf, &p->tls_align, &p->tls_image_aligned_size))
		FAIL(CTPROF_PROBE_JEMALLOC_NOT_FOUND, -ENOENT,
		     "%s: probe attach: %s present but no PT_TLS segment", exe, p->tls_sym_name);
	mach = ctprof_probe_host_machine();
	if (!gelf_getehdr(f.elf, &eh) || !mach || eh.e_machine != mach)
		FAIL(CTPROF_PROBE_ARCH_MISMATCH, -ENOEXEC,
		     "%s: probe attach: e_machine %u, the probe runs on %d", exe,
		     gelf_getehdr(f.elf, &eh) ? (unsigned)eh.e_machine : 0u, mach);
	rc = dwarf_cascade(&c, piddir, exe, f.elf, path);
	if (rc == -ENOMEM)
		goto out;
	if (rc)
		FAIL(CTPROF_PROBE_DWARF_PARSE_FAILURE, rc, "%s: probe attach: DWARF offsets of tsd_s: tried %s",
		     exe, c.tried.data ? c.tried.data : "nothing");
	p->off_allocated = c.a;
	p->off_deallocated = c.d;
	p->debug_path = c.found;
	c.found = NULL;
	*out = p;
	p = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM && *tag == CTPROF_PROBE_OK)
		ctprof_err(err, -ENOMEM, "%s/%d: probe attach: out of memory", proc_root, pid);
	elf_close(&f);
	ctprof_jemalloc_probe_free(p);
	ctprof_buf_free(&c.tried);
	free(c.found);
	free(maps);
	free(dso);
	return rc;
}
