/*
 * proto: lookups in the protocol table and the hooks run over it. The
 * table itself is the program's (src/daemon/protocols.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/proto.h"
#include "core/util.h"

int
proto_find(const char *name)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (strcmp(proto_table[i]->name, name) == 0)
			return (int)i;
	return -1;
}

const struct proto_ops *
proto_get(int id)
{
	return proto_table[id];
}

const char *
proto_names(void)
{
	static char names[256];
	size_t used = 0;
	unsigned i;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < proto_count && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
		    i > 0 ? ", " : "", proto_table[i]->name);
	return names;
}

/* Each runner below calls one optional hook of every protocol, in table
 * order. */
int
proto_child_init(struct child_ctx *ctx)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->child_init != NULL && proto_table[i]->child_init(ctx) == -1)
			return -1;
	return 0;
}

void
proto_child_reopen(void)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->child_reopen != NULL)
			proto_table[i]->child_reopen();
}

void
proto_child_flush(void)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->child_flush != NULL)
			proto_table[i]->child_flush();
}

void
proto_child_woken(void)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->child_woken != NULL)
			proto_table[i]->child_woken();
}

int
proto_master_init(const struct proto_master *pm, char *err, size_t len)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->master_init != NULL && proto_table[i]->master_init(pm, err, len) == -1)
			return -1;
	return 0;
}

int
proto_master_reload(struct conf *next, char *note, size_t nlen, char *err, size_t elen)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->master_reload != NULL && proto_table[i]->master_reload(next, note, nlen, err, elen) == -1)
			return -1;
	return 0;
}

void
proto_master_reaped(pid_t pid, int status)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->master_reaped != NULL)
			proto_table[i]->master_reaped(pid, status);
}

void
proto_master_tick(void)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->master_tick != NULL)
			proto_table[i]->master_tick();
}

void
proto_master_exit(void)
{
	unsigned i;

	for (i = 0; i < proto_count; i++)
		if (proto_table[i]->master_exit != NULL)
			proto_table[i]->master_exit();
}
