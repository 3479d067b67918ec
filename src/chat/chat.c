/*
 * chat: the line protocol of mserverd(8)'s CHAT PROTOCOL section.
 *
 * A connection is a member of the bus (chat_bus.h) from open to close.
 * Its input is split into lines (chat_line_next) and each line is a
 * command or a message; replies and errors go straight to its output
 * queue, everything published goes through the bus and comes back to
 * every member, the sender included, through pull: the MPM calls pull
 * when the process is woken by a publisher (proto.h, PROTO_PUSH_SIGNAL),
 * and the handler copies what is due from the ring into the queue, up to
 * CHAT_OUT_BATCH bytes at a time, so one write carries many lines.
 *
 * Bounded memory: a member stops copying while CHAT_OUT_BATCH bytes are
 * queued (the socket does not drain); the lines wait in the ring, and a
 * member that falls more than chat.max_lag lines behind its room, or is
 * overtaken by the ring, is dropped with "* error too slow".
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/buf.h"
#include "chat/chat.h"
#include "chat/chat_bus.h"
#include "conn/child.h"
#include "core/conf.h"
#include "conn/conn.h"
#include "core/log.h"
#include "core/proto.h"
#include "core/scoreboard.h"
#include "core/util.h"

#define CHAT_OUT_BATCH	(64 * 1024)	/* queued output that stops pulling */
#define CHAT_READ_MIN	(16 * 1024)	/* bytes asked of the bus per read */
#define CHAT_DROP_MS	2000		/* a dropped client's last flush */

struct chat_conn {
	struct chat_member	m;
	unsigned		entered:1;	/* a member of the bus */
	unsigned		skipping:1;	/* discarding the rest of a long line */
};

/* Per process: set by the master before fork, then by child_init. */
static struct chat_bus	*chat_bus;
static unsigned		 chat_slot;
static pid_t		 chat_pid;
static size_t		 chat_max_line = 4096;
static int		 chat_idle_ms;

/* ---- pure parsers -------------------------------------------------- */

int
chat_line_next(const char *buf, size_t len, size_t max, size_t *line_len,
    size_t *consumed)
{
	size_t scan = len < max + 2 ? len : max + 2;	/* max, CR, LF */
	const char *lf = memchr(buf, '\n', scan);
	size_t n;

	*line_len = 0;
	*consumed = 0;
	if (lf == NULL) {
		/* No LF within max + CR + LF: long, unless the max + 1st byte
		 * may still be the CR of a CRLF. */
		if (len > max + 1 || (len == max + 1 && buf[max] != '\r')) {
			lf = memchr(buf + scan, '\n', len - scan);
			*consumed = lf ? (size_t)(lf - buf) + 1 : len;
			return CHAT_LINE_LONG;
		}
		return CHAT_LINE_NEED;
	}
	n = (size_t)(lf - buf);
	*consumed = n + 1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > max)
		return CHAT_LINE_LONG;
	*line_len = n;
	return CHAT_LINE_OK;
}

int
chat_line_skip(const char *buf, size_t len, size_t *consumed)
{
	const char *lf = memchr(buf, '\n', len);

	*consumed = lf ? (size_t)(lf - buf) + 1 : len;
	return lf != NULL;
}

static const struct {
	const char	*word;
	enum chat_cmd	 cmd;
} chat_cmds[] = {
	{ "/nick",	CHAT_CMD_NICK },
	{ "/join",	CHAT_CMD_JOIN },
	{ "/who",	CHAT_CMD_WHO },
	{ "/rooms",	CHAT_CMD_ROOMS },
	{ "/quit",	CHAT_CMD_QUIT },
};

enum chat_cmd
chat_cmd_parse(const char *line, size_t len, const char **arg, size_t *arglen)
{
	size_t w = 0, i;

	*arg = line;
	*arglen = len;
	if (len == 0)
		return CHAT_CMD_EMPTY;
	if (line[0] != '/')
		return CHAT_CMD_SAY;
	while (w < len && line[w] != ' ')
		w++;
	*arglen = w;			/* UNKNOWN: the command word */
	for (i = 0; i < ARRAY_LEN(chat_cmds); i++) {
		if (strlen(chat_cmds[i].word) != w || memcmp(chat_cmds[i].word, line, w) != 0)
			continue;
		*arg = line + w;
		*arglen = len - w;
		while (*arglen > 0 && **arg == ' ')
			(*arg)++, (*arglen)--;
		while (*arglen > 0 && (*arg)[*arglen - 1] == ' ')
			(*arglen)--;
		return chat_cmds[i].cmd;
	}
	return CHAT_CMD_UNKNOWN;
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp, min;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
chat_text_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return 0;
		if ((n = utf8_seq(p + i, len - i)) == 0)
			return 0;
		/* C1 controls, U+0080..U+009F (CSI, NEL...): C2 80..C2 9F */
		if (p[i] == 0xc2 && p[i + 1] < 0xa0)
			return 0;
		i += n;
	}
	return 1;
}

/* ---- replies ------------------------------------------------------- */

static int
reply(struct conn *c, const char *line)
{
	return outq_append(&c->out, line, strlen(line)) == -1 ? PROTO_ABORT : PROTO_OK;
}

/* "* who ROOM a b c" and "* rooms a:1 b:2": collected under the bus lock,
 * sorted and written after it. */
struct chat_list {
	struct chat_list_item {
		char		name[CHAT_NAME_MAX + 1];
		unsigned	count;
	}		*v;
	size_t		 n, cap;
	int		 oom;
};

static void
list_add(void *arg, const char *name, unsigned count)
{
	struct chat_list *l = arg;
	struct chat_list_item *v;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;

		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL) {
			l->oom = 1;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	strlcpy_(l->v[l->n].name, name, sizeof(l->v[l->n].name));
	l->v[l->n++].count = count;
}

static void
list_add_nick(void *arg, const char *nick)
{
	list_add(arg, nick, 0);
}

static int
list_cmp(const void *a, const void *b)
{
	return strcmp(((const struct chat_list_item *)a)->name,
	    ((const struct chat_list_item *)b)->name);
}

/* The appends are checked once, at the end: the queue's error is sticky. */
static int
list_reply(struct conn *c, struct chat_list *l, const char *head, int counts)
{
	size_t i;

	qsort(l->v, l->n, sizeof(*l->v), list_cmp);
	outq_printf(&c->out, "%s", head);
	for (i = 0; i < l->n; i++) {
		if (counts)
			outq_printf(&c->out, " %s:%u", l->v[i].name, l->v[i].count);
		else
			outq_printf(&c->out, " %s", l->v[i].name);
	}
	outq_append(&c->out, "\n", 1);
	free(l->v);
	return l->oom || outq_error(&c->out) ? PROTO_ABORT : PROTO_OK;
}

static int
cmd_who(struct conn *c, struct chat_conn *cc)
{
	struct chat_list l = { NULL, 0, 0, 0 };
	char head[CHAT_NAME_MAX + 8];

	chat_bus_who(chat_bus, &cc->m, list_add_nick, &l);
	snprintf(head, sizeof(head), "* who %s", cc->m.room_name);
	return list_reply(c, &l, head, 0);
}

static int
cmd_rooms(struct conn *c)
{
	struct chat_list l = { NULL, 0, 0, 0 };

	chat_bus_rooms(chat_bus, list_add, &l);
	return list_reply(c, &l, "* rooms", 1);
}

static int
cmd_nick(struct conn *c, struct chat_conn *cc, const char *arg, size_t len)
{
	if (len == 0)
		return reply(c, "* error usage: /nick NAME\n");
	switch (chat_bus_nick(chat_bus, &cc->m, arg, len)) {
	case CHAT_OK:
		return PROTO_OK;
	case CHAT_ETAKEN:
		return reply(c, "* error nick taken\n");
	case CHAT_ESAME:
		return outq_printf(&c->out, "* error already %s\n", cc->m.nick) == -1 ?
		    PROTO_ABORT : PROTO_OK;
	case CHAT_EINVAL:
		return reply(c, "* error invalid nick\n");
	default:
		return reply(c, "* error server busy\n");
	}
}

static int
cmd_join(struct conn *c, struct chat_conn *cc, const char *arg, size_t len)
{
	if (len == 0)
		return reply(c, "* error usage: /join ROOM\n");
	switch (chat_bus_join(chat_bus, &cc->m, arg, len)) {
	case CHAT_OK:
		return PROTO_OK;
	case CHAT_ESAME:
		return outq_printf(&c->out, "* error already in %s\n", cc->m.room_name) == -1 ?
		    PROTO_ABORT : PROTO_OK;
	case CHAT_EINVAL:
		return reply(c, "* error invalid room\n");
	case CHAT_EROOMS:
		return reply(c, "* error too many rooms\n");
	default:
		return reply(c, "* error server busy\n");
	}
}

static int
cmd_say(struct conn *c, struct chat_conn *cc, const char *text, size_t len)
{
	if (!chat_text_valid(text, len))
		return reply(c, "* error invalid text\n");
	if (chat_bus_say(chat_bus, &cc->m, text, len) != CHAT_OK)
		return reply(c, "* error line too long\n");
	return PROTO_OK;
}

static void
chat_leave(struct conn *c, struct chat_conn *cc)
{
	if (!cc->entered)
		return;
	chat_bus_leave(chat_bus, &cc->m);
	cc->entered = 0;
	SHARED_SET(c->sbw->chat_clients, SHARED_GET(c->sbw->chat_clients) - 1);
}

static int
chat_line(struct conn *c, struct chat_conn *cc, const char *line, size_t len)
{
	const char *arg;
	size_t alen;

	switch (chat_cmd_parse(line, len, &arg, &alen)) {
	case CHAT_CMD_EMPTY:
		return PROTO_OK;
	case CHAT_CMD_SAY:
		return cmd_say(c, cc, arg, alen);
	case CHAT_CMD_NICK:
		return cmd_nick(c, cc, arg, alen);
	case CHAT_CMD_JOIN:
		return cmd_join(c, cc, arg, alen);
	case CHAT_CMD_WHO:
		return cmd_who(c, cc);
	case CHAT_CMD_ROOMS:
		return cmd_rooms(c);
	case CHAT_CMD_QUIT:
		chat_leave(c, cc);
		return reply(c, "* bye\n") == PROTO_OK ? PROTO_CLOSE : PROTO_ABORT;
	case CHAT_CMD_UNKNOWN:
	default:
		/* The word is echoed only if it is text a client could send. */
		if (!chat_text_valid(arg, alen))
			alen = 0;
		return outq_printf(&c->out, "* error unknown command%s%.*s\n", alen ? " " : "",
		    (int)alen, arg) == -1 ? PROTO_ABORT : PROTO_OK;
	}
}

/* ---- delivery ------------------------------------------------------ */

static int
chat_drop(struct conn *c, struct chat_conn *cc)
{
	log_debug("chat: %s (%s) dropped: too slow", cc->m.nick, c->peer);
	chat_leave(c, cc);
	SHARED_ADD(c->sbw->chat_dropped, 1);
	c->flags &= ~CONN_MORE;
	c->timeout_ms = CHAT_DROP_MS;
	return reply(c, "* error too slow\n") == PROTO_OK ? PROTO_CLOSE : PROTO_ABORT;
}

/* Copy what the bus holds for this member into its queue, up to
 * CHAT_OUT_BATCH queued bytes; past that, ask to be called again once the
 * queue has drained (CONN_MORE) and check the member is within limits. */
static int
chat_pull(struct conn *c)
{
	struct chat_conn *cc = c->pdata;
	size_t cap = chat_bus_line_max(chat_bus), want;
	unsigned lines;
	ssize_t n;
	char *p;

	if (cc == NULL || !cc->entered)
		return PROTO_OK;
	if (cap < CHAT_READ_MIN)
		cap = CHAT_READ_MIN;
	while (outq_len(&c->out) < CHAT_OUT_BATCH) {
		uint64_t from = cc->m.cursor;

		/* Room for what the ring holds past the cursor, at most cap:
		 * enough for its first line, little when there is little. */
		if ((want = chat_bus_pending(chat_bus, &cc->m)) == 0)
			return PROTO_OK;
		if (want > cap)
			want = cap;
		if ((p = outq_reserve(&c->out, want)) == NULL)
			return PROTO_ABORT;
		if ((n = chat_bus_read(chat_bus, &cc->m, p, want, &lines)) < 0)
			return chat_drop(c, cc);
		/* Nothing copied, but lines for other rooms passed: a line for
		 * us published meanwhile may not have fitted want. Go on, so
		 * that returning means caught up (chat_step relies on it). */
		if (n == 0 && cc->m.cursor != from)
			continue;
		if (n == 0) {
			if (outq_len(&c->out) == 0)
				outq_free(&c->out);	/* no empty chunk kept idle */
			return PROTO_OK;
		}
		outq_commit(&c->out, (size_t)n);
		SHARED_ADD(c->sbw->chat_delivered, lines);
	}
	c->flags |= CONN_MORE;
	return chat_bus_check(chat_bus, &cc->m) == 0 ? PROTO_OK : chat_drop(c, cc);
}

/* ---- the handler --------------------------------------------------- */

static int
chat_open(struct conn *c)
{
	struct chat_conn *cc;
	int rc;

	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return PROTO_ABORT;
	c->pdata = cc;
	c->timeout_ms = chat_idle_ms;
	if (chat_bus == NULL)
		return reply(c, "* error chat unavailable\n") == PROTO_OK ? PROTO_CLOSE : PROTO_ABORT;
	if ((rc = chat_bus_enter(chat_bus, &cc->m, chat_pid, chat_slot)) != CHAT_OK)
		return reply(c, rc == CHAT_EROOMS ? "* error too many rooms\n" :
		    "* error server full\n") == PROTO_OK ? PROTO_CLOSE : PROTO_ABORT;
	cc->entered = 1;
	SHARED_SET(c->sbw->chat_clients, SHARED_GET(c->sbw->chat_clients) + 1);
	if (outq_printf(&c->out, "* welcome %s\n", cc->m.nick) == -1)
		return PROTO_ABORT;
	return chat_pull(c);
}

/* One step over the input: a line handled or skipped. Returns a PROTO_*
 * code, or -1 when no complete line is buffered. */
static int
chat_step(struct conn *c, struct chat_conn *cc)
{
	const char *p = buf_ptr(&c->in);
	size_t len = buf_len(&c->in), n, used;
	int kind, rc;

	if (cc->skipping) {
		cc->skipping = !chat_line_skip(p, len, &used);
		buf_consume(&c->in, used);
		return PROTO_OK;
	}
	if ((kind = chat_line_next(p, len, chat_max_line, &n, &used)) == CHAT_LINE_NEED)
		return -1;
	/* What the bus already holds for us goes before any reply, and a
	 * command runs only once the cursor has caught up (a /join must not
	 * cut off the lines of the room it leaves): with the queue full, the
	 * line waits until it has drained (CONN_MORE). */
	if ((rc = chat_pull(c)) != PROTO_OK)
		return rc;
	if (outq_len(&c->out) >= CHAT_OUT_BATCH) {
		c->flags |= CONN_MORE;
		return -1;
	}
	if (kind == CHAT_LINE_LONG) {
		cc->skipping = p[used - 1] != '\n';
		rc = reply(c, "* error line too long\n");
	} else {
		rc = chat_line(c, cc, p, n);
	}
	buf_consume(&c->in, used);
	return rc;
}

static int
chat_input(struct conn *c)
{
	struct chat_conn *cc = c->pdata;
	int rc = PROTO_OK;

	if (cc == NULL || !cc->entered) {
		buf_consume(&c->in, buf_len(&c->in));
		return PROTO_OK;
	}
	while (buf_len(&c->in) > 0) {
		if (outq_len(&c->out) >= CHAT_OUT_BATCH) {
			c->flags |= CONN_MORE;	/* replies pile up: read on later */
			break;
		}
		if ((rc = chat_step(c, cc)) != PROTO_OK)
			break;
	}
	if (rc == PROTO_CLOSE || rc == PROTO_ABORT)
		return rc;
	return chat_pull(c);
}

/* A chat session has no request boundary: a draining worker keeps it
 * until the client leaves or graceful_timeout ends the process. */
static int
chat_drain(struct conn *c)
{
	return PROTO_OK;
}

static void
chat_close(struct conn *c)
{
	struct chat_conn *cc = c->pdata;

	if (cc == NULL)
		return;
	chat_leave(c, cc);
	free(cc);
	c->pdata = NULL;
}

void
chat_set_bus(struct chat_bus *b)
{
	chat_bus = b;
}

static int
chat_child_init(struct child_ctx *ctx)
{
	size_t max_text = chat_bus ? chat_bus_get_limits(chat_bus)->max_text : 0;

	chat_slot = ctx->slot;
	chat_pid = getpid();
	chat_max_line = (size_t)ctx->conf->chat.max_line;
	if (chat_max_line > max_text)
		chat_max_line = max_text;	/* raised on reload: needs a restart */
	chat_idle_ms = ctx->conf->chat.idle_timeout * 1000;
	return 0;
}

static void
chat_child_woken(void)
{
	if (chat_bus != NULL)
		chat_bus_woken(chat_bus, chat_slot);
}

const struct proto_ops chat_proto = {
	.name = "chat",
	.open = chat_open,
	.input = chat_input,
	.drain = chat_drain,
	.close = chat_close,
	.pull = chat_pull,
	.child_init = chat_child_init,
	.child_reopen = NULL,
	.child_flush = NULL,
	.child_woken = chat_child_woken,
	.master_init = chat_master_init,
	.master_reload = chat_master_reload,
	.master_reaped = chat_master_reaped,
	.master_tick = chat_master_tick,
	.master_exit = chat_master_exit,
};
