/* Reading numbers from model configs (JSON) without trusting them.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

/* The integer `node` holds, or `otherwise` when it is missing or holds
 * anything else (a string, a double, a list, an object): json-glib's own
 * getters raise a critical on the wrong kind of node. */
gint64 gs_json_integer(JsonNode *node, gint64 otherwise);
