/* SPDX-License-Identifier: MIT */
/*
 * ELF and DWARF for the jemalloc probe, with elfutils (libelf, libdw):
 * the TLS symbol, mallctl exports, .gnu_debuglink / build-id, and the
 * member offsets of tsd_s.thread_allocated / thread_deallocated.
 */
#include "probe_int.h"

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBER_ALLOC "cant_access_tsd_items_directly_use_a_getter_or_setter_thread_allocated"
#define MEMBER_DEALLOC "cant_access_tsd_items_directly_use_a_getter_or_setter_thread_deallocated"
/* DIE nesting followed by the walk (real programs stay far below). */
#define DIE_DEPTH_MAX 64
/* Units walked in one file. */
#define UNITS_MAX 1000000

int ctprof_probe_host_machine(void)
{
#if defined(__x86_64__)
	return EM_X86_64;
#elif defined(__aarch64__)
	return EM_AARCH64;
#else
	return 0;
#endif
}

static bool has_suffix_with_prefix(const char *name, const char *suffix, bool need_underscore)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n == s)
		return strcmp(name, suffix) == 0;
	if (n < s + (need_underscore ? 2 : 1) || strcmp(name + n - s, suffix) != 0)
		return false;
	/* "<non-empty prefix>_<suffix>" */
	return !need_underscore || name[n - s - 1] == '_';
}

bool ctprof_probe_is_tls_name(const char *name)
{
	return name && has_suffix_with_prefix(name, "tsd_tls", true);
}

bool ctprof_probe_is_mallctl_name(const char *name)
{
	return name && has_suffix_with_prefix(name, "mallctl", true);
}

/* Look through the symbol table of type sh_type; 1 found, 0 not, -ENOMEM. */
static int scan_symtab(Elf *elf, Elf64_Word sh_type, bool (*match)(const char *), bool defined_only,
		       uint64_t *value, char **name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != sh_type || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *nm;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			if (defined_only && sym.st_shndx == SHN_UNDEF)
				continue;
			nm = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!nm || !match(nm))
				continue;
			if (value)
				*value = sym.st_value;
			if (name) {
				*name = ctprof_strdup(nm);
				if (!*name)
					return -ENOMEM;
			}
			return 1;
		}
	}
	return 0;
}

int ctprof_probe_find_tls_sym(Elf *elf, uint64_t *value, char **name)
{
	int rc = scan_symtab(elf, SHT_SYMTAB, ctprof_probe_is_tls_name, false, value, name);

	if (rc)
		return rc;
	return scan_symtab(elf, SHT_DYNSYM, ctprof_probe_is_tls_name, false, value, name);
}

/* Used by the slow path: a defined mallctl in .dynsym. */
CTPROF_HIDDEN int ctprof_probe_exports_mallctl(Elf *elf);
int ctprof_probe_exports_mallctl(Elf *elf)
{
	return scan_symtab(elf, SHT_DYNSYM, ctprof_probe_is_mallctl_name, true, NULL, NULL);
}

int ctprof_probe_debug_refs(Elf *elf, char **debuglink, char **build_id_hex)
{
	const void *id = NULL;
	ssize_t idlen;
	const char *link;
	GElf_Word crc;

	*debuglink = NULL;
	*build_id_hex = NULL;
	idlen = dwelf_elf_gnu_build_id(elf, &id);
	/* At least two bytes: "<2 hex>/<rest>.debug" needs a non-empty rest. */
	if (idlen >= 2 && idlen <= 64 && id) {
		char *hex = ctprof_malloc((size_t)idlen * 2 + 1);
		static const char digits[] = "0123456789abcdef";

		if (!hex)
			return -ENOMEM;
		for (ssize_t i = 0; i < idlen; i++) {
			hex[2 * i] = digits[((const unsigned char *)id)[i] >> 4];
			hex[2 * i + 1] = digits[((const unsigned char *)id)[i] & 15];
		}
		hex[idlen * 2] = '\0';
		*build_id_hex = hex;
	}
	link = dwelf_elf_gnu_debuglink(elf, &crc);
	if (link && *link && !strchr(link, '/') && strcmp(link, ".") != 0 &&
	    strcmp(link, "..") != 0 && strlen(link) < 256) {
		*debuglink = ctprof_strdup(link);
		if (!*debuglink) {
			free(*build_id_hex);
			*build_id_hex = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

struct offsets {
	bool in_tsd_a, in_tsd_d;   /* found as children of tsd_s */
	bool any_a, any_d;         /* found anywhere */
	uint64_t tsd_a, tsd_d, a, d;
	int bad;                   /* -EINVAL: a member had a non-constant location */
	char *msg;
	size_t msglen;
};

static int member_offset(Dwarf_Die *die, uint64_t *out, struct offsets *o, const char *which)
{
	Dwarf_Attribute at;
	Dwarf_Word u;
	Dwarf_Sword s;

	if (!dwarf_attr(die, DW_AT_data_member_location, &at)) {
		(void)snprintf(o->msg, o->msglen, "member %s has no DW_AT_data_member_location", which);
		return -EINVAL;
	}
	switch (dwarf_whatform(&at)) {
	case DW_FORM_udata:
	case DW_FORM_data1:
	case DW_FORM_data2:
	case DW_FORM_data4:
	case DW_FORM_data8:
		if (dwarf_formudata(&at, &u) != 0)
			break;
		*out = u;
		return 0;
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		if (dwarf_formsdata(&at, &s) != 0)
			break;
		if (s < 0) {
			(void)snprintf(o->msg, o->msglen, "member %s has a negative offset %lld", which,
				       (long long)s);
			return -EINVAL;
		}
		*out = (uint64_t)s;
		return 0;
	default:
		(void)snprintf(o->msg, o->msglen,
			       "member %s: DW_AT_data_member_location has form 0x%x, not a constant", which,
			       dwarf_whatform(&at));
		return -EINVAL;
	}
	(void)snprintf(o->msg, o->msglen, "member %s: bad DW_AT_data_member_location: %s", which,
		       dwarf_errmsg(-1));
	return -EINVAL;
}

/* A member DIE: record it. in_tsd: its parent is struct tsd_s. */
static void see_member(Dwarf_Die *die, bool in_tsd, struct offsets *o)
{
	const char *nm = dwarf_diename(die);
	bool is_a, is_d;
	uint64_t v;
	int rc;

	if (!nm)
		return;
	is_a = strcmp(nm, MEMBER_ALLOC) == 0;
	is_d = !is_a && strcmp(nm, MEMBER_DEALLOC) == 0;
	if (!is_a && !is_d)
		return;
	if ((is_a && (in_tsd ? o->in_tsd_a : o->any_a)) || (is_d && (in_tsd ? o->in_tsd_d : o->any_d)))
		return;
	rc = member_offset(die, &v, o, is_a ? "thread_allocated" : "thread_deallocated");
	if (rc) {
		o->bad = rc;
		return;
	}
	if (in_tsd) {
		if (is_a) {
			o->in_tsd_a = true;
			o->tsd_a = v;
		} else {
			o->in_tsd_d = true;
			o->tsd_d = v;
		}
	}
	if (is_a && !o->any_a) {
		o->any_a = true;
		o->a = v;
	} else if (is_d && !o->any_d) {
		o->any_d = true;
		o->d = v;
	}
}

/* Walk the children of die; returns true once tsd_s with both members is found. */
static bool walk(Dwarf_Die *die, int depth, bool parent_is_tsd, struct offsets *o)
{
	Dwarf_Die child;

	if (depth > DIE_DEPTH_MAX || dwarf_child(die, &child) != 0)
		return false;
	do {
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_member) {
			see_member(&child, parent_is_tsd, o);
			if (o->in_tsd_a && o->in_tsd_d)
				return true;
		} else if (dwarf_haschildren(&child) > 0) {
			const char *nm = tag == DW_TAG_structure_type ? dwarf_diename(&child) : NULL;

			if (walk(&child, depth + 1, nm && strcmp(nm, "tsd_s") == 0, o))
				return true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

int ctprof_probe_dwarf_offsets(Elf *elf, uint64_t *off_alloc, uint64_t *off_dealloc, char *msg,
			       size_t msglen)
{
	struct offsets o = { .msg = msg, .msglen = msglen };
	Dwarf *dw;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	Dwarf_Half version;
	uint8_t unit_type;
	bool done = false;
	size_t units = 0;

	msg[0] = '\0';
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		(void)snprintf(msg, msglen, "no DWARF: %s", dwarf_errmsg(-1));
		return -ENOENT;
	}
	while (!done && units++ < UNITS_MAX &&
	       dwarf_get_units(dw, cu, &cu, &version, &unit_type, &cudie, &subdie) == 0) {
		if (unit_type == DW_UT_skeleton || unit_type == DW_UT_split_compile)
			continue;
		done = walk(&cudie, 0, false, &o);
	}
	dwarf_end(dw);
	if (done) {
		*off_alloc = o.tsd_a;
		*off_dealloc = o.tsd_d;
	} else if (o.any_a && o.any_d) {
		*off_alloc = o.a;
		*off_dealloc = o.d;
	} else if (o.bad) {
		return o.bad;
	} else {
		(void)snprintf(msg, msglen, "no tsd_s thread_allocated/thread_deallocated members");
		return -ENOENT;
	}
	if (*off_alloc >= *off_dealloc) {
		(void)snprintf(msg, msglen, "thread_allocated offset %llu is not below thread_deallocated %llu",
			       (unsigned long long)*off_alloc, (unsigned long long)*off_dealloc);
		return -EINVAL;
	}
	return 0;
}
