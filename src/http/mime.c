/*
 * mime: see mime.h.
 *
 * An open-addressing hash table (linear probing, power-of-two size, at
 * most half full) maps a lower-cased extension to its Content-Type. The
 * built-in table is inserted first and the file's lines after it, so the
 * file overrides the built-ins and a later line overrides an earlier one.
 * Extensions and the file's types live in one arena freed with the table;
 * built-in types are string literals.
 *
 * Charset: the types a browser renders as text -- text/html, text/plain,
 * text/css, text/javascript and application/javascript -- are served with
 * "; charset=utf-8", from the built-ins and from the file alike, so that a
 * UTF-8 page needs no <meta charset>. No other type gets a parameter
 * (application/json, for one, is UTF-8 by definition and has none).
 *
 * Invariant: after mime_load() returns, the table is never written again;
 * lookups from any number of threads need no lock.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/mime.h"
#include "core/util.h"

#define MIME_DEFAULT	"application/octet-stream"
#define MIME_EXT_MAX	63	/* longer extensions are ignored */
#define MIME_TYPE_MAX	255	/* longer types are ignored */
#define MIME_CHARSET	"; charset=utf-8"
#define ARENA_CHUNK	16384

struct mime_ent {
	const char	*ext;		/* lower case, NUL-terminated; NULL: free */
	const char	*type;
	size_t		 len;
};

struct arena {
	struct arena	*next;
	size_t		 used, cap;
	char		 data[];
};

struct mime {
	struct mime_ent	*tab;
	size_t		 cap;		/* power of two */
	size_t		 count;
	struct arena	*arena;
};

static const char *const builtin[][2] = {
	{ "html",	"text/html" MIME_CHARSET },
	{ "htm",	"text/html" MIME_CHARSET },
	{ "css",	"text/css" MIME_CHARSET },
	{ "js",		"text/javascript" MIME_CHARSET },
	{ "mjs",	"text/javascript" MIME_CHARSET },
	{ "txt",	"text/plain" MIME_CHARSET },
	{ "text",	"text/plain" MIME_CHARSET },
	{ "csv",	"text/csv" },
	{ "md",		"text/markdown" },
	{ "xml",	"application/xml" },
	{ "xhtml",	"application/xhtml+xml" },
	{ "rss",	"application/rss+xml" },
	{ "atom",	"application/atom+xml" },
	{ "json",	"application/json" },
	{ "map",	"application/json" },
	{ "webmanifest", "application/manifest+json" },
	{ "wasm",	"application/wasm" },
	{ "pdf",	"application/pdf" },
	{ "svg",	"image/svg+xml" },
	{ "svgz",	"image/svg+xml" },
	{ "png",	"image/png" },
	{ "jpg",	"image/jpeg" },
	{ "jpeg",	"image/jpeg" },
	{ "gif",	"image/gif" },
	{ "webp",	"image/webp" },
	{ "avif",	"image/avif" },
	{ "bmp",	"image/bmp" },
	{ "ico",	"image/x-icon" },
	{ "tif",	"image/tiff" },
	{ "tiff",	"image/tiff" },
	{ "woff",	"font/woff" },
	{ "woff2",	"font/woff2" },
	{ "ttf",	"font/ttf" },
	{ "otf",	"font/otf" },
	{ "mp3",	"audio/mpeg" },
	{ "ogg",	"audio/ogg" },
	{ "wav",	"audio/wav" },
	{ "mp4",	"video/mp4" },
	{ "webm",	"video/webm" },
	{ "zip",	"application/zip" },
	{ "gz",		"application/gzip" },
	{ "tgz",	"application/gzip" },
	{ "tar",	"application/x-tar" },
	{ "bz2",	"application/x-bzip2" },
	{ "xz",		"application/x-xz" },
	{ "zst",	"application/zstd" },
	{ "7z",		"application/x-7z-compressed" },
};

/* Types that get MIME_CHARSET (see the top of the file). */
static const char *const charset_types[] = {
	"text/html", "text/plain", "text/css", "text/javascript",
	"application/javascript",
};

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

/* FNV-1a over the lower-cased bytes. */
static uint32_t
hash_ext(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint32_t)lower((unsigned char)s[i])) * 16777619u;
	return h;
}

/* s (any case) equals the lower-case e of the same length. */
static int
ext_eq(const char *s, const char *e, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (lower((unsigned char)s[i]) != (unsigned char)e[i])
			return 0;
	return 1;
}

/* The slot holding ext, or the free slot where it belongs. */
static struct mime_ent *
slot(const struct mime *m, const char *ext, size_t len)
{
	size_t i = hash_ext(ext, len) & (m->cap - 1);

	while (m->tab[i].ext != NULL &&
	    !(m->tab[i].len == len && ext_eq(ext, m->tab[i].ext, len)))
		i = (i + 1) & (m->cap - 1);
	return &m->tab[i];
}

static char *
arena_alloc(struct mime *m, size_t n)
{
	struct arena *a = m->arena;

	if (a == NULL || a->cap - a->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		if ((a = malloc(sizeof(*a) + cap)) == NULL)
			return NULL;
		a->next = m->arena;
		a->used = 0;
		a->cap = cap;
		m->arena = a;
	}
	a->used += n;
	return a->data + a->used - n;
}

static int
grow(struct mime *m)
{
	struct mime_ent *old = m->tab;
	size_t i, oldcap = m->cap;

	if ((m->tab = calloc(oldcap * 2, sizeof(*m->tab))) == NULL) {
		m->tab = old;
		return -1;
	}
	m->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].ext != NULL)
			*slot(m, old[i].ext, old[i].len) = old[i];
	free(old);
	return 0;
}

/* Map ext (already lower case, stable storage) to type; replaces. */
static int
insert(struct mime *m, const char *ext, size_t len, const char *type)
{
	struct mime_ent *e;

	if ((m->count + 1) * 2 > m->cap && grow(m) == -1)
		return -1;
	e = slot(m, ext, len);
	if (e->ext == NULL)
		m->count++;
	e->ext = ext;
	e->len = len;
	e->type = type;
	return 0;
}

/* type from a file, with MIME_CHARSET where it applies, in the arena. */
static const char *
intern_type(struct mime *m, const char *type, size_t len)
{
	size_t i, extra = 0;
	char *p;

	for (i = 0; i < ARRAY_LEN(charset_types); i++)
		if (strlen(charset_types[i]) == len && ext_eq(type, charset_types[i], len))
			extra = sizeof(MIME_CHARSET) - 1;
	if ((p = arena_alloc(m, len + extra + 1)) == NULL)
		return NULL;
	memcpy(p, type, len);
	memcpy(p + len, MIME_CHARSET, extra);
	p[len + extra] = '\0';
	return p;
}

static int
add_ext(struct mime *m, const char *ext, size_t len, const char *type)
{
	char *p;
	size_t i;

	if (len > MIME_EXT_MAX || memchr(ext, '.', len) != NULL)
		return 0;	/* could never match: lookups stop at the last '.' */
	if ((p = arena_alloc(m, len + 1)) == NULL)
		return -1;
	for (i = 0; i < len; i++)
		p[i] = (char)lower((unsigned char)ext[i]);
	p[len] = '\0';
	return insert(m, p, len, type);
}

static size_t
span_word(const char *s)
{
	return strcspn(s, " \t\r\n");
}

static size_t
span_space(const char *s)
{
	return strspn(s, " \t\r\n");
}

/* One line "type ext ext ...": lines without '/' in the type, or without
 * extensions, are skipped. */
static int
parse_line(struct mime *m, char *line)
{
	char *hash = strchr(line, '#'), *p = line;
	const char *type;
	size_t tlen, n;

	if (hash != NULL)
		*hash = '\0';
	p += span_space(p);
	tlen = span_word(p);
	if (tlen == 0 || tlen > MIME_TYPE_MAX || memchr(p, '/', tlen) == NULL)
		return 0;
	if (p[tlen + span_space(p + tlen)] == '\0')
		return 0;
	if ((type = intern_type(m, p, tlen)) == NULL)
		return -1;
	for (p += tlen; *(p += span_space(p)) != '\0'; p += n)
		if (add_ext(m, p, n = span_word(p), type) == -1)
			return -1;
	return 0;
}

static int
load_file(struct mime *m, const char *path, int missing_ok, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	struct stat st;
	int rc = 0;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		if (missing_ok && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s: not a regular file", path);
		fclose(fp);
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, fp) != -1)
		rc = parse_line(m, line);
	if (rc == -1)
		snprintf(err, errlen, "cannot load %s: out of memory", path);
	else if (ferror(fp)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(fp);
	return rc;
}

struct mime *
mime_load(const char *path, int missing_ok, char *err, size_t errlen)
{
	struct mime *m;
	size_t i;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->tab = calloc(m->cap = 128, sizeof(*m->tab))) == NULL)
		goto oom;
	for (i = 0; i < ARRAY_LEN(builtin); i++)
		if (insert(m, builtin[i][0], strlen(builtin[i][0]), builtin[i][1]) == -1)
			goto oom;
	if (path != NULL && load_file(m, path, missing_ok, err, errlen) == -1) {
		mime_free(m);
		return NULL;
	}
	return m;
oom:
	snprintf(err, errlen, "cannot load MIME types: out of memory");
	mime_free(m);
	return NULL;
}

const char *
mime_type(const struct mime *m, const char *name, size_t len)
{
	const char *base = name, *dot = NULL, *p;
	const struct mime_ent *e;
	size_t elen;

	for (p = name; p < name + len; p++) {
		if (*p == '/')
			base = p + 1, dot = NULL;
		else if (*p == '.')
			dot = p;
	}
	/* No '.', a dot-file's leading '.' ("/.profile"), or a trailing '.'. */
	if (m == NULL || dot == NULL || dot == base)
		return MIME_DEFAULT;
	elen = (size_t)(name + len - dot - 1);
	if (elen == 0 || elen > MIME_EXT_MAX)
		return MIME_DEFAULT;
	e = slot(m, dot + 1, elen);
	return e->ext != NULL ? e->type : MIME_DEFAULT;
}

void
mime_free(struct mime *m)
{
	struct arena *a, *next;

	if (m == NULL)
		return;
	for (a = m->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(m->tab);
	free(m);
}
