/*
 * fuzz_http_parse: libFuzzer harness for the HTTP parser modules.
 *
 * Runs every parser on the input and checks the contracts of the module
 * headers that http_parse.h gathers rather than just "does not crash":
 *  - http_parse_request: the result is a length <= len, NEED_MORE or an
 *    error with one of the documented statuses; every pointer lies inside
 *    the consumed head; names are tokens and values are trimmed and free of
 *    CTLs; the framing rules hold; every proper prefix of a complete head
 *    is NEED_MORE, and a prefix of an incomplete or bad input never
 *    parses as complete; trailing bytes never change the result.
 *  - http_chunked_consume: the same totals whatever the split points.
 *  - http_path_normalize: the output is a clean absolute path.
 *  - http_date_parse / http_date_format, http_range_parse: round trip and
 *    bounds.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *            tests/fuzz/fuzz_http_parse.c src/http/http_chars.c \
 *            src/http/http_head.c src/http/http_chunked.c \
 *            src/http/http_path.c src/http/http_date.c src/http/http_range.c
 * Without libFuzzer, -DFUZZ_STANDALONE gives a main() that runs the files
 * named on the command line (e.g. tests/fuzz/corpus/http/\*) once each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_parse.h"

#define CHECK(x) do {							\
	if (!(x)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #x);					\
		abort();						\
	}								\
} while (0)

static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* [p, p + n) lies inside [lo, hi); NULL only with n == 0. */
static int
inside(const char *p, size_t n, const char *lo, const char *hi)
{
	if (p == NULL)
		return n == 0;
	return p >= lo && p <= hi && (size_t)(hi - p) >= n;
}

static void
check_request(const char *b, int r, size_t len, const struct http_request *q)
{
	const char *end = b + r;
	size_t i, j;

	if (r == HTTP_NEED_MORE) {
		CHECK(q->status == 0);
		return;
	}
	if (r == HTTP_ERROR) {
		CHECK(q->status == 400 || q->status == 414 ||
		    q->status == 431 || q->status == 501 || q->status == 505);
		CHECK(q->error != NULL);
		CHECK(!q->keep_alive);
		return;
	}
	CHECK(r > 0 && (size_t)r <= len);
	CHECK(q->status == 0);
	CHECK(b[r - 1] == '\n');
	CHECK(q->version_major == 1);
	CHECK(q->method != HTTP_M_OTHER);
	CHECK(inside(q->method_str, q->method_len, b, end) &&
	    q->method_len > 0);
	CHECK(inside(q->target, q->target_len, b, end) && q->target_len > 0);
	CHECK(inside(q->path, q->path_len, b, end));
	CHECK(inside(q->host, q->host_len, b, end));
	CHECK(inside(q->if_none_match, q->if_none_match_len, b, end));
	CHECK(inside(q->if_modified_since, q->if_modified_since_len, b, end));
	CHECK(inside(q->if_range, q->if_range_len, b, end));
	CHECK(inside(q->range, q->range_len, b, end));
	CHECK(q->nheaders <= HTTP_MAX_HEADERS);
	for (i = 0; i < q->target_len; i++)
		CHECK(q->target[i] > ' ' && q->target[i] < 0x7f &&
		    q->target[i] != '#');
	for (i = 0; i < q->nheaders; i++) {
		const struct http_header *h = &q->headers[i];

		CHECK(inside(h->name, h->name_len, b, end) && h->name_len > 0);
		CHECK(inside(h->value, h->value_len, b, end));
		for (j = 0; j < h->name_len; j++)
			CHECK(is_tchar((unsigned char)h->name[j]));
		for (j = 0; j < h->value_len; j++)
			CHECK(!is_ctl((unsigned char)h->value[j]));
		if (h->value_len > 0) {
			CHECK(h->value[0] != ' ' && h->value[0] != '\t');
			CHECK(h->value[h->value_len - 1] != ' ' &&
			    h->value[h->value_len - 1] != '\t');
		}
	}
	CHECK(!(q->has_transfer_encoding && q->has_content_length));
	CHECK(q->chunked == q->has_transfer_encoding);
	CHECK(!q->has_transfer_encoding || q->version_minor >= 1);
	CHECK(q->version_minor == 0 || q->has_host);
	CHECK(q->keep_alive == (!q->conn_close &&
	    (q->version_minor >= 1 || q->conn_keep_alive)));
	CHECK(q->content_length <= (uint64_t)HTTP_MAX_CONTENT_LENGTH);
	CHECK((q->form == HTTP_T_ASTERISK) == (q->target[0] == '*' &&
	    q->target_len == 1 && q->method == HTTP_M_OPTIONS));
	CHECK((q->form == HTTP_T_AUTHORITY) == (q->method == HTTP_M_CONNECT));
}

/* Parse an exact-size copy of data[0, n). */
static int
parse_copy(const uint8_t *data, size_t n, size_t ml, size_t mh,
    struct http_request *q, char **keep)
{
	char *b = malloc(n ? n : 1);
	int r;

	if (b == NULL)
		abort();
	memcpy(b, data, n);
	r = http_parse_request(b, n, ml, mh, q);
	check_request(b, r, n, q);
	if (keep != NULL)
		*keep = b;
	else
		free(b);
	return r;
}

static void
fuzz_request(const uint8_t *data, size_t size, size_t ml, size_t mh)
{
	static struct http_request q, q2;
	size_t k;
	int r, r2;
	char *b;

	r = parse_copy(data, size, ml, mh, &q, &b);
	/* Trailing bytes change nothing once the head is complete. */
	if (r > 0 && (size_t)r < size) {
		r2 = parse_copy(data, (size_t)r, ml, mh, &q2, NULL);
		CHECK(r2 == r);
	}
	/* Prefixes: a complete head is NEED_MORE up to its last byte; no
	 * prefix of anything parses as a complete head. */
	if (size > 0) {
		k = (size_t)data[0] * 7 % size;
		r2 = parse_copy(data, k, ml, mh, &q2, NULL);
		if (r > 0 && k < (size_t)r)
			CHECK(r2 == HTTP_NEED_MORE);
		if (r <= 0)
			CHECK(r2 <= 0);
		if (r == HTTP_NEED_MORE)
			CHECK(r2 == HTTP_NEED_MORE);
	}
	if (r > 0) {
		r2 = parse_copy(data, (size_t)r - 1, ml, mh, &q2, NULL);
		CHECK(r2 == HTTP_NEED_MORE);
	}
	/* What a server does with a parsed request must be safe too. */
	if (r > 0 && q.path != NULL) {
		char *out = malloc(q.path_len + 1);
		size_t n;

		if (out == NULL)
			abort();
		(void)http_path_normalize(q.path, q.path_len, out,
		    q.path_len + 1, &n);
		free(out);
	}
	free(b);
}

static void
fuzz_chunked(const uint8_t *data, size_t size)
{
	struct http_chunked a, c;
	size_t split = size ? (size_t)data[size - 1] % size : 0;
	size_t ba, bc, b, off;
	ssize_t ra, r;
	char *buf;

	buf = malloc(size ? size : 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);

	http_chunked_init(&a);
	ra = http_chunked_consume(&a, buf, size, &ba);
	CHECK(ra == HTTP_ERROR || (ra >= 0 && (size_t)ra <= size));
	CHECK(ra != HTTP_ERROR || a.status == 400);
	CHECK(ba <= size && a.total == ba);

	/* Two pieces, then byte by byte (bounded to keep runs fast). */
	http_chunked_init(&c);
	bc = 0;
	off = 0;
	r = http_chunked_consume(&c, buf, split, &b);
	if (r >= 0) {
		bc += b;
		off += (size_t)r;
		CHECK((size_t)r == split || http_chunked_done(&c));
		while (off < size && !http_chunked_done(&c)) {
			size_t piece = size - off > 3 ? 3 : size - off;

			r = http_chunked_consume(&c, buf + off, piece, &b);
			if (r < 0)
				break;
			CHECK((size_t)r == piece || http_chunked_done(&c));
			bc += b;
			off += (size_t)r;
		}
	}
	CHECK((r < 0) == (ra < 0));
	if (ra >= 0) {
		CHECK(off == (size_t)ra);
		CHECK(bc == ba);
		CHECK(http_chunked_done(&a) == http_chunked_done(&c));
	}
	free(buf);
}

static void
fuzz_path(const uint8_t *data, size_t size)
{
	char *in, *out, *out2, *q;
	size_t n, n2, i;
	int st;

	in = malloc(size ? size : 1);
	out = malloc(size + 2);
	out2 = malloc(size + 2);
	if (in == NULL || out == NULL || out2 == NULL)
		abort();
	memcpy(in, data, size);
	st = http_path_normalize(in, size, out, size + 2, &n);
	CHECK(st == 0 || st == 400);
	if (st == 0) {
		CHECK(n >= 1 && n <= (size ? size : 1) && out[0] == '/');
		CHECK(out[n] == '\0' && memchr(out, '\0', n) == NULL);
		CHECK(strstr(out, "//") == NULL);
		CHECK(strstr(out, "/./") == NULL && strstr(out, "/../") == NULL);
		CHECK(!(n >= 2 && memcmp(out + n - 2, "/.", 2) == 0));
		CHECK(!(n >= 3 && memcmp(out + n - 3, "/..", 3) == 0));
		/* Without '%' and '?' left, normalizing again is a no-op. */
		if (memchr(out, '%', n) == NULL && memchr(out, '?', n) == NULL) {
			CHECK(http_path_normalize(out, n, out2, n + 1, &n2) == 0);
			CHECK(n2 == n && memcmp(out, out2, n) == 0);
		}
	}
	/* One byte short of the (query-stripped) input plus NUL is 414. */
	q = size > 0 ? memchr(in, '?', size) : NULL;
	i = q != NULL ? (size_t)(q - in) : size;
	CHECK(http_path_normalize(in, size, out, i, &n) == 414);
	free(in);
	free(out);
	free(out2);
}

static void
fuzz_date_range(const uint8_t *data, size_t size)
{
	static const uint64_t sizes[] = { 0, 1, 1000, UINT64_MAX };
	char fmt[HTTP_DATE_LEN + 1], *in;
	time_t t, t2;
	uint64_t s, e;
	size_t i;
	int r;

	in = malloc(size ? size : 1);
	if (in == NULL)
		abort();
	memcpy(in, data, size);
	if (http_date_parse_at(in, size, 1750000000, &t) == 0) {
		CHECK(http_date_format(t, fmt) == HTTP_DATE_LEN);
		CHECK(fmt[HTTP_DATE_LEN] == '\0');
		CHECK(http_date_parse(fmt, HTTP_DATE_LEN, &t2) == 0 && t2 == t);
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		r = http_range_parse(in, size, sizes[i], &s, &e);
		CHECK(r == 200 || r == 206 || r == 416);
		if (r == 206)
			CHECK(s <= e && e < sizes[i]);
	}
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request(data, size, 8190, 16384);
	fuzz_request(data, size, 40, 80);
	fuzz_chunked(data, size);
	fuzz_path(data, size);
	fuzz_date_range(data, size);
	return 0;
}

#ifdef FUZZ_STANDALONE
#include <dirent.h>

static int
replay(const char *path)
{
	static uint8_t buf[1 << 20];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

/* Replay the files named, or with none every file of the seed corpus
 * ($MSERVER_SRCDIR/tests/fuzz/corpus/http, as make check sets it). */
int
main(int argc, char **argv)
{
	const char *src = getenv("MSERVER_SRCDIR");
	char dir[4096], path[8192];
	struct dirent *de;
	int i, n = 0;
	DIR *d;

	for (i = 1; i < argc; i++, n++)
		if (replay(argv[i]) == -1)
			return 1;
	if (argc == 1) {
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/http", src ? src : ".");
		if ((d = opendir(dir)) == NULL) {
			perror(dir);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (replay(path) == -1)
				return 1;
			n++;
		}
		closedir(d);
		if (n == 0) {
			fprintf(stderr, "%s: no seed files\n", dir);
			return 1;
		}
	}
	printf("%d inputs OK\n", n);
	return 0;
}
#endif
