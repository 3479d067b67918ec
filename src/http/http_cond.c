/*
 * http_cond: the validators of a static file and the conditional
 * requests decided on them. See http_cond.h.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "http/http_cond.h"
#include "http/http_parse.h"

void
http_etag(const struct stat *st, char *out, size_t len)
{
	snprintf(out, len, "\"%llx-%llx\"", (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st->st_mtim.tv_nsec);
}

/* If-None-Match: "*" or a list containing our tag (weak comparison). */
static int
etag_matches(const char *v, size_t len, const char *etag)
{
	size_t el = strlen(etag), i = 0;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		if (i < len && v[i] == '*')
			return 1;
		if (i + 2 < len && v[i] == 'W' && v[i + 1] == '/')
			i += 2;
		if (i + el <= len && memcmp(v + i, etag, el) == 0)
			return 1;
		while (i < len && v[i] != ',')
			i++;
	}
	return 0;
}

/* 304 per RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since. */
int
http_not_modified(const struct http_request *req, const struct stat *st, const char *etag,
    time_t now)
{
	time_t since;

	if (req->if_none_match != NULL)
		return etag_matches(req->if_none_match, req->if_none_match_len, etag);
	/* A date in the future is invalid (RFC 9110 §13.1.3): ignored. */
	return req->if_modified_since != NULL &&
	    http_date_parse(req->if_modified_since, req->if_modified_since_len, &since) == 0 &&
	    since <= now && st->st_mtim.tv_sec <= since;
}

/* Range applies unless If-Range names another version. */
int
http_range_applies(const struct http_request *req, const struct stat *st, const char *etag)
{
	time_t t;

	if (req->range == NULL || req->method != HTTP_M_GET)
		return 0;
	if (req->if_range == NULL)
		return 1;
	if (req->if_range[0] == '"')
		return req->if_range_len == strlen(etag) &&
		    memcmp(req->if_range, etag, req->if_range_len) == 0;
	return http_date_parse(req->if_range, req->if_range_len, &t) == 0 &&
	    st->st_mtim.tv_sec == t;
}
