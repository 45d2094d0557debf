/* safetensors reader: mmap + json-glib, distrustful of every number in the
 * file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "vk/gs-vk-private.h"

#define MAX_HEADER_BYTES ((uint64_t)100 << 20)
#define MAX_FILE_DIMS 8
/* A safetensors header nests 3 deep; json-glib recurses per level. */
#define MAX_JSON_DEPTH 16

typedef struct {
    char *name;
    gs_st_dtype dtype;
    int ndim;
    int64_t shape[MAX_FILE_DIMS];
    int64_t numel;
    uint64_t begin, end; /* within the data region */
} entry;

struct gs_safetensors {
    char *name;
    const uint8_t *bytes;
    size_t size;
    bool mapped;
    const uint8_t *data; /* start of the data region */
    entry *entries;
    int count;
    GHashTable *index;    /* name → entry index + 1 */
    GHashTable *metadata; /* key → value */
};

static const struct {
    const char *name;
    gs_st_dtype dtype;
    int size;
} dtypes[] = {
    { "F32", GS_ST_F32, 4 }, { "F16", GS_ST_F16, 2 }, { "BF16", GS_ST_BF16, 2 }, { "F64", GS_ST_F64, 8 },
    { "I64", GS_ST_I64, 8 }, { "I32", GS_ST_I32, 4 }, { "I16", GS_ST_I16, 2 },  { "I8", GS_ST_I8, 1 },
    { "U8", GS_ST_U8, 1 },   { "BOOL", GS_ST_BOOL, 1 },
};

static int
compare_begin(const void *a, const void *b)
{
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static gs_status
parse_entry(gs_safetensors *st, const char *name, JsonNode *node, uint64_t data_size, entry *e, char **error)
{
    const char *file = st->name;
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" is not described by a JSON object", file, name);
    JsonObject *o = json_node_get_object(node);
    JsonNode *dtype = json_object_get_member(o, "dtype"), *shape = json_object_get_member(o, "shape");
    JsonNode *offsets = json_object_get_member(o, "data_offsets");
    if (!dtype || !JSON_NODE_HOLDS_VALUE(dtype) || json_node_get_value_type(dtype) != G_TYPE_STRING)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" has no dtype", file, name);
    const char *dname = json_node_get_string(dtype);
    int esize = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(dtypes); i++)
        if (g_str_equal(dname, dtypes[i].name)) {
            e->dtype = dtypes[i].dtype;
            esize = dtypes[i].size;
        }
    if (!esize)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" has unknown dtype \"%s\"", file, name, dname);

    if (!shape || !JSON_NODE_HOLDS_ARRAY(shape) || json_array_get_length(json_node_get_array(shape)) > MAX_FILE_DIMS)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs a shape of at most %d dims", file, name,
                    MAX_FILE_DIMS);
    JsonArray *dims = json_node_get_array(shape);
    e->ndim = (int)json_array_get_length(dims);
    bool empty = false;
    for (int d = 0; d < e->ndim; d++) {
        JsonNode *dim = json_array_get_element(dims, (guint)d);
        if (!JSON_NODE_HOLDS_VALUE(dim) || json_node_get_value_type(dim) != G_TYPE_INT64 ||
            json_node_get_int(dim) < 0)
            return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" has an invalid dimension %d", file, name, d);
        e->shape[d] = json_node_get_int(dim);
        empty |= e->shape[d] == 0;
    }
    /* The byte size must not overflow; a zero dim anywhere makes the other
     * dims harmless. Whether it fits the file is checked with the offsets. */
    uint64_t numel = empty ? 0 : 1;
    for (int d = 0; !empty && d < e->ndim; d++) {
        if (numel > (uint64_t)INT64_MAX / (uint64_t)esize / (uint64_t)e->shape[d])
            return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" has an impossibly large shape", file, name);
        numel *= (uint64_t)e->shape[d];
    }
    e->numel = (int64_t)numel;

    JsonArray *range = offsets && JSON_NODE_HOLDS_ARRAY(offsets) ? json_node_get_array(offsets) : NULL;
    if (!range || json_array_get_length(range) != 2)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs data_offsets [begin, end]", file, name);
    int64_t bounds[2];
    for (guint i = 0; i < 2; i++) {
        JsonNode *b = json_array_get_element(range, i);
        if (!JSON_NODE_HOLDS_VALUE(b) || json_node_get_value_type(b) != G_TYPE_INT64 || json_node_get_int(b) < 0)
            return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" has invalid data_offsets", file, name);
        bounds[i] = json_node_get_int(b);
    }
    e->begin = (uint64_t)bounds[0];
    e->end = (uint64_t)bounds[1];
    if (e->begin > e->end || e->end > data_size)
        return gs_set_error(error, GS_ERR_FORMAT,
                    "%s: tensor \"%s\" lies at bytes %llu..%llu, outside the %llu data bytes (truncated file?)", file,
                    name, (unsigned long long)e->begin, (unsigned long long)e->end, (unsigned long long)data_size);
    if (e->end - e->begin != numel * (uint64_t)esize)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: tensor \"%s\" holds %llu bytes, but its shape needs %llu", file, name,
                    (unsigned long long)(e->end - e->begin), (unsigned long long)(numel * (uint64_t)esize));
    return GS_OK;
}

static gs_status
parse_metadata(gs_safetensors *st, JsonNode *node, char **error)
{
    if (!JSON_NODE_HOLDS_OBJECT(node))
        return gs_set_error(error, GS_ERR_FORMAT, "%s: __metadata__ is not an object", st->name);
    JsonObjectIter it;
    const char *key;
    JsonNode *value;
    json_object_iter_init(&it, json_node_get_object(node));
    while (json_object_iter_next(&it, &key, &value)) {
        if (!JSON_NODE_HOLDS_VALUE(value) || json_node_get_value_type(value) != G_TYPE_STRING)
            return gs_set_error(error, GS_ERR_FORMAT, "%s: __metadata__ value \"%s\" is not a string", st->name, key);
        g_hash_table_insert(st->metadata, g_strdup(key), g_strdup(json_node_get_string(value)));
    }
    return GS_OK;
}

/* json-glib's parser recurses per nesting level, so a header of a million
 * '[' would overflow the stack: the depth is bounded before parsing. */
static bool
nesting_within(const char *json, uint64_t len, int limit)
{
    int depth = 0;
    bool in_string = false;
    for (uint64_t i = 0; i < len; i++) {
        char c = json[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit)
                return false;
        } else if ((c == ']' || c == '}') && --depth < 0) {
            return false;
        }
    }
    return true;
}

static gs_status
parse(gs_safetensors *st, char **error)
{
    if (st->size < 8)
        return gs_set_error(error, GS_ERR_FORMAT, "%s is too short to be a safetensors file (%zu bytes)", st->name, st->size);
    uint64_t header = 0;
    for (int i = 7; i >= 0; i--)
        header = header << 8 | st->bytes[i];
    if (header > MAX_HEADER_BYTES)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: header length %llu exceeds the limit of %llu MB", st->name,
                    (unsigned long long)header, (unsigned long long)(MAX_HEADER_BYTES >> 20));
    if (header == 0 || header > st->size - 8)
        return gs_set_error(error, GS_ERR_FORMAT, "%s: header length %llu does not fit the %zu-byte file", st->name,
                    (unsigned long long)header, st->size);
    const char *json = (const char *)st->bytes + 8;
    if (!g_utf8_validate(json, (gssize)header, NULL))
        return gs_set_error(error, GS_ERR_FORMAT, "%s: the header is not valid UTF-8", st->name);
    if (!nesting_within(json, header, MAX_JSON_DEPTH))
        return gs_set_error(error, GS_ERR_FORMAT, "%s: the header is not valid JSON (unbalanced, or nested deeper than %d)",
                    st->name, MAX_JSON_DEPTH);
    /* C strings end at a NUL: "a\u0000b" would read as "a", another tensor's name. */
    if (memmem(json, header, "\\u0000", 6))
        return gs_set_error(error, GS_ERR_FORMAT, "%s: the header holds a NUL character (\\u0000)", st->name);
    st->data = st->bytes + 8 + header;
    uint64_t data_size = st->size - 8 - header;

    JsonParser *parser = json_parser_new();
    GError *jerror = NULL;
    gs_status status = GS_OK;
    if (!json_parser_load_from_data(parser, json, (gssize)header, &jerror)) {
        status = gs_set_error(error, GS_ERR_FORMAT, "%s: the header is not valid JSON: %s", st->name, jerror->message);
        g_error_free(jerror);
    } else if (!json_parser_get_root(parser) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        /* A blank header parses to no root at all. */
        status = gs_set_error(error, GS_ERR_FORMAT, "%s: the header is not a JSON object", st->name);
    }
    JsonObject *root = status == GS_OK ? json_node_get_object(json_parser_get_root(parser)) : NULL;
    guint members = root ? json_object_get_size(root) : 0;
    st->entries = g_new0(entry, members ? members : 1);
    JsonObjectIter it;
    const char *name;
    JsonNode *node;
    if (root)
        json_object_iter_init_ordered(&it, root); /* tensors listed in file order */
    while (status == GS_OK && json_object_iter_next_ordered(&it, &name, &node)) {
        if (g_str_equal(name, "__metadata__")) {
            status = parse_metadata(st, node, error);
            continue;
        }
        entry *e = &st->entries[st->count];
        status = parse_entry(st, name, node, data_size, e, error);
        if (status == GS_OK) {
            e->name = g_strdup(name);
            g_hash_table_insert(st->index, e->name, GINT_TO_POINTER(++st->count));
        }
    }
    g_object_unref(parser);
    if (status != GS_OK)
        return status;

    /* Tensors may not share bytes: a lying header could alias weights. */
    entry **sorted = g_new(entry *, st->count ? st->count : 1);
    for (int i = 0; i < st->count; i++)
        sorted[i] = &st->entries[i];
    qsort(sorted, (size_t)st->count, sizeof *sorted, compare_begin);
    for (int i = 1; status == GS_OK && i < st->count; i++)
        if (sorted[i]->begin < sorted[i - 1]->end)
            status = gs_set_error(error, GS_ERR_FORMAT, "%s: tensors \"%s\" and \"%s\" overlap", st->name, sorted[i - 1]->name,
                          sorted[i]->name);
    g_free(sorted);
    return status;
}

static gs_safetensors *
handle_new(const char *name)
{
    gs_safetensors *st = g_new0(gs_safetensors, 1);
    st->name = g_strdup(name);
    st->index = g_hash_table_new(g_str_hash, g_str_equal);
    st->metadata = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return st;
}

gs_status
gs_safetensors_open_memory(const void *data, size_t size, const char *name, gs_safetensors **out, char **error)
{
    *out = NULL;
    gs_safetensors *st = handle_new(name ? name : "(memory)");
    st->bytes = data;
    st->size = size;
    gs_status status = parse(st, error);
    if (status != GS_OK) {
        gs_safetensors_close(st);
        return status;
    }
    *out = st;
    return GS_OK;
}

gs_status
gs_safetensors_open(const char *path, gs_safetensors **out, char **error)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return gs_set_error(error, GS_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return gs_set_error(error, GS_ERR_IO, "%s is not a regular file", path);
    }
    gs_safetensors *st = handle_new(path);
    st->size = (size_t)sb.st_size;
    if (st->size > 0) {
        void *map = mmap(NULL, st->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            int err = errno;
            close(fd);
            gs_safetensors_close(st);
            return gs_set_error(error, GS_ERR_IO, "cannot map %s: %s", path, strerror(err));
        }
        st->bytes = map;
        st->mapped = true;
    }
    close(fd);
    gs_status status = parse(st, error);
    if (status != GS_OK) {
        gs_safetensors_close(st);
        return status;
    }
    *out = st;
    return GS_OK;
}

void
gs_safetensors_close(gs_safetensors *st)
{
    if (!st)
        return;
    if (st->mapped)
        munmap((void *)st->bytes, st->size);
    for (int i = 0; i < st->count; i++)
        g_free(st->entries[i].name);
    g_free(st->entries);
    g_hash_table_destroy(st->index);
    g_hash_table_destroy(st->metadata);
    g_free(st->name);
    g_free(st);
}

int gs_safetensors_count(const gs_safetensors *st) { return st->count; }
const char *gs_safetensors_name(const gs_safetensors *st, int i) { return st->entries[i].name; }
gs_st_dtype gs_safetensors_dtype(const gs_safetensors *st, int i) { return st->entries[i].dtype; }
int gs_safetensors_ndim(const gs_safetensors *st, int i) { return st->entries[i].ndim; }
const void *gs_safetensors_data(const gs_safetensors *st, int i) { return st->data + st->entries[i].begin; }

int
gs_safetensors_find(const gs_safetensors *st, const char *name)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(st->index, name)) - 1;
}

int64_t
gs_safetensors_dim(const gs_safetensors *st, int i, int d)
{
    return d >= 0 && d < st->entries[i].ndim ? st->entries[i].shape[d] : 1;
}

int64_t gs_safetensors_numel(const gs_safetensors *st, int i) { return st->entries[i].numel; }

const char *
gs_safetensors_metadata(const gs_safetensors *st, const char *key)
{
    return g_hash_table_lookup(st->metadata, key);
}

gs_status
gs_safetensors_read(const gs_safetensors *st, int i, float *dst)
{
    return gs_safetensors_read_range(st, i, 0, gs_safetensors_numel(st, i), dst);
}

gs_status
gs_safetensors_read_range(const gs_safetensors *st, int i, int64_t first, int64_t n, float *dst)
{
    const entry *e = &st->entries[i];
    if (first < 0 || n < 0 || first > e->numel || n > e->numel - first)
        return GS_ERR_INVALID_ARGUMENT;
    const uint8_t *src = gs_safetensors_data(st, i);
    int size = e->dtype == GS_ST_F32 ? 4 : 2;
    src += first * size;
    /* memcpy per element: offsets in the file need not be aligned. */
    for (int64_t k = 0; k < n; k++) {
        uint16_t half;
        uint32_t bits;
        switch (e->dtype) {
        case GS_ST_F32:
            memcpy(&dst[k], src + 4 * k, 4);
            break;
        case GS_ST_F16:
            memcpy(&half, src + 2 * k, 2);
            dst[k] = gs_half_to_float(half);
            break;
        case GS_ST_BF16:
            memcpy(&half, src + 2 * k, 2);
            bits = (uint32_t)half << 16;
            memcpy(&dst[k], &bits, 4);
            break;
        default:
            return GS_ERR_UNSUPPORTED;
        }
    }
    return GS_OK;
}

void
gs_safetensors_evict(const gs_safetensors *st, int i)
{
    if (!st->mapped)
        return;
    const entry *e = &st->entries[i];
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t begin = (uintptr_t)(st->data + e->begin), end = (uintptr_t)(st->data + e->end);
    /* Whole pages inside the tensor only: neighbours may still be needed. */
    begin = (begin + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    end &= ~((uintptr_t)page - 1);
    if (end > begin)
        madvise((void *)begin, end - begin, MADV_DONTNEED);
}

/* "[2, 3]" into buf. */
static const char *
format_shape(char *buf, size_t size, int ndim, const int64_t *shape)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < ndim && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

gs_tensor *
gs_safetensors_load(gs_context *ctx, const gs_safetensors *st, const char *name, gs_dtype dtype, int ndim,
                    const int64_t *expect_shape)
{
    int i = gs_safetensors_find(st, name);
    if (i < 0) {
        gs_fail(ctx, GS_ERR_FORMAT, "%s has no tensor \"%s\"", st->name, name);
        return NULL;
    }
    const entry *e = &st->entries[i];
    if (e->dtype != GS_ST_F32 && e->dtype != GS_ST_F16 && e->dtype != GS_ST_BF16) {
        gs_fail(ctx, GS_ERR_UNSUPPORTED, "%s: tensor \"%s\" is not f32, f16 or bf16", st->name, name);
        return NULL;
    }
    if (expect_shape && (ndim != e->ndim || memcmp(expect_shape, e->shape, (size_t)ndim * sizeof *expect_shape))) {
        char have[256], want[256];
        gs_fail(ctx, GS_ERR_FORMAT, "%s: tensor \"%s\" has shape %s, but the model expects %s", st->name, name,
                format_shape(have, sizeof have, e->ndim, e->shape), format_shape(want, sizeof want, ndim, expect_shape));
        return NULL;
    }
    if (e->ndim > GS_MAX_DIMS) {
        gs_fail(ctx, GS_ERR_UNSUPPORTED, "%s: tensor \"%s\" has %d dims; at most %d are supported", st->name, name,
                e->ndim, GS_MAX_DIMS);
        return NULL;
    }
    int64_t scalar[1] = { 1 };
    gs_tensor *t = gs_tensor_new(ctx, dtype, e->ndim ? e->ndim : 1, e->ndim ? e->shape : scalar);
    if (!t) {
        char reason[256];
        g_strlcpy(reason, gs_context_error(ctx), sizeof reason);
        gs_fail(ctx, GS_ERR_UNSUPPORTED, "%s: tensor \"%s\": %s", st->name, name, reason);
        return NULL;
    }
    int64_t n = gs_safetensors_numel(st, i);
    gs_status status;
    const void *data = gs_safetensors_data(st, i);
    if (e->dtype == GS_ST_F16 && (uintptr_t)data % 2 == 0) { /* straight through, no round trip via fp32 */
        status = gs_tensor_upload_f16(t, data, n);
    } else {
        float *full = malloc((size_t)n * sizeof *full + 1);
        status = full ? gs_safetensors_read(st, i, full) : gs_fail(ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory");
        if (status == GS_OK)
            status = gs_tensor_upload(t, full, n);
        free(full);
    }
    if (status != GS_OK) {
        gs_tensor_free(t);
        return NULL;
    }
    return t;
}
