/*
 * proto: the table of protocol handlers a listener can name.
 */
#include "config.h"

#include <string.h>

#include "core/proto.h"
#include "core/util.h"

static const struct proto_ops *const protocols[] = {
	&chat_proto,
	&echo_proto,
	&http_proto,
};

int
proto_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(protocols); i++)
		if (strcmp(protocols[i]->name, name) == 0)
			return (int)i;
	return -1;
}

const struct proto_ops *
proto_get(int id)
{
	return protocols[id];
}

const char *
proto_names(void)
{
	return "chat, echo, http";
}

int
proto_child_init(struct child_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(protocols); i++)
		if (protocols[i]->child_init != NULL && protocols[i]->child_init(ctx) == -1)
			return -1;
	return 0;
}

void
proto_child_reopen(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(protocols); i++)
		if (protocols[i]->child_reopen != NULL)
			protocols[i]->child_reopen();
}

void
proto_child_flush(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(protocols); i++)
		if (protocols[i]->child_flush != NULL)
			protocols[i]->child_flush();
}

void
proto_child_woken(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(protocols); i++)
		if (protocols[i]->child_woken != NULL)
			protocols[i]->child_woken();
}
