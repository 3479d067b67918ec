/*
 * proto: the table of protocol handlers a listener can name.
 */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "util.h"

static const struct proto_ops *const protocols[] = {
	&echo_proto,
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
	return "echo";
}
