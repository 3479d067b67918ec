/*
 * chat: the line-based chat protocol (mserverd(8), CHAT PROTOCOL): the
 * handler (chat_proto) and its pure parsers, which the unit tests call
 * directly. The shared state is in chat_bus.h; the master's side of it
 * (creating the bus, reaping, status) in chat_master.c.
 */
#ifndef MSERVER_CHAT_H
#define MSERVER_CHAT_H

#include <stddef.h>

#include "core/proto.h"

struct chat_bus;
struct conf;

/* chat_line_next() results. */
enum chat_line_rc {
	CHAT_LINE_NEED = 0,	/* no complete line yet; consume nothing */
	CHAT_LINE_OK = 1,	/* a line of *line_len bytes (no CR, no LF) */
	CHAT_LINE_LONG = 2,	/* over max bytes: consume *consumed and, if
				 * that did not reach an LF, skip with
				 * chat_line_skip() until one arrives */
};

/* The next line in buf[0, len): text up to an LF, without the LF and
 * without one CR just before it. A line of more than max bytes (CR and LF
 * not counted) is CHAT_LINE_LONG as soon as that is known. *consumed is
 * what to drop from the buffer (0 for CHAT_LINE_NEED). */
int	chat_line_next(const char *buf, size_t len, size_t max, size_t *line_len,
	    size_t *consumed);
/* Skipping the rest of a long line: 1 if buf holds its LF (*consumed
 * through it), 0 if not (*consumed = len). */
int	chat_line_skip(const char *buf, size_t len, size_t *consumed);

enum chat_cmd {
	CHAT_CMD_EMPTY,		/* an empty line: ignored */
	CHAT_CMD_SAY,		/* text not starting with '/' */
	CHAT_CMD_NICK,
	CHAT_CMD_JOIN,
	CHAT_CMD_WHO,
	CHAT_CMD_ROOMS,
	CHAT_CMD_QUIT,
	CHAT_CMD_UNKNOWN,	/* a '/' word that is none of the above */
};

/* Classify a line. For NICK and JOIN, *arg is the argument with spaces
 * around it trimmed (may be empty); for UNKNOWN, the command word with its
 * '/'; for SAY, the whole line. Commands are case-sensitive. */
enum chat_cmd chat_cmd_parse(const char *line, size_t len, const char **arg,
	    size_t *arglen);

/* Text a client may send: well-formed UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF) without control characters other than TAB. */
int	chat_text_valid(const char *s, size_t len);

extern const struct proto_ops chat_proto;

/* chat_master.c, before fork: the bus every worker's chat handler uses. */
void	chat_set_bus(struct chat_bus *b);

/* chat_proto's master-side hooks (proto.h), in chat_master.c. */
int	chat_master_init(const struct proto_master *pm, char *err, size_t len);
int	chat_master_reload(struct conf *next, char *note, size_t nlen, char *err,
	    size_t elen);
void	chat_master_reaped(pid_t pid, int status);
void	chat_master_tick(void);
void	chat_master_exit(void);

#endif
