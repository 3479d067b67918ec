/*
 * http_date: HTTP dates; see http_date.h.
 *
 * Civil-date arithmetic after H. Hinnant's days_from_civil and
 * civil_from_days, in int64_t whatever the size of time_t, so no step
 * overflows; a parsed date that time_t cannot hold is an error, not a
 * wrapped value. Parsing checks every separator and every field range
 * (day of month included), so a date either is valid or is rejected
 * whole. Only the current time (http_date_parse() without _at) comes from
 * outside the arguments.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <string.h>

#include "http/http_date.h"
#include "http/http_chars.h"

static const char wkday[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const weekday[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char month[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	int64_t yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void
put2(char *o, int v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

size_t
http_date_format(time_t t, char out[HTTP_DATE_LEN + 1])
{
	const int64_t tmin = days_from_civil(0, 1, 1) * 86400;
	const int64_t tmax = days_from_civil(9999, 12, 31) * 86400 + 86399;
	int64_t s = (int64_t)t, days, y;
	int m, d, sec;

	if (s < tmin)
		s = tmin;
	if (s > tmax)
		s = tmax;
	days = floor_div(s, 86400);
	sec = (int)(s - days * 86400);
	civil_from_days(days, &y, &m, &d);
	memcpy(out, wkday[(int)((days % 7 + 11) % 7)], 3);	/* 1970-01-01 was a Thursday */
	memcpy(out + 3, ", ", 2);
	put2(out + 5, d);
	out[7] = ' ';
	memcpy(out + 8, month[m - 1], 3);
	out[11] = ' ';
	put2(out + 12, (int)(y / 100));
	put2(out + 14, (int)(y % 100));
	out[16] = ' ';
	put2(out + 17, sec / 3600);
	out[19] = ':';
	put2(out + 20, sec / 60 % 60);
	out[22] = ':';
	put2(out + 23, sec % 60);
	memcpy(out + 25, " GMT", 5);
	return HTTP_DATE_LEN;
}

/* n decimal digits at s, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!IS(s[i], C_DIGIT))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
month_lookup(const char *s)
{
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(s, month[i], 3) == 0)
			return i + 1;
	return -1;
}

static bool
wkday_valid(const char *s)
{
	int i;

	for (i = 0; i < 7; i++)
		if (memcmp(s, wkday[i], 3) == 0)
			return true;
	return false;
}

/* "HH:MM:SS" at s into seconds of the day, or -1. */
static int
time_of_day(const char *s)
{
	int h = digits(s, 2), m = digits(s + 3, 2), sec = digits(s + 6, 2);

	if (h < 0 || m < 0 || sec < 0 || s[2] != ':' || s[5] != ':' ||
	    h > 23 || m > 59 || sec > 60)
		return -1;
	return h * 3600 + m * 60 + sec;
}

static int
days_in_month(int64_t y, int m)
{
	static const int dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

static int
make_time(int64_t y, int m, int d, int tod, time_t *out)
{
	int64_t t;

	if (y < 0 || m < 1 || d < 1 || d > days_in_month(y, m) || tod < 0)
		return -1;
	t = days_from_civil(y, m, d) * 86400 + tod;
	if ((int64_t)(time_t)t != t)
		return -1;
	*out = (time_t)t;
	return 0;
}

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
static int
parse_imf(const char *s, size_t len, time_t *out)
{
	if (len != 29 || !wkday_valid(s) || memcmp(s + 3, ", ", 2) != 0 ||
	    s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
	    memcmp(s + 25, " GMT", 4) != 0)
		return -1;
	return make_time(digits(s + 12, 4), month_lookup(s + 8),
	    digits(s + 5, 2), time_of_day(s + 17), out);
}

/* asctime-date: "Sun Nov  6 08:49:37 1994" */
static int
parse_asctime(const char *s, size_t len, time_t *out)
{
	int d;

	if (len != 24 || !wkday_valid(s) || s[3] != ' ' || s[7] != ' ' ||
	    s[10] != ' ' || s[19] != ' ')
		return -1;
	d = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
	return make_time(digits(s + 20, 4), month_lookup(s + 4), d,
	    time_of_day(s + 11), out);
}

/* rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT" */
static int
parse_rfc850(const char *s, size_t len, bool have_now, time_t now,
    time_t *out)
{
	const char *r;
	int64_t cur, y;
	size_t wl;
	int i, m, d, yy;

	for (i = 0; i < 7; i++) {
		wl = strlen(weekday[i]);
		if (len > wl && memcmp(s, weekday[i], wl) == 0)
			break;
	}
	if (i == 7 || len != wl + 24)
		return -1;
	r = s + wl;
	if (memcmp(r, ", ", 2) != 0 || r[4] != '-' || r[8] != '-' ||
	    r[11] != ' ' || memcmp(r + 20, " GMT", 4) != 0 ||
	    (yy = digits(r + 9, 2)) < 0)
		return -1;
	if (!have_now)
		now = time(NULL);
	civil_from_days(floor_div((int64_t)now, 86400), &cur, &m, &d);
	y = cur - cur % 100 + yy;
	if (y > cur + 50)
		y -= 100;
	return make_time(y, month_lookup(r + 5), digits(r + 2, 2),
	    time_of_day(r + 12), out);
}

static int
date_parse(const char *s, size_t len, bool have_now, time_t now,
    time_t *out)
{
	if (len < 24)
		return -1;
	if (s[3] == ',')
		return parse_imf(s, len, out);
	if (s[3] == ' ')
		return parse_asctime(s, len, out);
	return parse_rfc850(s, len, have_now, now, out);
}

int
http_date_parse(const char *s, size_t len, time_t *out)
{
	return date_parse(s, len, false, 0, out);
}

int
http_date_parse_at(const char *s, size_t len, time_t now, time_t *out)
{
	return date_parse(s, len, true, now, out);
}
