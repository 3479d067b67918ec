/*
 * test_http_chars: the byte-class table of the HTTP parsers (http_chars.c)
 * against the grammar it claims to encode. Every class is recomputed here
 * for all 256 bytes from its RFC definition, written out independently of
 * the table and of gen_http_chars.py, so a wrong entry, a missing class
 * bit or a stray one fails with the byte and the class named. The shared
 * list helpers of http_chars.h get a few direct cases too.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"

#include "http/http_chars.h"

/* c is one of the characters of set (never NUL, which no class has). */
static bool
in_set(const char *set, int c)
{
	return c != 0 && strchr(set, c) != NULL;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* RFC 5234 B.1: VCHAR = %x21-7E. */
static bool
is_vchar(int c)
{
	return c >= 0x21 && c <= 0x7e;
}

/* RFC 9110 §5.6.3: OWS = *( SP / HTAB ). */
static bool
is_ws(int c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 §5.6.2. */
static bool
is_tchar(int c)
{
	return is_digit(c) || is_alpha(c) || in_set("!#$%&'*+-.^_`|~", c);
}

/* RFC 9110 §5.5: field-vchar = VCHAR / obs-text (%x80-FF), plus the SP
 * and HTAB that field-content allows between them. */
static bool
is_value(int c)
{
	return is_vchar(c) || c >= 0x80 || is_ws(c);
}

/* RFC 9112 §3.2 request-target: VCHAR without '#', which starts a
 * fragment that a client must not send (RFC 3986 §3.5). */
static bool
is_target(int c)
{
	return is_vchar(c) && c != '#';
}

/* RFC 5234 HEXDIG, either case: ABNF strings are case-insensitive. */
static bool
is_hex(int c)
{
	return is_digit(c) || in_set("abcdefABCDEF", c);
}

/* RFC 3986 §3.2.2 reg-name = *( unreserved / pct-encoded / sub-delims );
 * '%' stands for pct-encoded. */
static bool
is_host(int c)
{
	return is_alpha(c) || is_digit(c) || in_set("-._~", c) ||
	    in_set("!$&'()*+,;=", c) || c == '%';
}

static const struct {
	const char	*name;
	uint8_t		 bit;
	bool		(*member)(int);
} classes[] = {
	{ "C_TCHAR", C_TCHAR, is_tchar },
	{ "C_VALUE", C_VALUE, is_value },
	{ "C_TARGET", C_TARGET, is_target },
	{ "C_HEX", C_HEX, is_hex },
	{ "C_DIGIT", C_DIGIT, is_digit },
	{ "C_HOST", C_HOST, is_host },
	{ "C_WS", C_WS, is_ws },
};
#define NCLASSES	(sizeof(classes) / sizeof(classes[0]))

static void
test_every_class_every_byte(void)
{
	size_t k;
	int c;

	for (k = 0; k < NCLASSES; k++)
		for (c = 0; c < 256; c++) {
			bool want = classes[k].member(c);
			bool have = (http_cls[c] & classes[k].bit) != 0;

			check_at(have == want, __LINE__,
			    "byte 0x%02x: %s is %d in the table, %d by the RFC",
			    (unsigned)c, classes[k].name, have, want);
		}
}

/* The classes are distinct single bits and the table sets no other bit. */
static void
test_no_stray_bits(void)
{
	unsigned all = 0;
	size_t k;
	int c;

	for (k = 0; k < NCLASSES; k++) {
		CU_ASSERT_EQUAL(classes[k].bit & (classes[k].bit - 1), 0);
		CU_ASSERT_EQUAL(all & classes[k].bit, 0);
		all |= classes[k].bit;
	}
	for (c = 0; c < 256; c++)
		check_at((http_cls[c] & ~all) == 0, __LINE__,
		    "byte 0x%02x: bits 0x%02x belong to no class", (unsigned)c,
		    (unsigned)(http_cls[c] & ~all));
}

/* IS() indexes with the byte as unsigned: a negative char is obs-text. */
static void
test_is_macro(void)
{
	char obs = (char)0xe9;

	CU_ASSERT(IS(obs, C_VALUE));
	CU_ASSERT(!IS(obs, C_TCHAR));
	CU_ASSERT(IS('a', C_HEX) && IS('F', C_HEX) && !IS('g', C_HEX));
}

static void
test_case_helpers(void)
{
	static const char mixed[] = "Content-LENGTH";
	static const char hexdigits[] = "0123456789abcdef";
	int c;

	/* hexval() is defined on HEXDIG only: callers check C_HEX first. */
	for (c = 0; c < 256; c++)
		if (is_hex(c))
			check_at(hexval((unsigned char)c) ==
			    strchr(hexdigits, c | 0x20) - hexdigits, __LINE__,
			    "hexval('%c')", c);
	CU_ASSERT(ieq((const unsigned char *)mixed, "content-length",
	    sizeof(mixed) - 1));
	CU_ASSERT(!ieq((const unsigned char *)mixed, "content-lengtx",
	    sizeof(mixed) - 1));
	CU_ASSERT_EQUAL(lc('A'), 'a');
	CU_ASSERT_EQUAL(lc('Z'), 'z');
	CU_ASSERT_EQUAL(lc('@'), '@');
	CU_ASSERT_EQUAL(lc('['), '[');
	CU_ASSERT_EQUAL(lc(0xc0), 0xc0);
}

/* Split s with list_next and compare the elements with want[]. */
static void
check_list(const char *s, size_t n, const char *const *want, size_t nwant,
    int line)
{
	const unsigned char *p = (const unsigned char *)s, *e;
	const unsigned char *end = p + n;
	size_t el, i = 0;

	while (list_next(&p, end, &e, &el)) {
		if (!check_at(i < nwant, line, "more than %zu elements", nwant))
			return;
		check_at(el == strlen(want[i]) && memcmp(e, want[i], el) == 0,
		    line, "element %zu is \"%.*s\", not \"%s\"", i, (int)el,
		    (const char *)e, want[i]);
		i++;
	}
	check_at(i == nwant, line, "%zu elements, not %zu", i, nwant);
}

#define LIST(s, ...) do {						\
	static const char in_[] = s;					\
	static const char *const want_[] = { __VA_ARGS__ };		\
	check_list(in_, sizeof(in_) - 1, want_,				\
	    sizeof(want_) / sizeof(want_[0]), __LINE__);		\
} while (0)

static void
test_list_next(void)
{
	LIST("a", "a");
	LIST(" a ,\tb\t", "a", "b");
	LIST("a,,b", "a", "", "b");
	LIST("a,", "a", "");
	LIST("", "");
	LIST("\"x,y\", z", "\"x,y\"", "z");
	LIST("\"x\\\",y\",z", "\"x\\\",y\"", "z");
	/* An unterminated quote does not protect the comma. */
	LIST("\"x,y", "\"x", "y");
}

static void
test_quoted_end(void)
{
	static const char ok[] = "\"a\\\"b\"c";
	static const char open[] = "\"ab\\\"";
	static const char esc_end[] = "\"ab\\";
	const unsigned char *p;

	p = (const unsigned char *)ok;
	CU_ASSERT_PTR_EQUAL(quoted_end(p, p + sizeof(ok) - 1), p + 6);
	p = (const unsigned char *)open;
	CU_ASSERT_PTR_NULL(quoted_end(p, p + sizeof(open) - 1));
	p = (const unsigned char *)esc_end;
	CU_ASSERT_PTR_NULL(quoted_end(p, p + sizeof(esc_end) - 1));
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "every class, every byte", test_every_class_every_byte },
		{ "no stray bits", test_no_stray_bits },
		{ "IS() on signed char", test_is_macro },
		{ "lc, ieq, hexval", test_case_helpers },
		{ "list_next", test_list_next },
		{ "quoted_end", test_quoted_end },
	};

	return CUNIT_RUN("http_chars", NULL, NULL, tests);
}
