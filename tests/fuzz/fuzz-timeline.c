/* Timeline JSON (app/common/gs-timeline.c): parsed, written back, parsed again.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>

#include <json-glib/json-glib.h>

#include "gs-timeline.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, (const char *)data, (gssize)size, NULL) || !json_parser_get_root(parser))
        return 0;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsTimeline) timeline = gs_timeline_new_from_json(json_parser_get_root(parser), &error);
    if (!timeline) {
        if (!error)
            __builtin_trap();
        return 0;
    }
    g_autoptr(JsonNode) again = gs_timeline_to_json(timeline);
    g_autoptr(GError) again_error = NULL;
    g_autoptr(GsTimeline) copy = gs_timeline_new_from_json(again, &again_error);
    if (!copy)
        __builtin_trap(); /* its own output must load */
    return 0;
}
