/*
 * status_print: mserverctl status as text (like apachectl status) or as
 * one JSON object, from the census of core/status.h. Single-threaded
 * (one static map buffer).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/scoreboard.h"
#include "core/status.h"
#include "core/util.h"
#include "ctl/status_print.h"

#define MAP_MAX	(1 << 20)

static const char status_key[] =
    "\"_\" waiting for connection, \"S\" starting up, \"R\" reading, \"W\" writing,\n"
    "\"K\" keep-alive, \"C\" closing, \"L\" logging, \"G\" gracefully finishing,\n"
    "\"I\" idle cleanup, \".\" open slot with no current process";

/* The map: each slot's status letters (mserverctl is single-threaded, so
 * one static buffer serves). */
static size_t
build_map(struct sb *sb, char *map, size_t len)
{
	struct sb_header *h = sb_header(sb);
	unsigned i, t;
	size_t n = 0;

	for (i = 0; i < h->server_limit; i++) {
		unsigned nt = status_slot_letters(sb, i);

		for (t = 0; t < nt && n + 1 < len; t++)
			map[n++] = (char)status_letter(sb, i, t);
	}
	map[n] = '\0';
	return n;
}

static void
print_uptime(FILE *out, int64_t s)
{
	if (s >= 86400)
		fprintf(out, "%lldd ", (long long)(s / 86400));
	fprintf(out, "%lldh %lldm %llds", (long long)(s % 86400 / 3600),
	    (long long)(s % 3600 / 60), (long long)(s % 60));
}

/* " (SIGKILL 3, SIGSEGV 0, ...)": the deaths of one period by cause. */
static void
print_causes(FILE *out, const uint64_t *total, const unsigned *minute)
{
	unsigned i;

	for (i = 0; i < SB_NDEATHS; i++)
		fprintf(out, "%s%s %llu", i ? ", " : " (", sb_death_name(i),
		    total ? (unsigned long long)total[i] : (unsigned long long)minute[i]);
	fputc(')', out);
}

static void
print_deaths_text(const struct status_census *c, FILE *out)
{
	fprintf(out, "Worker deaths: %u in the last minute", c->deaths_minute_total);
	print_causes(out, NULL, c->deaths_minute);
	fprintf(out, "; %llu since start", (unsigned long long)c->deaths_total);
	print_causes(out, c->deaths, NULL);
	fprintf(out, ", %u before ready\n", c->early_deaths);
}

static void
print_procs_text(struct sb *sb, FILE *out)
{
	struct sb_header *h = sb_header(sb);
	unsigned i, k;

	fprintf(out, "\n%-5s %-8s %-4s %-8s %-9s %-6s %-10s %-10s %-12s %s\n", "Slot", "PID",
	    "Gen", "MPM", "State", "Open", "Conns", "Requests", "Bytes", "R/W/K/C");
	for (i = 0; i < h->server_limit; i++) {
		struct sb_proc *p = sb_proc(sb, i);
		struct sb_totals t;
		char mpm[sizeof(p->mpm)];

		if (SHARED_GET(p->pid) == 0)
			continue;
		sb_proc_totals(sb, i, &t);
		status_copy_field(mpm, p->mpm, sizeof(mpm));
		fprintf(out, "%-5u %-8d %-4u %-8s %-9s %-6u %-10llu %-10llu %-12llu ", i,
		    (int)SHARED_GET(p->pid), SHARED_GET(p->generation), mpm,
		    sb_proc_state_name(SHARED_GET(p->state)), SHARED_GET(p->conns),
		    (unsigned long long)t.connections, (unsigned long long)t.requests,
		    (unsigned long long)t.bytes);
		for (k = 0; k < SB_NCONN_STATES; k++)
			fprintf(out, "%s%u", k ? "/" : "", SHARED_GET(p->by_state[k]));
		fputc('\n', out);
	}
}

void
status_text(struct sb *sb, FILE *out)
{
	struct sb_header *h = sb_header(sb);
	static char map[MAP_MAX];
	struct status_census c;
	size_t i, n;
	char mpm[sizeof(h->mpm)], msg[sizeof(h->reload_msg)];

	status_census(sb, &c);
	n = build_map(sb, map, sizeof(map));
	status_copy_field(mpm, h->mpm, sizeof(mpm));
	fprintf(out, "mserverd %.*s (master pid %d)\n", (int)sizeof(h->version_str),
	    h->version_str, (int)h->master_pid);
	fprintf(out, "MPM: %s   Generation: %u   Uptime: ", mpm, SHARED_GET(h->generation));
	print_uptime(out, c.uptime_s);
	fprintf(out, "\nLimits: workers %d, spare %d-%d, threads/process %d, server_limit %u,"
	    " max_connections %d\n", h->workers, h->min_spare, h->max_spare, h->threads,
	    h->server_limit, h->max_connections);
	fprintf(out, "Total: %llu connections, %llu requests, %llu bytes sent\n",
	    (unsigned long long)c.connections, (unsigned long long)c.requests,
	    (unsigned long long)c.bytes);
	fprintf(out, "%u processes, %u busy, %u idle; %u respawned after a crash\n",
	    c.procs, c.busy, c.idle, SHARED_GET(h->respawns));
	print_deaths_text(&c, out);
	fprintf(out, "Chat: %u clients, %u rooms, %llu lines published, %llu delivered,"
	    " %llu clients dropped as slow\n", c.chat_clients, c.chat_rooms,
	    (unsigned long long)c.chat_published, (unsigned long long)c.chat_delivered,
	    (unsigned long long)c.chat_dropped);
	if (SHARED_GET(h->reload_seq)) {
		status_copy_field(msg, h->reload_msg, sizeof(msg));
		fprintf(out, "Last reload: %s: %s\n", h->reload_ok ? "ok" : "failed", msg);
	}
	if (SHARED_GET(h->stopping))
		fprintf(out, "Stopping (%s)\n", SHARED_GET(h->stopping) == 1 ? "graceful" : "fast");
	print_procs_text(sb, out);
	fprintf(out, "\nScoreboard:\n");
	for (i = 0; i < n; i += 64)
		fprintf(out, "%.*s\n", (int)(n - i < 64 ? n - i : 64), map + i);
	fprintf(out, "\nKey:\n%s\n", status_key);
}

static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void
print_deaths_json(const struct status_census *c, FILE *out)
{
	unsigned i;

	fprintf(out, ",\"deaths\":{\"total\":%llu,\"last_minute\":%u,\"before_ready\":%u,"
	    "\"by_signal\":{", (unsigned long long)c->deaths_total, c->deaths_minute_total,
	    c->early_deaths);
	for (i = 0; i < SB_NDEATHS; i++)
		fprintf(out, "%s\"%s\":%llu", i ? "," : "", sb_death_name(i),
		    (unsigned long long)c->deaths[i]);
	fprintf(out, "},\"last_minute_by_signal\":{");
	for (i = 0; i < SB_NDEATHS; i++)
		fprintf(out, "%s\"%s\":%u", i ? "," : "", sb_death_name(i), c->deaths_minute[i]);
	fprintf(out, "}}");
}

static void
print_procs_json(struct sb *sb, FILE *out)
{
	struct sb_header *h = sb_header(sb);
	unsigned i, k, first = 1;

	fprintf(out, "\"processes\":[");
	for (i = 0; i < h->server_limit; i++) {
		struct sb_proc *p = sb_proc(sb, i);
		struct sb_totals t;
		char mpm[sizeof(p->mpm)];

		if (SHARED_GET(p->pid) == 0)
			continue;
		sb_proc_totals(sb, i, &t);
		status_copy_field(mpm, p->mpm, sizeof(mpm));
		fprintf(out, "%s{\"slot\":%u,\"pid\":%d,\"generation\":%u,\"mpm\":", first ? "" : ",",
		    i, (int)SHARED_GET(p->pid), SHARED_GET(p->generation));
		json_str(out, mpm);
		fprintf(out, ",\"state\":\"%s\",\"open\":%u,\"connections\":%llu,\"requests\":%llu,"
		    "\"bytes\":%llu,\"threads\":%u,\"chat_clients\":%u,\"by_state\":{",
		    sb_proc_state_name(SHARED_GET(p->state)), SHARED_GET(p->conns),
		    (unsigned long long)t.connections, (unsigned long long)t.requests,
		    (unsigned long long)t.bytes, status_proc_threads(sb, i), t.chat_clients);
		for (k = 0; k < SB_NCONN_STATES; k++)
			fprintf(out, "%s\"%c\":%u", k ? "," : "", SB_CONN_STATES[k],
			    SHARED_GET(p->by_state[k]));
		fprintf(out, "}}");
		first = 0;
	}
	fprintf(out, "]");
}

void
status_json(struct sb *sb, FILE *out)
{
	struct sb_header *h = sb_header(sb);
	static char map[MAP_MAX];
	struct status_census c;
	char mpm[sizeof(h->mpm)], msg[sizeof(h->reload_msg)], ver[sizeof(h->version_str)];

	status_census(sb, &c);
	build_map(sb, map, sizeof(map));
	status_copy_field(mpm, h->mpm, sizeof(mpm));
	status_copy_field(ver, h->version_str, sizeof(ver));
	status_copy_field(msg, h->reload_msg, sizeof(msg));
	fprintf(out, "{\"version\":");
	json_str(out, ver);
	fprintf(out, ",\"master_pid\":%d,\"generation\":%u,\"mpm\":", (int)h->master_pid,
	    SHARED_GET(h->generation));
	json_str(out, mpm);
	fprintf(out, ",\"uptime\":%lld,\"stopping\":%d,\"workers\":%d,\"min_spare\":%d,"
	    "\"max_spare\":%d,\"threads\":%d,\"server_limit\":%u,\"max_connections\":%d,"
	    "\"connections\":%llu,\"requests\":%llu,\"bytes\":%llu,\"busy\":%u,\"idle\":%u,"
	    "\"respawns\":%u", (long long)c.uptime_s, SHARED_GET(h->stopping), h->workers,
	    h->min_spare, h->max_spare, h->threads, h->server_limit, h->max_connections,
	    (unsigned long long)c.connections, (unsigned long long)c.requests,
	    (unsigned long long)c.bytes, c.busy, c.idle, SHARED_GET(h->respawns));
	print_deaths_json(&c, out);
	fprintf(out, ",\"reload\":{\"seq\":%u,\"ok\":%s,\"generation\":%u,\"message\":",
	    SHARED_GET(h->reload_seq), h->reload_ok ? "true" : "false", h->reload_generation);
	json_str(out, msg);
	fprintf(out, "},\"chat\":{\"clients\":%u,\"rooms\":%u,\"published\":%llu,"
	    "\"delivered\":%llu,\"dropped\":%llu},", c.chat_clients, c.chat_rooms,
	    (unsigned long long)c.chat_published, (unsigned long long)c.chat_delivered,
	    (unsigned long long)c.chat_dropped);
	print_procs_json(sb, out);
	fprintf(out, ",\"scoreboard\":");
	json_str(out, map);
	fprintf(out, "}\n");
}
