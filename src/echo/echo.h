/*
 * echo: the Echo protocol (RFC 862): every byte received is sent back.
 */
#ifndef MSERVER_ECHO_H
#define MSERVER_ECHO_H

#include "core/proto.h"

extern const struct proto_ops echo_proto;

#endif
