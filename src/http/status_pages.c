/*
 * status_pages: the bodies of /server-status (HTML, and Apache mod_status's
 * machine-readable "?auto" text) and /metrics (Prometheus text format
 * 0.0.4). See status_pages.h.
 *
 * Every figure comes from one status_census() pass over the scoreboard
 * (status.c, shared with mserverctl), so all three formats agree with each
 * other and with "mserverctl status", under every MPM and in every worker
 * process. The only other inputs are the clock, the load average and the
 * host name, which Apache's page shows too.
 *
 * "?auto" follows the short report of Apache httpd 2.4's mod_status key for
 * key -- names, order and number formats -- so that its exporters parse it.
 * Keys we cannot fill truthfully (Total Duration, DurationPerReq, CPU*)
 * are left out, as Apache leaves out what it lacks; the Processes/Stopping
 * and Conns* keys, which Apache prints only under an async MPM, are always
 * printed here because every process reports its connections.
 *
 * Invariants: the body is appended to out and nothing else is allocated;
 * no state is kept, so worker threads may render concurrently; strings
 * from shared memory are copied with a bound (a writer may be changing
 * them) and escaped for the format; on failure out is left as it was.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/status_pages.h"
#include "core/scoreboard.h"
#include "core/status.h"
#include "core/util.h"

#define MAP_LINE	64	/* letters per line of the HTML map (Apache's) */
#define KBYTE		1024.0
#define TIME_FMT	"%A, %d-%b-%Y %H:%M:%S %Z"	/* Apache's DEFAULT_TIME_FORMAT */
#define BUILT		__DATE__ " " __TIME__

/* A render in progress: an append failure is sticky, checked once. */
struct rd {
	struct buf	*out;
	int		 err;
};

/* What the page heads show, read once. */
struct snap {
	struct status_census c;
	char		 version[sizeof(((struct sb_header *)0)->version_str)];
	char		 mpm[sizeof(((struct sb_header *)0)->mpm)];
	uint32_t	 generation, respawns;
	int64_t		 start_ms, uptime_s;
	double		 load[3];
	int		 have_load;
};

static const struct {
	char		 letter;
	const char	*text;
} key[] = {
	{ SB_WAITING, "Waiting for Connection" },
	{ SB_STARTING, "Starting up" },
	{ SB_READING, "Reading Request" },
	{ SB_WRITING, "Sending Reply" },
	{ SB_KEEPALIVE, "Keepalive (read)" },
	{ SB_CLOSING, "Closing connection" },
	{ SB_LOGGING, "Logging" },
	{ SB_GRACEFUL, "Gracefully finishing" },
	{ SB_IDLE_CLEANUP, "Idle cleanup of worker" },
	{ SB_OPEN, "Open slot with no current process" },
};

/* Prometheus names for the SB_CONN_STATES letters, in their order. */
static const char *const conn_state_names[SB_NCONN_STATES] = {
	"reading", "writing", "keepalive", "closing",
};

/* ---- appending ------------------------------------------------------ */

static void
put(struct rd *r, const char *s, size_t n)
{
	if (!r->err && buf_append(r->out, s, n) == -1)
		r->err = 1;
}

static void
puts_(struct rd *r, const char *s)
{
	put(r, s, strlen(s));
}

static void	putf(struct rd *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static void
putf(struct rd *r, const char *fmt, ...)
{
	size_t room = 128;
	va_list ap;
	char *w;
	int n;

	while (!r->err) {
		if ((w = buf_reserve(r->out, room)) == NULL) {
			r->err = 1;
			return;
		}
		room = r->out->cap - r->out->end;
		va_start(ap, fmt);
		n = vsnprintf(w, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			r->err = 1;
		else if ((size_t)n < room) {
			buf_commit(r->out, (size_t)n);
			return;
		} else
			room = (size_t)n + 1;
	}
}

/* One character of a text or HTML line: control characters become '?'. */
static void
put_safe(struct rd *r, char ch)
{
	if ((unsigned char)ch < 0x20 || ch == 0x7f)
		ch = '?';
	put(r, &ch, 1);
}

static void
put_text(struct rd *r, const char *s)
{
	for (; *s; s++)
		put_safe(r, *s);
}

static void
put_html(struct rd *r, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':	puts_(r, "&lt;"); break;
		case '>':	puts_(r, "&gt;"); break;
		case '&':	puts_(r, "&amp;"); break;
		case '"':	puts_(r, "&quot;"); break;
		case '\'':	puts_(r, "&#39;"); break;
		default:	put_safe(r, *s); break;
		}
	}
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void
put_label(struct rd *r, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			put(r, "\\", 1);
		if (*s == '\n')
			puts_(r, "\\n");
		else
			put(r, s, 1);
	}
}

/* ---- shared pieces ------------------------------------------------ */

static void
take_snap(struct sb *sb, struct snap *s, int want_load)
{
	struct sb_header *h = sb_header(sb);

	memset(s, 0, sizeof(*s));
	status_census(sb, &s->c);
	status_copy_field(s->version, h->version_str, sizeof(s->version));
	status_copy_field(s->mpm, h->mpm, sizeof(s->mpm));
	s->generation = SHARED_GET(h->generation);
	s->respawns = SHARED_GET(h->respawns);
	s->start_ms = h->start_ms;
	s->uptime_s = s->c.uptime_s > 0 ? s->c.uptime_s : 0;
	s->have_load = want_load && getloadavg(s->load, 3) == 3;
}

static void
fmt_time(char *dst, size_t n, time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(dst, n, TIME_FMT, &tm) == 0)
		strlcpy_(dst, "-", n);
}

/* Apache's show_time(): " 1 day 2 hours 3 minutes 4 seconds", zero
 * fields left out (so nothing at all for 0). */
static void
put_uptime(struct rd *r, int64_t s)
{
	static const struct { const char *unit; int64_t div, mod; } f[] = {
		{ "day", 86400, 0 }, { "hour", 3600, 24 }, { "minute", 60, 60 },
		{ "second", 1, 60 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(f); i++) {
		long long v = s / f[i].div;

		if (f[i].mod)
			v %= f[i].mod;
		if (v)
			putf(r, " %lld %s%s", v, f[i].unit, v == 1 ? "" : "s");
	}
}

/* The map: every slot's letters in slot order; per_line 0 is one line. */
static void
put_map(struct rd *r, struct sb *sb, unsigned per_line, int html)
{
	unsigned i, t, n = 0, slots = sb_header(sb)->server_limit;

	for (i = 0; i < slots; i++) {
		unsigned nt = status_slot_letters(sb, i);

		for (t = 0; t < nt; t++) {
			char l[2] = { (char)status_letter(sb, i, t), '\0' };

			if (html)
				put_html(r, l);
			else
				put(r, l, 1);
			if (per_line && ++n % per_line == 0)
				put(r, "\n", 1);
		}
	}
}

/* ---- ?auto ---------------------------------------------------------- */

static void
auto_server(struct rd *r, const struct snap *s)
{
	char host[256], now[80], start[80];

	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		put_text(r, host);
		put(r, "\n", 1);
	}
	fmt_time(now, sizeof(now), time(NULL));
	fmt_time(start, sizeof(start), (time_t)(s->start_ms / 1000));
	puts_(r, "ServerVersion: mserver/");
	put_text(r, s->version);
	puts_(r, "\nServerMPM: ");
	put_text(r, s->mpm);
	putf(r, "\nServer Built: %s\nCurrentTime: %s\nRestartTime: %s\n", BUILT, now, start);
	putf(r, "ParentServerConfigGeneration: %u\nParentServerMPMGeneration: %u\n",
	    s->generation, s->generation);
	putf(r, "ServerUptimeSeconds: %lld\nServerUptime:", (long long)s->uptime_s);
	put_uptime(r, s->uptime_s);
	put(r, "\n", 1);
	if (s->have_load)
		putf(r, "Load1: %.2f\nLoad5: %.2f\nLoad15: %.2f\n", s->load[0], s->load[1],
		    s->load[2]);
}

static void
auto_totals(struct rd *r, const struct snap *s)
{
	const struct status_census *c = &s->c;
	double up = (double)s->uptime_s;

	putf(r, "Total Accesses: %llu\nTotal kBytes: %llu\nUptime: %lld\n",
	    (unsigned long long)c->requests, (unsigned long long)(c->bytes / 1024),
	    (long long)s->uptime_s);
	if (s->uptime_s > 0)
		putf(r, "ReqPerSec: %g\nBytesPerSec: %g\n", (double)c->requests / up,
		    (double)c->bytes / up);
	if (c->requests > 0)
		putf(r, "BytesPerReq: %g\n", (double)c->bytes / (double)c->requests);
}

static void
auto_workers(struct rd *r, const struct snap *s)
{
	const struct status_census *c = &s->c;

	putf(r, "BusyWorkers: %u\nIdleWorkers: %u\n", c->busy, c->idle);
	putf(r, "Processes: %u\nStopping: %u\n", c->procs,
	    c->pstates[SB_PROC_DRAINING] + c->pstates[SB_PROC_EXITING]);
	putf(r, "ConnsTotal: %u\nConnsAsyncWriting: %u\nConnsAsyncKeepAlive: %u\n"
	    "ConnsAsyncClosing: %u\n", c->open, c->conn_states[sb_conn_idx(SB_WRITING)],
	    c->conn_states[sb_conn_idx(SB_KEEPALIVE)], c->conn_states[sb_conn_idx(SB_CLOSING)]);
}

static void
render_auto(struct rd *r, struct sb *sb, const struct snap *s)
{
	auto_server(r, s);
	auto_totals(r, s);
	auto_workers(r, s);
	puts_(r, "Scoreboard: ");
	put_map(r, sb, 0, 0);
	put(r, "\n", 1);
}

/* ---- Prometheus ----------------------------------------------------- */

static void
family(struct rd *r, const char *name, const char *type, const char *help)
{
	putf(r, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
scalar(struct rd *r, const char *name, const char *type, const char *help, uint64_t v)
{
	family(r, name, type, help);
	putf(r, "%s %llu\n", name, (unsigned long long)v);
}

static void
labelled(struct rd *r, const char *name, const char *label, const char *value, uint64_t v)
{
	putf(r, "%s{%s=\"", name, label);
	put_label(r, value);
	putf(r, "\"} %llu\n", (unsigned long long)v);
}

static void
metrics_info(struct rd *r, const struct snap *s)
{
	family(r, "mserver_info", "gauge", "Version of the server and MPM of the current generation.");
	puts_(r, "mserver_info{version=\"");
	put_label(r, s->version);
	puts_(r, "\",mpm=\"");
	put_label(r, s->mpm);
	puts_(r, "\"} 1\n");
	scalar(r, "mserver_generation", "gauge",
	    "Configuration generation (bumped by every successful reload).", s->generation);
	scalar(r, "mserver_uptime_seconds", "gauge", "Seconds since the master started.",
	    (uint64_t)s->uptime_s);
}

static void
metrics_totals(struct rd *r, const struct snap *s)
{
	static const char *const classes[SB_NCODES] = { "1xx", "2xx", "3xx", "4xx", "5xx" };
	const struct status_census *c = &s->c;
	unsigned i;

	scalar(r, "mserver_requests_total", "counter",
	    "Requests served, including by worker processes that have exited.", c->requests);
	scalar(r, "mserver_sent_bytes_total", "counter",
	    "Bytes sent to clients, including by worker processes that have exited.", c->bytes);
	scalar(r, "mserver_connections_total", "counter",
	    "Connections accepted, including by worker processes that have exited.",
	    c->connections);
	family(r, "mserver_responses_total", "counter", "Responses by status class.");
	for (i = 0; i < SB_NCODES; i++)
		labelled(r, "mserver_responses_total", "code", classes[i], c->codes[i]);
}

static void
metrics_now(struct rd *r, const struct snap *s)
{
	static const struct { const char *name; unsigned st; } ps[] = {
		{ "ready", SB_PROC_READY }, { "full", SB_PROC_FULL },
		{ "draining", SB_PROC_DRAINING }, { "starting", SB_PROC_STARTING },
	};
	const struct status_census *c = &s->c;
	unsigned i;

	family(r, "mserver_connections", "gauge", "Open connections by state.");
	for (i = 0; i < SB_NCONN_STATES; i++)
		labelled(r, "mserver_connections", "state", conn_state_names[i], c->conn_states[i]);
	family(r, "mserver_workers", "gauge",
	    "Worker slots (threads or event loops) busy or idle (waiting for a connection).");
	labelled(r, "mserver_workers", "state", "busy", c->busy);
	labelled(r, "mserver_workers", "state", "idle", c->idle);
	family(r, "mserver_processes", "gauge",
	    "Worker processes by state (draining includes exiting).");
	for (i = 0; i < ARRAY_LEN(ps); i++)
		labelled(r, "mserver_processes", "state", ps[i].name, c->pstates[ps[i].st] +
		    (ps[i].st == SB_PROC_DRAINING ? c->pstates[SB_PROC_EXITING] : 0));
	scalar(r, "mserver_respawns_total", "counter", "Worker processes restarted after a crash.",
	    s->respawns);
}

static void
metrics_deaths(struct rd *r, const struct snap *s)
{
	const struct status_census *c = &s->c;
	unsigned i;

	family(r, "mserver_worker_deaths_total", "counter",
	    "Unexpected deaths of worker processes by cause (the signal, or exit).");
	for (i = 0; i < SB_NDEATHS; i++)
		labelled(r, "mserver_worker_deaths_total", "cause", sb_death_name(i), c->deaths[i]);
	family(r, "mserver_worker_deaths_last_minute", "gauge",
	    "Unexpected deaths of worker processes in the last 60 seconds, by cause.");
	for (i = 0; i < SB_NDEATHS; i++)
		labelled(r, "mserver_worker_deaths_last_minute", "cause", sb_death_name(i),
		    c->deaths_minute[i]);
	scalar(r, "mserver_worker_early_deaths_total", "counter",
	    "Worker processes that died before they were ready (restarted after a back-off).",
	    c->early_deaths);
}

static void
metrics_chat(struct rd *r, const struct snap *s)
{
	const struct status_census *c = &s->c;

	scalar(r, "mserver_chat_clients", "gauge", "Chat clients connected, on all workers.",
	    c->chat_clients);
	scalar(r, "mserver_chat_rooms", "gauge", "Chat rooms with at least one member.",
	    c->chat_rooms);
	scalar(r, "mserver_chat_published_total", "counter",
	    "Lines published on the chat bus (messages and announcements).", c->chat_published);
	scalar(r, "mserver_chat_delivered_total", "counter",
	    "Chat lines queued to clients, including by worker processes that have exited.",
	    c->chat_delivered);
	scalar(r, "mserver_chat_dropped_total", "counter",
	    "Chat clients disconnected for falling behind.", c->chat_dropped);
}

static void
render_metrics(struct rd *r, struct sb *sb, const struct snap *s)
{
	metrics_info(r, s);
	metrics_totals(r, s);
	metrics_now(r, s);
	metrics_deaths(r, s);
	metrics_chat(r, s);
}

/* ---- HTML ----------------------------------------------------------- */

/* Apache's format_byte_out() (whole bytes truncated, as its cast does). */
static void
put_bytes(struct rd *r, double b)
{
	if (b < 5 * KBYTE)
		putf(r, "%llu B", (unsigned long long)b);
	else if (b < KBYTE * KBYTE / 2)
		putf(r, "%.1f kB", b / KBYTE);
	else if (b < KBYTE * KBYTE * KBYTE / 2)
		putf(r, "%.1f MB", b / (KBYTE * KBYTE));
	else
		putf(r, "%.1f GB", b / (KBYTE * KBYTE * KBYTE));
}

static void
html_server(struct rd *r, const struct snap *s)
{
	char now[80], start[80];

	fmt_time(now, sizeof(now), time(NULL));
	fmt_time(start, sizeof(start), (time_t)(s->start_ms / 1000));
	puts_(r, "<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\">\n"
	    "<title>mserver Status</title>\n</head><body>\n<h1>mserver Server Status</h1>\n\n"
	    "<dl><dt>Server Version: mserver/");
	put_html(r, s->version);
	puts_(r, "</dt>\n<dt>Server MPM: ");
	put_html(r, s->mpm);
	puts_(r, "</dt>\n<dt>Server Built: " BUILT "</dt></dl><hr /><dl>\n<dt>Current Time: ");
	put_html(r, now);
	puts_(r, "</dt>\n<dt>Restart Time: ");
	put_html(r, start);
	putf(r, "</dt>\n<dt>Parent Server Generation: %u</dt>\n<dt>Server uptime:",
	    s->generation);
	put_uptime(r, s->uptime_s);
	puts_(r, "</dt>\n");
	if (s->have_load)
		putf(r, "<dt>Server load: %.2f %.2f %.2f</dt>\n", s->load[0], s->load[1],
		    s->load[2]);
}

static void
html_deaths(struct rd *r, const struct snap *s)
{
	const struct status_census *c = &s->c;
	unsigned i;

	putf(r, "<dt>Worker deaths: %u in the last minute", c->deaths_minute_total);
	for (i = 0; i < SB_NDEATHS; i++)
		putf(r, "%s%s %u", i ? ", " : " (", sb_death_name(i), c->deaths_minute[i]);
	putf(r, "); %llu since start, %u before ready</dt>\n",
	    (unsigned long long)c->deaths_total, c->early_deaths);
}

static void
html_totals(struct rd *r, const struct snap *s)
{
	const struct status_census *c = &s->c;

	putf(r, "<dt>Total accesses: %llu - Total Traffic: ", (unsigned long long)c->requests);
	put_bytes(r, (double)c->bytes);
	putf(r, " - Total connections: %llu</dt>\n<dt>", (unsigned long long)c->connections);
	if (s->uptime_s > 0) {
		putf(r, "%.3g requests/sec - ", (double)c->requests / (double)s->uptime_s);
		put_bytes(r, (double)c->bytes / (double)s->uptime_s);
		puts_(r, "/second");
	}
	if (c->requests > 0) {
		puts_(r, s->uptime_s > 0 ? " - " : "");
		put_bytes(r, (double)c->bytes / (double)c->requests);
		puts_(r, "/request");
	}
	putf(r, "</dt>\n<dt>%u requests currently being processed, %u idle workers</dt>\n",
	    c->busy, c->idle);
	putf(r, "<dt>%u processes, %u stopping, %u open connections; %u respawned after a"
	    " crash</dt>\n", c->procs,
	    c->pstates[SB_PROC_DRAINING] + c->pstates[SB_PROC_EXITING], c->open, s->respawns);
	html_deaths(r, s);
	puts_(r, "</dl>\n");
}

static void
html_proc_row(struct rd *r, struct sb *sb, unsigned slot)
{
	struct sb_proc *p = sb_proc(sb, slot);
	unsigned k, by[SB_NCONN_STATES];
	char mpm[sizeof(p->mpm)];
	struct sb_totals t;

	status_copy_field(mpm, p->mpm, sizeof(mpm));
	sb_proc_totals(sb, slot, &t);
	status_proc_conn_states(sb, slot, by);
	putf(r, "<tr><td>%u</td><td>%d</td><td>%u</td><td>", slot, (int)SHARED_GET(p->pid),
	    SHARED_GET(p->generation));
	put_html(r, mpm);
	puts_(r, "</td><td>");
	put_html(r, sb_proc_state_name(SHARED_GET(p->state)));
	putf(r, "</td><td>%u</td><td>%llu</td><td>%llu</td><td>%llu</td>", SHARED_GET(p->conns),
	    (unsigned long long)t.connections, (unsigned long long)t.requests,
	    (unsigned long long)t.bytes);
	for (k = 0; k < SB_NCONN_STATES; k++)
		putf(r, "<td>%u</td>", by[k]);
	puts_(r, "</tr>\n");
}

static void
html_procs(struct rd *r, struct sb *sb)
{
	unsigned i, slots = sb_header(sb)->server_limit;

	puts_(r, "\n<table border=\"1\"><tr><th>Slot</th><th>PID</th><th>Gen</th><th>MPM</th>"
	    "<th>State</th><th>Open</th><th>Conns</th><th>Requests</th><th>Bytes</th>"
	    "<th>R</th><th>W</th><th>K</th><th>C</th></tr>\n");
	for (i = 0; i < slots; i++)
		if (SHARED_GET(sb_proc(sb, i)->pid) != 0)
			html_proc_row(r, sb, i);
	puts_(r, "</table>\n");
}

static void
html_key(struct rd *r)
{
	size_t i;

	puts_(r, "<p>Scoreboard Key:<br />\n");
	for (i = 0; i < ARRAY_LEN(key); i++) {
		puts_(r, "\"<b><code>");
		put_html(r, (char[]){ key[i].letter, '\0' });
		puts_(r, "</code></b>\" ");
		put_html(r, key[i].text);
		puts_(r, i + 1 < ARRAY_LEN(key) ? ",\n" : "</p>\n");
	}
}

static void
render_html(struct rd *r, struct sb *sb, const struct snap *s)
{
	html_server(r, s);
	html_totals(r, s);
	html_procs(r, sb);
	puts_(r, "<pre>");
	put_map(r, sb, MAP_LINE, 1);
	puts_(r, "</pre>\n");
	html_key(r);
	puts_(r, "</body></html>\n");
}

/* ---- entry points --------------------------------------------------- */

int
status_page_render(struct buf *out, struct sb *sb, enum status_page_fmt fmt)
{
	static void (*const render[])(struct rd *, struct sb *, const struct snap *) = {
		[STATUS_PAGE_HTML] = render_html,
		[STATUS_PAGE_AUTO] = render_auto,
		[STATUS_PAGE_METRICS] = render_metrics,
	};
	struct rd r = { out, 0 };
	size_t len = buf_len(out);
	struct snap s;

	if ((unsigned)fmt >= ARRAY_LEN(render))
		return -1;
	take_snap(sb, &s, fmt != STATUS_PAGE_METRICS);
	render[fmt](&r, sb, &s);
	if (r.err) {
		out->end = out->start + len;	/* compaction keeps the length */
		return -1;
	}
	return 0;
}

const char *
status_page_type(enum status_page_fmt fmt)
{
	switch (fmt) {
	case STATUS_PAGE_HTML:
		return "text/html; charset=utf-8";
	case STATUS_PAGE_AUTO:
		return "text/plain; charset=utf-8";
	case STATUS_PAGE_METRICS:
		return "text/plain; version=0.0.4; charset=utf-8";
	}
	return "text/plain; charset=utf-8";
}
