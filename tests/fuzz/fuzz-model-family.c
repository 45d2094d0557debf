/* Model-family detection from tensor names and shapes (gs_model_probe):
 * the input is one tensor a line, "NAME DIM,DIM,…", made into a
 * safetensors file with those names and shapes (F16, zero bytes, a sparse
 * file), then probed as a model. Lines starting with '@' become metadata
 * ("@KEY VALUE").
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "fuzz-support.h"
#include "genstudio-engine.h"

/* Keeps the sparse file small enough for any tmpfs. */
#define MAX_DATA_BYTES ((uint64_t)1 << 30)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    uint64_t offset = 0;
    char **lines = g_strsplit(text, "\n", 4096);
    json_builder_set_member_name(b, "__metadata__");
    json_builder_begin_object(b);
    for (char **l = lines; *l; l++) {
        char *space = strchr(*l, ' ');
        if (**l != '@' || !space || !g_utf8_validate(*l, -1, NULL))
            continue;
        *space = '\0';
        json_builder_set_member_name(b, *l + 1);
        json_builder_add_string_value(b, space + 1);
    }
    json_builder_end_object(b);
    for (char **l = lines; *l; l++) {
        char *space = strchr(*l, ' ');
        if (**l == '@' || !space || !g_utf8_validate(*l, -1, NULL))
            continue;
        *space = '\0';
        uint64_t bytes = 2;
        json_builder_set_member_name(b, *l);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "dtype");
        json_builder_add_string_value(b, "F16");
        json_builder_set_member_name(b, "shape");
        json_builder_begin_array(b);
        char **dims = g_strsplit(space + 1, ",", 9);
        for (char **d = dims; *d; d++) {
            gint64 v = g_ascii_strtoll(*d, NULL, 10);
            v = v < 0 ? 0 : v > 1 << 16 ? 1 << 16 : v;
            bytes = bytes * (uint64_t)v > MAX_DATA_BYTES ? 0 : bytes * (uint64_t)v;
            json_builder_add_int_value(b, bytes ? v : 0);
        }
        g_strfreev(dims);
        json_builder_end_array(b);
        if (offset + bytes > MAX_DATA_BYTES)
            bytes = 0;
        json_builder_set_member_name(b, "data_offsets");
        json_builder_begin_array(b);
        json_builder_add_int_value(b, (gint64)offset);
        json_builder_add_int_value(b, (gint64)(offset + bytes));
        json_builder_end_array(b);
        json_builder_end_object(b);
        offset += bytes;
    }
    g_strfreev(lines);
    json_builder_end_object(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    gsize header_len = 0;
    g_autofree char *header = json_generator_to_data(gen, &header_len);
    free(text);

    uint8_t prefix[8];
    for (int i = 0; i < 8; i++)
        prefix[i] = (uint8_t)((uint64_t)header_len >> (8 * i));
    const char *path = fuzz_file(prefix, 8, ".safetensors");
    FILE *f = path ? fopen(path, "ab") : NULL;
    if (!f)
        return 0;
    fwrite(header, 1, header_len, f);
    fclose(f);
    if (truncate(path, (off_t)(8 + header_len + offset)) != 0)
        return 0;
    gs_model_info info;
    char *error = NULL;
    if (gs_model_probe(path, &info, &error) != GS_OK && (!error || !*error))
        abort(); /* every refusal says why */
    free(error);
    return 0;
}
