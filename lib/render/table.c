/* SPDX-License-Identifier: MIT */
/*
 * Text tables in the style of comfy-table's NOTHING preset (§9.3): no
 * borders, one space of padding on each side of every cell, widths from
 * content. Tree heading rows never widen a column; text longer than its
 * column simply runs on into the (empty) cells to its right.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnd.h"

void rt_init(struct rt_table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void rt_free(struct rt_table *t)
{
	ctprof_buf_free(&t->text);
	free(t->cells);
	free(t->kinds);
	memset(t, 0, sizeof(*t));
}

void rt_row(struct rt_table *t, enum rt_row_kind kind)
{
	if (t->nrows == t->caprows) {
		size_t nc = t->caprows ? t->caprows * 2 : 32;
		uint8_t *k = ctprof_realloc(t->kinds, nc);

		if (!k) {
			t->oom = true;
			return;
		}
		t->kinds = k;
		t->caprows = nc;
	}
	t->kinds[t->nrows++] = (uint8_t)kind;
}

size_t rt_width(const char *s, size_t len)
{
	size_t i, w = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

void rt_cell(struct rt_table *t, const char *s, size_t len, enum rt_color c, bool bold)
{
	struct rt_cell *cell;

	if (t->oom || t->nrows == 0)
		return;
	if (t->ncells == t->capcells) {
		size_t nc = t->capcells ? t->capcells * 2 : 256;
		struct rt_cell *n = ctprof_realloc(t->cells, nc * sizeof(*n));

		if (!n) {
			t->oom = true;
			return;
		}
		t->cells = n;
		t->capcells = nc;
	}
	cell = &t->cells[t->ncells++];
	cell->off = t->text.len;
	cell->len = len;
	cell->width = (uint32_t)rt_width(s, len);
	cell->color = (uint8_t)c;
	cell->bold = bold;
	if (ctprof_buf_append(&t->text, s, len) < 0)
		t->oom = true;
}

void rt_cells(struct rt_table *t, const char *s, enum rt_color c, bool bold)
{
	rt_cell(t, s, strlen(s), c, bold);
}

size_t rt_data_rows(const struct rt_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nrows; i++)
		if (t->kinds[i] == RT_DATA)
			n++;
	return n;
}

static const char *sgr(enum rt_color c)
{
	switch (c) {
	case RT_RED:
		return "31";
	case RT_GREEN:
		return "32";
	case RT_YELLOW:
		return "33";
	case RT_BLUE:
		return "34";
	case RT_MAGENTA:
		return "35";
	case RT_CYAN:
		return "36";
	case RT_WHITE:
		return "37";
	case RT_GREY:
		return "90";
	default:
		return NULL;
	}
}

static void pad(struct ctprof_buf *b, size_t n)
{
	while (n--)
		ctprof_buf_putc(b, ' ');
}

/* Byte length of the longest prefix of s[0..len) at most `cols` wide. */
static size_t fit(const char *s, size_t len, size_t cols)
{
	size_t i, w = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (w == cols)
				return i;
			w++;
		}
	}
	return len;
}

/*
 * Split a cell into lines of at most `cols` columns (only with --wrap):
 * break at the last space that fits, else hard-break.
 */
static size_t wrap_piece(const char *s, size_t len, size_t cols, size_t *skip)
{
	size_t n = fit(s, len, cols), i;

	*skip = 0;
	if (n == len)
		return n;
	for (i = n; i > 0; i--) {
		if (s[i] == ' ') {
			*skip = 1;
			return i;
		}
	}
	return n ? n : 1;
}

int rt_render(const struct rt_table *t, struct ctprof_buf *out, bool color, unsigned wrap_width)
{
	size_t *w, r, c, total = 0;
	size_t cell = 0;

	if (t->oom)
		return -ENOMEM;
	w = ctprof_calloc(t->ncols + 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (r = 0, cell = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++, cell++) {
			if (t->kinds[r] != RT_HEADING && t->cells[cell].width > w[c])
				w[c] = t->cells[cell].width;
		}
	}
	for (c = 0; c < t->ncols; c++)
		total += w[c] + 2;
	if (wrap_width && total > wrap_width) {
		/* shrink the widest column one step at a time, to a floor of 8 */
		while (total > wrap_width) {
			size_t best = 0;

			for (c = 1; c < t->ncols; c++)
				if (w[c] > w[best])
					best = c;
			if (w[best] <= 8)
				break;
			w[best]--;
			total--;
		}
	} else {
		wrap_width = 0;
	}
	for (r = 0, cell = 0; r < t->nrows; r++, cell += t->ncols) {
		const struct rt_cell *rc = &t->cells[cell];
		size_t pos[64] = { 0 }, line;
		bool more = true;

		for (line = 0; more; line++) {
			more = false;
			for (c = 0; c < t->ncols; c++) {
				const char *s = t->text.data + rc[c].off;
				size_t len = rc[c].len, start = c < 64 ? pos[c] : 0, n, skip = 0, cw;
				const char *code = color ? sgr((enum rt_color)rc[c].color) : NULL;
				bool styled = color && (code || rc[c].bold);

				if (wrap_width && c < 64 && t->kinds[r] != RT_HEADING) {
					n = start < len ? wrap_piece(s + start, len - start, w[c], &skip) : 0;
					pos[c] = start + n + skip;
					if (pos[c] < len)
						more = true;
				} else {
					n = line == 0 ? len : 0;
				}
				if (styled) {
					ctprof_buf_puts(out, "\x1b[");
					if (rc[c].bold)
						ctprof_buf_puts(out, code ? "1;" : "1");
					if (code)
						ctprof_buf_puts(out, code);
					ctprof_buf_putc(out, 'm');
				}
				ctprof_buf_putc(out, ' ');
				ctprof_buf_append(out, s + start, n);
				cw = rt_width(s + start, n);
				pad(out, (cw < w[c] ? w[c] - cw : 0) + 1);
				if (styled)
					ctprof_buf_puts(out, "\x1b[0m");
			}
			ctprof_buf_putc(out, '\n');
		}
	}
	free(w);
	return out->oom ? -ENOMEM : 0;
}

static void flush_section(struct ctprof_buf *out, const char *hdr, size_t hlen,
			  const size_t *lo, const size_t *ll, size_t n, size_t limit,
			  const char *in)
{
	size_t i, keep = n <= limit ? n : limit;

	if (!hdr)
		return;
	ctprof_buf_append(out, hdr, hlen);
	ctprof_buf_putc(out, '\n');
	for (i = 0; i < keep; i++) {
		const char *s = in + lo[i];
		size_t l = ll[i];

		if (l && s[0] == RT_NOT_SECTION)
			s++, l--;
		ctprof_buf_append(out, s, l);
		ctprof_buf_putc(out, '\n');
	}
	if (n > limit) {
		char tmp[96];

		(void)snprintf(tmp, sizeof(tmp), "... %zu more lines truncated (use --limit 0 for unlimited)\n",
			       n - limit);
		ctprof_buf_puts(out, tmp);
	}
}

int rt_limit_sections(const char *in, size_t len, size_t limit, struct ctprof_buf *out)
{
	size_t *lo = NULL, *ll = NULL, n = 0, cap = 0, i = 0, hlen = 0;
	const char *hdr = NULL;

	while (i < len) {
		const char *nl = memchr(in + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (in + i)) : len - i;
		const char *s = in + i;

		if (limit && l >= 3 && memcmp(s, "## ", 3) == 0) {
			flush_section(out, hdr, hlen, lo, ll, n, limit, in);
			n = 0;
			hdr = s;
			hlen = l;
		} else if (hdr && limit) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				size_t *a = ctprof_realloc(lo, nc * sizeof(*a));
				size_t *b2 = a ? ctprof_realloc(ll, nc * sizeof(*b2)) : NULL;

				if (a)
					lo = a;
				if (!a || !b2) {
					free(lo);
					free(ll);
					return -ENOMEM;
				}
				ll = b2;
				cap = nc;
			}
			lo[n] = (size_t)(s - in);
			ll[n] = l;
			n++;
		} else {
			// cppcheck-suppress knownConditionTrueFalse ; l is 0 for an empty line
			if (l && s[0] == RT_NOT_SECTION)
				ctprof_buf_append(out, s + 1, l - 1);
			else
				ctprof_buf_append(out, s, l);
			ctprof_buf_putc(out, '\n');
		}
		i += l + 1;
	}
	if (limit)
		flush_section(out, hdr, hlen, lo, ll, n, limit, in);
	free(lo);
	free(ll);
	return out->oom ? -ENOMEM : 0;
}
