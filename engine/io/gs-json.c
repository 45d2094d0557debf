/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-json.h"

gint64
gs_json_integer(JsonNode *node, gint64 otherwise)
{
    if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
        return otherwise;
    return json_node_get_int(node);
}
