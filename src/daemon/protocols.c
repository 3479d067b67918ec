/*
 * protocols: the table of protocols a listener can name. This is the one
 * place that names them all (like httpd's list of prelinked modules): the
 * layers below see only struct proto_ops, and the master runs their hooks
 * without knowing which protocols exist. A new protocol adds its ops here
 * and nowhere else outside its own folder. The order gives the ids that
 * conf_load() stores in each listener.
 */
#include "config.h"

#include "chat/chat.h"
#include "core/proto.h"
#include "core/util.h"
#include "echo/echo.h"
#include "http/http.h"

const struct proto_ops *const proto_table[] = {
	&chat_proto,
	&echo_proto,
	&http_proto,
};
const unsigned proto_count = ARRAY_LEN(proto_table);
