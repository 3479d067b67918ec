/*
 * test_http_cond: a static file's entity tag and the conditional
 * requests decided on it (http_cond.h), on hand-made requests: no
 * parser, no file, no clock (now is a parameter).
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "http/http_cond.h"
#include "http/http_parse.h"
#include "cunit_run.h"

/* Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date. */
#define MTIME		784111777
#define MTIME_STR	"Sun, 06 Nov 1994 08:49:37 GMT"
#define LATER_STR	"Sun, 06 Nov 1994 08:49:38 GMT"
#define EARLIER_STR	"Sun, 06 Nov 1994 08:49:36 GMT"

/* Set a request field and its length from a string literal. */
#define SET(req, field, lit)	((req).field = (lit), (req).field##_len = sizeof(lit) - 1)

static struct stat st;
static char etag[64];

static void
setup(struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	req->method = HTTP_M_GET;
	memset(&st, 0, sizeof(st));
	st.st_size = 0x400;
	st.st_mtim.tv_sec = MTIME;
	st.st_mtim.tv_nsec = 5;
	http_etag(&st, etag, sizeof(etag));
}

static void
test_etag(void)
{
	struct http_request req;
	char other[64];

	setup(&req);
	/* size 0x400, mtime in ns 784111777 * 10^9 + 5, in hex */
	CU_ASSERT_STRING_EQUAL(etag, "\"400-ae1b981bc490a05\"");
	st.st_mtim.tv_nsec = 6;
	http_etag(&st, other, sizeof(other));
	CU_ASSERT_STRING_NOT_EQUAL(etag, other);	/* a touch changes it */
}

static void
test_if_none_match(void)
{
	struct http_request req;
	char list[128];

	setup(&req);
	CU_ASSERT_FALSE(http_not_modified(&req, &st, etag, MTIME + 10));	/* no condition */
	SET(req, if_none_match, "*");
	CU_ASSERT_TRUE(http_not_modified(&req, &st, etag, MTIME + 10));
	SET(req, if_none_match, "\"other\"");
	CU_ASSERT_FALSE(http_not_modified(&req, &st, etag, MTIME + 10));
	snprintf(list, sizeof(list), "\"a\", W/%s", etag);	/* weak comparison */
	req.if_none_match = list;
	req.if_none_match_len = strlen(list);
	CU_ASSERT_TRUE(http_not_modified(&req, &st, etag, MTIME + 10));
	/* If-None-Match wins over If-Modified-Since, either way */
	SET(req, if_none_match, "\"other\"");
	SET(req, if_modified_since, MTIME_STR);
	CU_ASSERT_FALSE(http_not_modified(&req, &st, etag, MTIME + 10));
}

static void
test_if_modified_since(void)
{
	struct http_request req;

	setup(&req);
	SET(req, if_modified_since, MTIME_STR);
	CU_ASSERT_TRUE(http_not_modified(&req, &st, etag, MTIME + 10));
	SET(req, if_modified_since, LATER_STR);
	CU_ASSERT_TRUE(http_not_modified(&req, &st, etag, MTIME + 10));
	SET(req, if_modified_since, EARLIER_STR);
	CU_ASSERT_FALSE(http_not_modified(&req, &st, etag, MTIME + 10));
	/* a date after now is invalid and ignored */
	SET(req, if_modified_since, LATER_STR);
	CU_ASSERT_FALSE(http_not_modified(&req, &st, etag, MTIME));
	SET(req, if_modified_since, "yesterday");
	CU_ASSERT_FALSE(http_not_modified(&req, &st, etag, MTIME + 10));
}

static void
test_range_applies(void)
{
	struct http_request req;

	setup(&req);
	CU_ASSERT_FALSE(http_range_applies(&req, &st, etag));	/* no Range */
	SET(req, range, "bytes=0-1");
	CU_ASSERT_TRUE(http_range_applies(&req, &st, etag));
	req.method = HTTP_M_HEAD;
	CU_ASSERT_FALSE(http_range_applies(&req, &st, etag));
	req.method = HTTP_M_GET;
	req.if_range = etag;
	req.if_range_len = strlen(etag);
	CU_ASSERT_TRUE(http_range_applies(&req, &st, etag));
	req.if_range_len--;					/* a prefix is another tag */
	CU_ASSERT_FALSE(http_range_applies(&req, &st, etag));
	SET(req, if_range, "W/\"400-ae1b981bc490a05\"");	/* weak: never */
	CU_ASSERT_FALSE(http_range_applies(&req, &st, etag));
	SET(req, if_range, MTIME_STR);
	CU_ASSERT_TRUE(http_range_applies(&req, &st, etag));
	SET(req, if_range, LATER_STR);				/* exact date only */
	CU_ASSERT_FALSE(http_range_applies(&req, &st, etag));
}

int
main(void)
{
	static const struct cunit_test tests[] = {
		{ "entity tag", test_etag },
		{ "If-None-Match", test_if_none_match },
		{ "If-Modified-Since", test_if_modified_since },
		{ "Range and If-Range", test_range_applies },
	};

	return CUNIT_RUN("http_cond", NULL, NULL, tests);
}
