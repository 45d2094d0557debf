/* Model-family detection from tensor names and shapes (gs_model_probe):
 * the input is one tensor a line, "NAME DIM,DIM,…", made into a
 * safetensors file with those names and shapes (F16, zero bytes, a sparse
 * file), then probed as a model. Lines starting with '@' become metadata
 * ("@KEY VALUE").
 * The header is written as text, not through json-glib: building it took
 * half of each run, and the probe's own JSON parsing is what is fuzzed.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "fuzz-support.h"
#include "genstudio-engine.h"

/* Keeps the sparse file small enough for any tmpfs. */
#define MAX_DATA_BYTES ((uint64_t)1 << 30)
#define MAX_DIMS 9

/* Runs of plain characters are copied whole: the harness's own per-byte
 * work was a third of each run once the probe got fast. */
static void
append_json_string(GString *out, const char *s, size_t len)
{
    g_string_append_c(out, '"');
    for (size_t i = 0; i < len;) {
        size_t run = i;
        while (run < len && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20)
            run++;
        g_string_append_len(out, s + i, (gssize)(run - i));
        if (run == len)
            break;
        unsigned char c = (unsigned char)s[run];
        if (c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            g_string_append_len(out, esc, 6);
        } else {
            char esc[2] = { '\\', (char)c };
            g_string_append_len(out, esc, 2);
        }
        i = run + 1;
    }
    g_string_append_c(out, '"');
}

static void
append_uint(GString *out, uint64_t v)
{
    char digits[24];
    int n = sizeof digits;
    do
        digits[--n] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    g_string_append_len(out, digits + n, (gssize)(sizeof digits - (size_t)n));
}

/* One line: NAME, a space, the rest; false for lines the format skips. */
static bool
split_line(const char *line, size_t len, size_t *name_len)
{
    const char *space = memchr(line, ' ', len);
    if (!space || !g_utf8_validate(line, (gssize)len, NULL))
        return false;
    *name_len = (size_t)(space - line);
    return true;
}

static void
append_tensor(GString *h, const char *name, size_t name_len, const char *dims, const char *end, uint64_t *offset)
{
    uint64_t bytes = 2;
    append_json_string(h, name, name_len);
    g_string_append(h, ":{\"dtype\":\"F16\",\"shape\":[");
    for (int n = 0; n < MAX_DIMS && dims < end; n++) {
        char *stop;
        gint64 v = g_ascii_strtoll(dims, &stop, 10);
        v = v < 0 ? 0 : v > 1 << 16 ? 1 << 16 : v;
        bytes = bytes * (uint64_t)v > MAX_DATA_BYTES ? 0 : bytes * (uint64_t)v;
        if (n)
            g_string_append_c(h, ',');
        append_uint(h, bytes ? (uint64_t)v : 0);
        const char *comma = memchr(dims, ',', (size_t)(end - dims));
        dims = comma ? comma + 1 : end;
    }
    if (*offset + bytes > MAX_DATA_BYTES)
        bytes = 0;
    g_string_append(h, "],\"data_offsets\":[");
    append_uint(h, *offset);
    g_string_append_c(h, ',');
    append_uint(h, *offset + bytes);
    g_string_append(h, "]}");
    *offset += bytes;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* NUL-terminated: strtoll reads a number ending the input past its end. */
    g_autofree char *copy = g_malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *text = copy, *end = text + size;
    g_autoptr(GString) header = g_string_sized_new(2 * size + 4096);
    g_string_append(header, "{\"__metadata__\":{");
    uint64_t offset = 0;
    bool first = true;
    for (int pass = 0; pass < 2; pass++) {
        for (const char *line = text; line < end;) {
            const char *nl = memchr(line, '\n', (size_t)(end - line));
            const char *line_end = nl ? nl : end;
            size_t len = (size_t)(line_end - line), name_len;
            bool metadata = len && *line == '@';
            if (memchr(line, '\0', len) == NULL && split_line(line, len, &name_len) && metadata == (pass == 0)) {
                g_string_append(header, first ? "" : ",");
                first = false;
                if (metadata) {
                    append_json_string(header, line + 1, name_len - 1);
                    g_string_append_c(header, ':');
                    append_json_string(header, line + name_len + 1, len - name_len - 1);
                } else {
                    append_tensor(header, line, name_len, line + name_len + 1, line_end, &offset);
                }
            }
            line = line_end + 1;
        }
        g_string_append_c(header, '}'); /* the metadata, then the whole header */
        first = false;
    }

    uint8_t prefix[8];
    for (int i = 0; i < 8; i++)
        prefix[i] = (uint8_t)((uint64_t)header->len >> (8 * i));
    const char *path = fuzz_file(prefix, 8, ".safetensors");
    FILE *f = path ? fopen(path, "ab") : NULL;
    if (!f)
        return 0;
    fwrite(header->str, 1, header->len, f);
    fclose(f);
    if (truncate(path, (off_t)(8 + header->len + offset)) != 0)
        return 0;
    gs_model_info info;
    char *error = NULL;
    if (gs_model_probe(path, &info, &error) != GS_OK && (!error || !*error))
        abort(); /* every refusal says why */
    free(error);
    return 0;
}
