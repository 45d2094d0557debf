/* safetensors reader: mmap and a small parser for the header's fixed JSON
 * shape, distrustful of every number in the file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "vk/gs-vk-private.h"

#define MAX_HEADER_BYTES ((uint64_t)100 << 20)
#define MAX_FILE_DIMS 8
/* A safetensors header nests 3 deep; values skipped recurse per level. */
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

/* The header is read by hand rather than through a general JSON parser:
 * its shape is fixed (an object of tensors, each an object of dtype, shape
 * and data_offsets), and building a node tree for a checkpoint's thousand
 * tensors was most of the time a model probe took. */
typedef struct {
    const char *start, *p, *end;
    gs_safetensors *st;
    GString *key, *member, *scratch; /* a tensor's name, a member's, a value */
    char **error;
} cursor;

static gs_status
malformed(cursor *c, const char *what)
{
    return gs_set_error(c->error, GS_ERR_FORMAT, "%s: the header is not valid JSON: %s at byte %td", c->st->name, what,
                        c->p - c->start);
}

static void
skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Consumes ch after any space; false, and nothing consumed, otherwise. */
static bool
take(cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static bool
peek(cursor *c, char ch)
{
    skip_space(c);
    return c->p < c->end && *c->p == ch;
}

/* Four hex digits of a \u escape, or -1. */
static int
hex4(cursor *c)
{
    if (c->end - c->p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(c->p[i]);
        if (d < 0)
            return -1;
        v = v << 4 | d;
    }
    c->p += 4;
    return v;
}

static gs_status
read_escape(cursor *c, GString *out)
{
    static const char plain[] = "\"\\/bfnrt", meaning[] = "\"\\/\b\f\n\r\t";
    const char *found = c->p < c->end && *c->p ? strchr(plain, *c->p) : NULL;
    if (found) {
        g_string_append_c(out, meaning[found - plain]);
        c->p++;
        return GS_OK;
    }
    if (c->p >= c->end || *c->p != 'u')
        return malformed(c, "an unknown escape in a string");
    c->p++;
    int code = hex4(c);
    if (code >= 0xD800 && code < 0xDC00) { /* a high surrogate needs its low half */
        int low = c->end - c->p >= 2 && c->p[0] == '\\' && c->p[1] == 'u' ? (c->p += 2, hex4(c)) : -1;
        code = low >= 0xDC00 && low < 0xE000 ? 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) : -1;
    } else if (code >= 0xDC00 && code < 0xE000) {
        code = -1;
    }
    if (code < 0)
        return malformed(c, "a bad \\u escape in a string");
    /* C strings end at a NUL: "a\u0000b" would read as "a", another tensor's name. */
    if (code == 0)
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: the header holds a NUL character (\\u0000)", c->st->name);
    g_string_append_unichar(out, (gunichar)code);
    return GS_OK;
}

/* A string, unescaped into out. The header is valid UTF-8 already. */
static gs_status
read_string(cursor *c, GString *out)
{
    g_string_truncate(out, 0);
    if (!take(c, '"'))
        return malformed(c, "a string was expected");
    for (;;) {
        const char *run = c->p;
        while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
            c->p++;
        g_string_append_len(out, run, c->p - run);
        if (c->p >= c->end)
            return malformed(c, "a string is not closed");
        if (*c->p == '"') {
            c->p++;
            return GS_OK;
        }
        if (*c->p != '\\')
            return malformed(c, "a control character in a string");
        c->p++;
        gs_status status = read_escape(c, out);
        if (status != GS_OK)
            return status;
    }
}

/* A non-negative integer that fits int64, or false with nothing promised. */
static bool
read_count(cursor *c, int64_t *out)
{
    skip_space(c);
    const char *digits = c->p;
    uint64_t v = 0;
    for (; c->p < c->end && g_ascii_isdigit(*c->p); c->p++) {
        unsigned d = (unsigned)(*c->p - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    bool fraction = c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E');
    if (c->p == digits || fraction || (*digits == '0' && c->p - digits > 1))
        return false;
    *out = (int64_t)v;
    return true;
}

/* The opening of a member: its key into key and the ':'. *more is false at
 * the closing '}'. index counts the members read so far. */
static gs_status
next_member(cursor *c, int index, GString *key, bool *more)
{
    *more = !take(c, '}');
    if (!*more)
        return GS_OK;
    if (index > 0 && !take(c, ','))
        return malformed(c, "',' or '}' was expected");
    gs_status status = read_string(c, key);
    if (status == GS_OK && !take(c, ':'))
        status = malformed(c, "':' was expected");
    return status;
}

/* A number by JSON's grammar, its value unused. */
static gs_status
skip_number(cursor *c)
{
    const char *p = c->p + (*c->p == '-');
    const char *int_part = p;
    while (p < c->end && g_ascii_isdigit(*p))
        p++;
    bool ok = p > int_part && !(*int_part == '0' && p - int_part > 1);
    if (ok && p < c->end && *p == '.') {
        const char *frac = ++p;
        while (p < c->end && g_ascii_isdigit(*p))
            p++;
        ok = p > frac;
    }
    if (ok && p < c->end && (*p == 'e' || *p == 'E')) {
        p += p + 1 < c->end && (p[1] == '+' || p[1] == '-') ? 2 : 1;
        const char *exp = p;
        while (p < c->end && g_ascii_isdigit(*p))
            p++;
        ok = p > exp;
    }
    if (!ok)
        return malformed(c, "a value was expected");
    c->p = p;
    return GS_OK;
}

/* Any value a tensor carries beside its own members, skipped. */
static gs_status
skip_value(cursor *c, int depth)
{
    if (depth > MAX_JSON_DEPTH)
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: the header is not valid JSON (nested deeper than %d)",
                            c->st->name, MAX_JSON_DEPTH);
    skip_space(c);
    if (c->p >= c->end)
        return malformed(c, "a value was expected");
    if (*c->p == '"')
        return read_string(c, c->scratch);
    gs_status status = GS_OK;
    if (take(c, '{')) {
        bool more = true;
        for (int i = 0; status == GS_OK && more; i++) {
            status = next_member(c, i, c->scratch, &more);
            if (status == GS_OK && more)
                status = skip_value(c, depth + 1);
        }
        return status;
    }
    if (take(c, '[')) {
        for (int i = 0; status == GS_OK && !take(c, ']'); i++)
            status = i > 0 && !take(c, ',') ? malformed(c, "',' or ']' was expected") : skip_value(c, depth + 1);
        return status;
    }
    static const char *const literals[] = { "true", "false", "null" };
    for (size_t i = 0; i < G_N_ELEMENTS(literals); i++) {
        size_t n = strlen(literals[i]);
        if ((size_t)(c->end - c->p) >= n && memcmp(c->p, literals[i], n) == 0) {
            c->p += n;
            return GS_OK;
        }
    }
    return skip_number(c);
}

static gs_status
read_dtype(cursor *c, entry *e, int *esize)
{
    const char *file = c->st->name, *name = c->key->str;
    if (!peek(c, '"'))
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" has no dtype", file, name);
    gs_status status = read_string(c, c->scratch);
    if (status != GS_OK)
        return status;
    for (size_t i = 0; i < G_N_ELEMENTS(dtypes); i++)
        if (g_str_equal(c->scratch->str, dtypes[i].name)) {
            e->dtype = dtypes[i].dtype;
            *esize = dtypes[i].size;
            return GS_OK;
        }
    return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" has unknown dtype \"%s\"", file, name,
                        c->scratch->str);
}

static gs_status
read_shape(cursor *c, entry *e)
{
    const char *file = c->st->name, *name = c->key->str;
    if (!take(c, '['))
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs a shape of at most %d dims", file, name,
                            MAX_FILE_DIMS);
    for (e->ndim = 0; !take(c, ']'); e->ndim++) {
        if (e->ndim == MAX_FILE_DIMS)
            return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs a shape of at most %d dims", file,
                                name, MAX_FILE_DIMS);
        if (e->ndim > 0 && !take(c, ','))
            return malformed(c, "',' or ']' was expected");
        if (!read_count(c, &e->shape[e->ndim]))
            return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" has an invalid dimension %d", file, name,
                                e->ndim);
    }
    return GS_OK;
}

static gs_status
read_offsets(cursor *c, entry *e)
{
    const char *file = c->st->name, *name = c->key->str;
    if (!take(c, '['))
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs data_offsets [begin, end]", file, name);
    int64_t bounds[2];
    for (int i = 0; i < 2; i++) {
        if ((i > 0 && !take(c, ',')) || peek(c, ']'))
            return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs data_offsets [begin, end]", file,
                                name);
        if (!read_count(c, &bounds[i]))
            return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" has invalid data_offsets", file, name);
    }
    if (!take(c, ']'))
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs data_offsets [begin, end]", file, name);
    e->begin = (uint64_t)bounds[0];
    e->end = (uint64_t)bounds[1];
    return GS_OK;
}

/* The byte size must not overflow; a zero dim anywhere makes the other
 * dims harmless. The bytes must lie in the data region and match the shape. */
static gs_status
check_entry(cursor *c, entry *e, int esize, uint64_t data_size)
{
    const char *file = c->st->name, *name = c->key->str;
    bool empty = false;
    for (int d = 0; d < e->ndim; d++)
        empty |= e->shape[d] == 0;
    uint64_t numel = empty ? 0 : 1;
    for (int d = 0; !empty && d < e->ndim; d++) {
        if (numel > (uint64_t)INT64_MAX / (uint64_t)esize / (uint64_t)e->shape[d])
            return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" has an impossibly large shape", file, name);
        numel *= (uint64_t)e->shape[d];
    }
    e->numel = (int64_t)numel;
    if (e->begin > e->end || e->end > data_size)
        return gs_set_error(c->error, GS_ERR_FORMAT,
                            "%s: tensor \"%s\" lies at bytes %llu..%llu, outside the %llu data bytes (truncated file?)",
                            file, name, (unsigned long long)e->begin, (unsigned long long)e->end,
                            (unsigned long long)data_size);
    if (e->end - e->begin != numel * (uint64_t)esize)
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" holds %llu bytes, but its shape needs %llu",
                            file, name, (unsigned long long)(e->end - e->begin),
                            (unsigned long long)(numel * (uint64_t)esize));
    return GS_OK;
}

/* One tensor's object, the tensor's name in c->key. */
static gs_status
read_entry(cursor *c, uint64_t data_size, entry *e)
{
    const char *file = c->st->name, *name = c->key->str;
    if (!take(c, '{'))
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" is not described by a JSON object", file, name);
    int esize = 0;
    bool has_shape = false, has_offsets = false, more = true;
    gs_status status = GS_OK;
    for (int i = 0; status == GS_OK && more; i++) {
        status = next_member(c, i, c->member, &more);
        if (status != GS_OK || !more)
            break;
        if (g_str_equal(c->member->str, "dtype"))
            status = read_dtype(c, e, &esize);
        else if (g_str_equal(c->member->str, "shape"))
            has_shape = (status = read_shape(c, e)) == GS_OK;
        else if (g_str_equal(c->member->str, "data_offsets"))
            has_offsets = (status = read_offsets(c, e)) == GS_OK;
        else
            status = skip_value(c, 2);
    }
    if (status != GS_OK)
        return status;
    if (!esize)
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" has no dtype", file, name);
    if (!has_shape)
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs a shape of at most %d dims", file, name,
                            MAX_FILE_DIMS);
    if (!has_offsets)
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" needs data_offsets [begin, end]", file, name);
    return check_entry(c, e, esize, data_size);
}

static gs_status
read_metadata(cursor *c)
{
    gs_safetensors *st = c->st;
    if (!take(c, '{'))
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: __metadata__ is not an object", st->name);
    bool more = true;
    gs_status status = GS_OK;
    for (int i = 0; status == GS_OK && more; i++) {
        status = next_member(c, i, c->key, &more);
        if (status != GS_OK || !more)
            break;
        if (!peek(c, '"'))
            return gs_set_error(c->error, GS_ERR_FORMAT, "%s: __metadata__ value \"%s\" is not a string", st->name,
                                c->key->str);
        status = read_string(c, c->scratch);
        if (status == GS_OK)
            g_hash_table_insert(st->metadata, g_strndup(c->key->str, c->key->len),
                                g_strndup(c->scratch->str, c->scratch->len));
    }
    return status;
}

/* The root object, tensors kept in file order. */
static gs_status
read_header(gs_safetensors *st, cursor *c, uint64_t data_size)
{
    if (!take(c, '{'))
        return gs_set_error(c->error, GS_ERR_FORMAT, "%s: the header is not a JSON object", st->name);
    int capacity = 0;
    bool more = true;
    gs_status status = GS_OK;
    for (int i = 0; status == GS_OK && more; i++) {
        status = next_member(c, i, c->key, &more);
        if (status != GS_OK || !more)
            break;
        if (g_str_equal(c->key->str, "__metadata__")) {
            status = read_metadata(c);
            continue;
        }
        if (g_hash_table_contains(st->index, c->key->str))
            return gs_set_error(c->error, GS_ERR_FORMAT, "%s: tensor \"%s\" is listed twice", st->name, c->key->str);
        entry e = { 0 };
        status = read_entry(c, data_size, &e);
        if (status != GS_OK)
            break;
        if (st->count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            st->entries = g_renew(entry, st->entries, capacity);
        }
        e.name = g_strndup(c->key->str, c->key->len);
        st->entries[st->count] = e;
        g_hash_table_insert(st->index, e.name, GINT_TO_POINTER(++st->count));
    }
    if (status == GS_OK) {
        skip_space(c);
        if (c->p != c->end)
            status = malformed(c, "text follows the header's object");
    }
    return status;
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
    st->data = st->bytes + 8 + header;

    cursor c = { .start = json, .p = json, .end = json + header, .st = st, .error = error };
    c.key = g_string_new(NULL);
    c.member = g_string_new(NULL);
    c.scratch = g_string_new(NULL);
    gs_status status = read_header(st, &c, st->size - 8 - header);
    g_string_free(c.key, TRUE);
    g_string_free(c.member, TRUE);
    g_string_free(c.scratch, TRUE);
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
