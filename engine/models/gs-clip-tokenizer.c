/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "gs-clip-tokenizer.h"
#include "gs-html-entities.h"
#include "gs-text-classes.h"
#include "vk/gs-vk-private.h"

#define END_OF_WORD "</w>"
#define BOS_TEXT "<|startoftext|>"
#define EOS_TEXT "<|endoftext|>"
#define CLIP_VOCAB_NAME "bpe_simple_vocab_16e6.txt.gz"
/* CLIP reads this many merges of its file (49408 tokens in all). */
#define CLIP_MERGES (49152 - 256 - 2)
/* Bounds on what a vocabulary file may hold; CLIP's unpacks to 1.4 MB. */
#define MAX_FILE_BYTES (64u << 20)
#define MAX_VOCAB (1 << 22)
/* The word cache: pieces up to this long, up to this many of them. */
#define CACHE_PIECE_BYTES 64
#define CACHE_MAX 16384

/* Ranked pairs: open addressing on (left << 32 | right) + 1, 0 = empty. */
typedef struct {
    uint64_t *keys;
    int32_t *rank, *result;
    size_t mask;
} merge_table;

struct gs_clip_tokenizer {
    int vocab_size;
    int32_t bos, eos;
    int32_t byte_id[256], byte_end_id[256]; /* the byte's symbol, alone and word-final */
    merge_table merges;
    GMutex lock; /* guards cache */
    GHashTable *cache; /* piece → int32_t[1 + n]: n, then the ids */
};

/* ---- the byte-to-unicode table ------------------------------------------ */

static bool
byte_is_printable(int b)
{
    return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

/* cp[b]: the character standing for byte b (printable Latin-1 bytes stand
 * for themselves, the other 68 take U+0100.. in byte order). order[k]: the
 * byte whose symbol has vocabulary id k. */
static void
byte_symbols(gunichar cp[256], int order[256])
{
    int k = 0, extra = 0;
    for (int b = 0; b < 256; b++)
        if (byte_is_printable(b)) {
            cp[b] = (gunichar)b;
            order[k++] = b;
        }
    for (int b = 0; b < 256; b++)
        if (!byte_is_printable(b)) {
            cp[b] = 256 + (gunichar)extra++;
            order[k++] = b;
        }
}

/* ---- merge table ---------------------------------------------------------- */

static size_t
merge_slot(const merge_table *t, uint64_t key)
{
    uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 29)) & t->mask;
}

static void
merge_table_init(merge_table *t, size_t count)
{
    size_t cap = 16;
    while (cap < 2 * count + 16)
        cap *= 2;
    t->keys = g_new0(uint64_t, cap);
    t->rank = g_new(int32_t, cap);
    t->result = g_new(int32_t, cap);
    t->mask = cap - 1;
}

static void
merge_table_clear(merge_table *t)
{
    g_free(t->keys);
    g_free(t->rank);
    g_free(t->result);
}

static uint64_t
pair_key(int32_t left, int32_t right)
{
    return (((uint64_t)(uint32_t)left << 32) | (uint32_t)right) + 1;
}

/* Pairs are unique because results are (checked when loading). */
static void
merge_table_add(merge_table *t, int32_t left, int32_t right, int32_t rank, int32_t result)
{
    uint64_t key = pair_key(left, right);
    size_t i = merge_slot(t, key);
    while (t->keys[i] && t->keys[i] != key)
        i = (i + 1) & t->mask;
    t->keys[i] = key;
    t->rank[i] = rank;
    t->result[i] = result;
}

/* The pair's rank (its result in *result), or -1. */
static int32_t
merge_table_find(const merge_table *t, int32_t left, int32_t right, int32_t *result)
{
    uint64_t key = pair_key(left, right);
    for (size_t i = merge_slot(t, key); t->keys[i]; i = (i + 1) & t->mask)
        if (t->keys[i] == key) {
            *result = t->result[i];
            return t->rank[i];
        }
    return -1;
}

/* ---- loading -------------------------------------------------------------- */

static gs_clip_tokenizer *
tokenizer_new(void)
{
    gs_clip_tokenizer *tok = g_new0(gs_clip_tokenizer, 1);
    g_mutex_init(&tok->lock);
    tok->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return tok;
}

void
gs_clip_tokenizer_free(gs_clip_tokenizer *tok)
{
    if (!tok)
        return;
    merge_table_clear(&tok->merges);
    g_hash_table_destroy(tok->cache);
    g_mutex_clear(&tok->lock);
    g_free(tok);
}

static gs_status
read_file(const char *path, char **data, size_t *size, char **error)
{
    GStatBuf st;
    if (g_stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return gs_set_error(error, GS_ERR_IO, "Cannot read “%s”: no such file", path);
    if ((guint64)st.st_size > MAX_FILE_BYTES)
        return gs_set_error(error, GS_ERR_FORMAT, "“%s” is too large for a tokenizer file (%" G_GUINT64_FORMAT " bytes)",
                    path, (guint64)st.st_size);
    g_autoptr(GError) err = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, data, &len, &err))
        return gs_set_error(error, GS_ERR_IO, "Cannot read “%s”: %s", path, err->message);
    *size = len;
    return GS_OK;
}

static gs_status
read_gzip(const char *path, char **data, size_t *size, char **error)
{
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return gs_set_error(error, GS_ERR_IO, "Cannot read “%s”: no such file", path);
    gzFile f = gzopen(path, "rb");
    if (!f)
        return gs_set_error(error, GS_ERR_IO, "Cannot open “%s”", path);
    GByteArray *buf = g_byte_array_new();
    gs_status status = GS_OK;
    guint8 chunk[65536];
    /* gzread passes data that is not gzip through unchanged: refuse it. */
    if (gzdirect(f)) {
        status = gs_set_error(error, GS_ERR_FORMAT, "“%s” is not gzip data", path);
        goto out;
    }
    for (;;) {
        int n = gzread(f, chunk, sizeof chunk);
        if (n < 0) {
            int errnum = 0;
            const char *msg = gzerror(f, &errnum);
            status = gs_set_error(error, GS_ERR_FORMAT, "“%s” is a damaged gzip file: %s", path, msg ? msg : "read error");
            goto out;
        }
        if (n == 0)
            break;
        if (buf->len + (guint)n > MAX_FILE_BYTES) {
            status = gs_set_error(error, GS_ERR_FORMAT, "“%s” unpacks to more than %u MiB: not a CLIP vocabulary", path,
                          MAX_FILE_BYTES >> 20);
            goto out;
        }
        g_byte_array_append(buf, chunk, (guint)n);
    }
    int errnum = 0;
    const char *msg = gzerror(f, &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END) {
        status = gs_set_error(error, GS_ERR_FORMAT, "“%s” is a damaged gzip file: %s", path, msg ? msg : "read error");
        goto out;
    }
out:
    gzclose(f);
    if (status != GS_OK) {
        g_byte_array_free(buf, TRUE);
        return status;
    }
    *size = buf->len;
    g_byte_array_append(buf, (const guint8 *)"", 1);
    *data = (char *)g_byte_array_free(buf, FALSE);
    return GS_OK;
}

/* Splits one merge line at Python-whitespace runs; true when it has exactly
 * two parts. The parts point into `line`, which gets NULs. */
static bool
split_merge(char *line, char **left, char **right)
{
    char *parts[3] = { NULL, NULL, NULL };
    int n = 0;
    char *p = line;
    while (*p) {
        gunichar c = g_utf8_get_char(p);
        if (gs_text_isspace(c)) {
            char *after = g_utf8_next_char(p);
            *p = '\0'; /* ends the part before it */
            p = after;
            continue;
        }
        if (n == 3)
            return false;
        parts[n++] = p;
        while (*p && !gs_text_isspace(g_utf8_get_char(p)))
            p = g_utf8_next_char(p);
    }
    if (n != 2)
        return false;
    *left = parts[0];
    *right = parts[1];
    return true;
}

/* Adds the merges in `lines` (rank order) given the token → id + 1 map
 * `ids`. `made[id]`: the token exists so far; a merge needs both sides made
 * and makes its result, which must be new. `next_id`: CLIP's format gives
 * each result the next id (≥ 0) and adds it to `ids`; else (-1) the result
 * must be in `ids` already. */
static gs_status
add_merges(gs_clip_tokenizer *tok, GHashTable *ids, GPtrArray *lines, int first_line, bool **made, int *made_size,
           int next_id, const char *path, char **error)
{
    merge_table_init(&tok->merges, lines->len);
    for (guint i = 0; i < lines->len; i++) {
        char *line = g_ptr_array_index(lines, i);
        int line_no = first_line + (int)i;
        g_autofree char *copy = g_strdup(line);
        char *a, *b;
        if (!split_merge(copy, &a, &b))
            return gs_set_error(error, GS_ERR_FORMAT, "“%s” line %d: a merge is two symbols separated by a space, not “%s”",
                        path, line_no, line);
        int ia = GPOINTER_TO_INT(g_hash_table_lookup(ids, a)) - 1;
        int ib = GPOINTER_TO_INT(g_hash_table_lookup(ids, b)) - 1;
        const char *unknown = ia < 0 || !(*made)[ia] ? a : ib < 0 || !(*made)[ib] ? b : NULL;
        if (unknown)
            return gs_set_error(error, GS_ERR_FORMAT, "“%s” line %d: “%s” is not a token made by an earlier line", path,
                        line_no, unknown);
        g_autofree char *joined = g_strconcat(a, b, NULL);
        int ir = GPOINTER_TO_INT(g_hash_table_lookup(ids, joined)) - 1;
        if (next_id >= 0) {
            if (ir >= 0)
                return gs_set_error(error, GS_ERR_FORMAT, "“%s” line %d: “%s” is made twice", path, line_no, joined);
            ir = next_id++;
            if (ir >= *made_size) {
                int size = MAX(2 * *made_size, ir + 1);
                *made = g_renew(bool, *made, size);
                memset(*made + *made_size, 0, (size_t)(size - *made_size) * sizeof(bool));
                *made_size = size;
            }
            g_hash_table_insert(ids, g_steal_pointer(&joined), GINT_TO_POINTER(ir + 1));
        } else {
            if (ir < 0)
                return gs_set_error(error, GS_ERR_FORMAT, "“%s” line %d: the merge makes “%s”, which is not in vocab.json", path,
                            line_no, joined);
            if ((*made)[ir])
                return gs_set_error(error, GS_ERR_FORMAT, "“%s” line %d: “%s” is made twice", path, line_no, joined);
        }
        (*made)[ir] = true;
        merge_table_add(&tok->merges, ia, ib, (int32_t)i, ir);
    }
    return GS_OK;
}

/* The UTF-8 of byte b's symbol, with "</w>" when `end`. */
static void
symbol_text(const gunichar cp[256], int b, bool end, char out[16])
{
    int n = g_unichar_to_utf8(cp[b], out);
    out[n] = '\0';
    if (end)
        strcat(out, END_OF_WORD);
}

/* CLIP's format: a header line, then merges; at most CLIP_MERGES are read. */
static gs_status
load_clip_format(gs_clip_tokenizer *tok, const char *path, char **error)
{
    g_autofree char *data = NULL;
    size_t size = 0;
    gs_status st = read_gzip(path, &data, &size, error);
    if (st != GS_OK)
        return st;
    const char *bad;
    if (!g_utf8_validate_len(data, size, &bad))
        return gs_set_error(error, GS_ERR_FORMAT, "“%s” is not UTF-8 text (byte %zu)", path, (size_t)(bad - data));

    g_autoptr(GPtrArray) lines = g_ptr_array_new();
    char *p = data, *end = data + size;
    int line_count = 0;
    while (p < end && (int)lines->len < CLIP_MERGES) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        *stop = '\0';
        if (line_count++ > 0)
            g_ptr_array_add(lines, p);
        if (!nl)
            break;
        p = nl + 1;
    }
    /* (A final newline ends the last line; it starts no empty merge.) */
    if (line_count == 0)
        return gs_set_error(error, GS_ERR_FORMAT, "“%s” is empty", path);

    gunichar cp[256];
    int order[256];
    byte_symbols(cp, order);
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int made_size = 512 + (int)lines->len + 2;
    g_autofree bool *made = g_new0(bool, made_size);
    for (int k = 0; k < 256; k++) {
        char text[16];
        symbol_text(cp, order[k], false, text);
        g_hash_table_insert(ids, g_strdup(text), GINT_TO_POINTER(k + 1));
        symbol_text(cp, order[k], true, text);
        g_hash_table_insert(ids, g_strdup(text), GINT_TO_POINTER(256 + k + 1));
        tok->byte_id[order[k]] = k;
        tok->byte_end_id[order[k]] = 256 + k;
        made[k] = made[256 + k] = true;
    }
    st = add_merges(tok, ids, lines, 2, &made, &made_size, 512, path, error);
    if (st != GS_OK)
        return st;
    tok->bos = 512 + (int32_t)lines->len;
    tok->eos = tok->bos + 1;
    tok->vocab_size = tok->eos + 1;
    return GS_OK;
}

/* A diffusers/transformers tokenizer: vocab.json (token → id) and
 * merges.txt ("#version" line, then merges). */
static gs_status
load_hf_format(gs_clip_tokenizer *tok, const char *vocab_path, const char *merges_path, char **error)
{
    g_autofree char *vocab = NULL, *merges = NULL;
    size_t vocab_size = 0, merges_size = 0;
    gs_status st = read_file(vocab_path, &vocab, &vocab_size, error);
    if (st != GS_OK)
        return st;
    st = read_file(merges_path, &merges, &merges_size, error);
    if (st != GS_OK)
        return st;

    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    if (!json_parser_load_from_data(parser, vocab, (gssize)vocab_size, &err))
        return gs_set_error(error, GS_ERR_FORMAT, "“%s” is not JSON: %s", vocab_path, err->message);
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root))
        return gs_set_error(error, GS_ERR_FORMAT, "“%s” is not a JSON object of token ids", vocab_path);
    JsonObject *obj = json_node_get_object(root);
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GList) members = json_object_get_members(obj);
    int size = 0;
    for (GList *m = members; m; m = m->next) {
        JsonNode *node = json_object_get_member(obj, m->data);
        if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
            return gs_set_error(error, GS_ERR_FORMAT, "“%s”: the id of “%s” is not an integer", vocab_path,
                        (const char *)m->data);
        gint64 id = json_node_get_int(node);
        if (id < 0 || id >= MAX_VOCAB)
            return gs_set_error(error, GS_ERR_FORMAT, "“%s”: the id of “%s” is out of range (%" G_GINT64_FORMAT ")",
                        vocab_path, (const char *)m->data, id);
        g_hash_table_insert(ids, g_strdup(m->data), GINT_TO_POINTER((int)id + 1));
        size = MAX(size, (int)id + 1);
    }
    g_autofree bool *made = g_new0(bool, size + 1);
    g_autofree bool *taken = g_new0(bool, size + 1);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, ids);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        int id = GPOINTER_TO_INT(value) - 1;
        if (taken[id])
            return gs_set_error(error, GS_ERR_FORMAT, "“%s”: id %d is given to two tokens", vocab_path, id);
        taken[id] = true;
    }

    gunichar cp[256];
    int order[256];
    byte_symbols(cp, order);
    for (int b = 0; b < 256; b++)
        for (int end = 0; end < 2; end++) {
            char text[16];
            symbol_text(cp, b, end, text);
            int id = GPOINTER_TO_INT(g_hash_table_lookup(ids, text)) - 1;
            if (id < 0)
                return gs_set_error(error, GS_ERR_FORMAT, "“%s” lacks the byte token “%s”: not a CLIP vocabulary", vocab_path,
                            text);
            *(end ? &tok->byte_end_id[b] : &tok->byte_id[b]) = id;
            made[id] = true;
        }
    tok->bos = GPOINTER_TO_INT(g_hash_table_lookup(ids, BOS_TEXT)) - 1;
    tok->eos = GPOINTER_TO_INT(g_hash_table_lookup(ids, EOS_TEXT)) - 1;
    if (tok->bos < 0 || tok->eos < 0)
        return gs_set_error(error, GS_ERR_FORMAT, "“%s” lacks %s or %s", vocab_path, BOS_TEXT, EOS_TEXT);

    /* As transformers reads it: stripped, split at newlines, the first line
     * skipped, at most CLIP_MERGES merges. */
    char *text = g_strstrip(merges); /* ASCII whitespace only; Unicode spaces cannot start a merge */
    const char *bad;
    if (!g_utf8_validate(text, -1, &bad))
        return gs_set_error(error, GS_ERR_FORMAT, "“%s” is not UTF-8 text (byte %zu)", merges_path, (size_t)(bad - text));
    g_autoptr(GPtrArray) lines = g_ptr_array_new();
    char *p = text;
    for (int line = 0; *p || line == 0; line++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (line > 0) {
            if ((int)lines->len == CLIP_MERGES)
                break;
            g_ptr_array_add(lines, p);
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    int made_size = size + 1;
    st = add_merges(tok, ids, lines, 2, &made, &made_size, -1, merges_path, error);
    if (st != GS_OK)
        return st;
    tok->vocab_size = size;
    return GS_OK;
}

gs_status
gs_clip_tokenizer_load(const char *path, gs_clip_tokenizer **out, char **error)
{
    *out = NULL;
    if (!path || !*path)
        return gs_set_error(error, GS_ERR_INVALID_ARGUMENT, "No tokenizer path given");
    g_autofree char *vocab = NULL, *merges = NULL, *gz = NULL;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        const char *subdirs[] = { "", "tokenizer" };
        for (int i = 0; i < 2 && !vocab; i++) {
            g_autofree char *v = g_build_filename(path, subdirs[i], "vocab.json", NULL);
            g_autofree char *m = g_build_filename(path, subdirs[i], "merges.txt", NULL);
            if (g_file_test(v, G_FILE_TEST_EXISTS) && g_file_test(m, G_FILE_TEST_EXISTS)) {
                vocab = g_steal_pointer(&v);
                merges = g_steal_pointer(&m);
            }
        }
        if (!vocab) {
            gz = g_build_filename(path, CLIP_VOCAB_NAME, NULL);
            if (!g_file_test(gz, G_FILE_TEST_EXISTS))
                return gs_set_error(error, GS_ERR_IO,
                            "“%s” holds no CLIP tokenizer: expected vocab.json and merges.txt (a diffusers tokenizer "
                            "folder) or " CLIP_VOCAB_NAME,
                            path);
        }
    } else if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        return gs_set_error(error, GS_ERR_IO, "Cannot read “%s”: no such file or folder", path);
    } else if (g_str_has_suffix(path, ".gz")) {
        gz = g_strdup(path);
    } else {
        g_autofree char *base = g_path_get_basename(path);
        if (strcmp(base, "vocab.json") != 0)
            return gs_set_error(error, GS_ERR_FORMAT,
                        "“%s” is not a CLIP tokenizer file: expected a .gz file in CLIP's " CLIP_VOCAB_NAME
                        " format, or vocab.json with merges.txt beside it",
                        path);
        g_autofree char *dir = g_path_get_dirname(path);
        vocab = g_strdup(path);
        merges = g_build_filename(dir, "merges.txt", NULL);
    }

    gs_clip_tokenizer *tok = tokenizer_new();
    gs_status st = gz ? load_clip_format(tok, gz, error) : load_hf_format(tok, vocab, merges, error);
    if (st != GS_OK) {
        gs_clip_tokenizer_free(tok);
        return st;
    }
    *out = tok;
    return GS_OK;
}

int
gs_clip_tokenizer_vocab_size(const gs_clip_tokenizer *tok)
{
    return tok->vocab_size;
}

int32_t
gs_clip_tokenizer_bos(const gs_clip_tokenizer *tok)
{
    return tok->bos;
}

int32_t
gs_clip_tokenizer_eos(const gs_clip_tokenizer *tok)
{
    return tok->eos;
}

int32_t
gs_clip_tokenizer_comma(const gs_clip_tokenizer *tok)
{
    return tok->byte_end_id[','];
}

/* ---- clean-up: HTML entities, whitespace, lower case ---------------------- */

/* What Python's html.unescape gives for &#num;. */
static void
append_charref(GString *out, uint32_t num)
{
    /* 0x80..0x9F are read as Windows-1252, as browsers do (0 means "keep"). */
    static const uint16_t cp1252[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
    };
    if (num == 0) {
        g_string_append_unichar(out, 0xFFFD);
    } else if (num == 0x0D) {
        g_string_append_c(out, '\r');
    } else if (num >= 0x80 && num <= 0x9F) {
        g_string_append_unichar(out, cp1252[num - 0x80] ? cp1252[num - 0x80] : num);
    } else if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
        g_string_append_unichar(out, 0xFFFD);
    } else if ((num >= 0x01 && num <= 0x08) || num == 0x0B || (num >= 0x0E && num <= 0x1F) || num == 0x7F ||
               (num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE) {
        /* dropped */
    } else {
        g_string_append_unichar(out, num);
    }
}

/* &#123; &#x1F600; (the ';' optional) at `p` (just after "&#"). Returns the
 * bytes used after "&#", or 0 when it is not one. */
static size_t
numeric_ref(const char *p, GString *out)
{
    const char *q = p;
    uint32_t num = 0;
    bool hex = (*q == 'x' || *q == 'X') && g_ascii_isxdigit(q[1]);
    if (hex)
        q++;
    else if (!g_ascii_isdigit(*q))
        return 0;
    for (; hex ? g_ascii_isxdigit(*q) : g_ascii_isdigit(*q); q++) {
        uint32_t digit = (uint32_t)(hex ? g_ascii_xdigit_value(*q) : g_ascii_digit_value(*q));
        /* Saturates: anything past U+10FFFF is U+FFFD anyway. */
        num = num > 0x10FFFF ? num : num * (hex ? 16 : 10) + digit;
    }
    if (*q == ';')
        q++;
    append_charref(out, num);
    return (size_t)(q - p);
}

static int
entity_cmp(const void *key, const void *item)
{
    return strcmp(key, ((const gs_html_entity *)item)->name);
}

static const gs_html_entity *
find_entity(const char *name, size_t len)
{
    char buf[256];
    if (len >= sizeof buf)
        return NULL;
    memcpy(buf, name, len);
    buf[len] = '\0';
    return bsearch(buf, gs_html_entities, G_N_ELEMENTS(gs_html_entities), sizeof gs_html_entities[0], entity_cmp);
}

/* A named reference at `p` (just after "&"), as html.unescape reads one: up
 * to 32 characters other than tab, newline, form feed, space, <, &, #, ;
 * and an optional ';'; the whole name if known, else the longest known
 * prefix (two characters or more: only names valid without ';' can match)
 * with the rest kept. Returns the bytes used, 0 when nothing matched. */
static size_t
named_ref(const char *p, GString *out)
{
    const char *q = p;
    int chars = 0;
    size_t offsets[34];
    while (*q && chars < 32 && !strchr("\t\n\f <&#;", *q)) {
        offsets[chars++] = (size_t)(q - p);
        q = g_utf8_next_char(q);
    }
    if (chars == 0)
        return 0;
    if (*q == ';') {
        offsets[chars++] = (size_t)(q - p);
        q++;
    }
    size_t len = (size_t)(q - p);
    const gs_html_entity *e = find_entity(p, len);
    if (e) {
        g_string_append_unichar(out, e->cp);
        return len;
    }
    for (int x = chars - 1; x >= 2; x--) {
        e = find_entity(p, offsets[x]);
        if (e) {
            g_string_append_unichar(out, e->cp);
            g_string_append_len(out, p + offsets[x], (gssize)(len - offsets[x]));
            return len;
        }
    }
    return 0;
}

static char *
html_unescape(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    const char *p = s;
    for (;;) {
        const char *amp = strchr(p, '&');
        if (!amp) {
            g_string_append(out, p);
            break;
        }
        g_string_append_len(out, p, amp - p);
        p = amp + 1;
        size_t used = *p == '#' ? numeric_ref(p + 1, out) : named_ref(p, out);
        if (used)
            p += used + (*p == '#');
        else
            g_string_append_c(out, '&');
    }
    return g_string_free(out, FALSE);
}

/* Python's "cased" and "case-ignorable" properties for the final-sigma
 * rule (checked against Python's str.lower for every code point of Unicode
 * 14). Cased: Lu, Ll, Lt and the Other_Lowercase/Other_Uppercase characters
 * that are not case-ignorable anyway. */
static bool
is_cased(gunichar c)
{
    return g_unichar_isupper(c) || g_unichar_islower(c) || g_unichar_istitle(c) || c == 0xAA || c == 0xBA ||
           (c >= 0x2160 && c <= 0x217F) || (c >= 0x24B6 && c <= 0x24E9) || (c >= 0x1F130 && c <= 0x1F149) ||
           (c >= 0x1F150 && c <= 0x1F169) || (c >= 0x1F170 && c <= 0x1F189);
}

static bool
is_case_ignorable(gunichar c)
{
    switch (g_unichar_type(c)) {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_FORMAT:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_MODIFIER_SYMBOL:
        return true;
    default:
        break;
    }
    static const gunichar mid[] = { 0x27,   0x2E,   0x3A,   0xB7,   0x387,  0x55F,  0x5F4,  0x2018, 0x2019,
                                    0x2024, 0x2027, 0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A };
    for (size_t i = 0; i < G_N_ELEMENTS(mid); i++)
        if (c == mid[i])
            return true;
    return false;
}

/* Capital sigma lower-cases to final ς after a cased letter (case-ignorable
 * characters between) when no cased letter follows. */
static bool
final_sigma(const gunichar *u, size_t n, size_t i)
{
    size_t j = i;
    while (j > 0 && is_case_ignorable(u[j - 1]))
        j--;
    if (j == 0 || !is_cased(u[j - 1]))
        return false;
    for (j = i + 1; j < n && is_case_ignorable(u[j]); j++)
        ;
    return j == n || !is_cased(u[j]);
}

/* CLIP's clean-up (without ftfy) and Python's str.lower. */
static char *
clean_text(const char *text)
{
    g_autofree char *once = html_unescape(text);
    g_autofree char *twice = html_unescape(once);
    glong n = 0;
    g_autofree gunichar *u = g_utf8_to_ucs4_fast(twice, -1, &n);
    /* Strip, and one space for every whitespace run. */
    size_t m = 0;
    bool space = false;
    for (glong i = 0; i < n; i++) {
        if (gs_text_isspace(u[i])) {
            space = m > 0;
            continue;
        }
        if (space)
            u[m++] = ' ';
        space = false;
        u[m++] = u[i];
    }
    GString *out = g_string_sized_new(m + 16);
    for (size_t i = 0; i < m; i++) {
        gunichar c = u[i];
        if (c == 0x130) /* İ → i + combining dot above (SpecialCasing) */
            g_string_append(out, "i\xcc\x87");
        else if (c == 0x3A3)
            g_string_append_unichar(out, final_sigma(u, m, i) ? 0x3C2 : 0x3C3);
        else if (c >= 0x2160 && c <= 0x216F) /* Roman numerals (Nl): GLib lower-cases letters only */
            g_string_append_unichar(out, c + 0x10);
        else if (c >= 0x24B6 && c <= 0x24CF) /* circled capital letters (So) */
            g_string_append_unichar(out, c + 0x1A);
        else
            g_string_append_unichar(out, g_unichar_tolower(c));
    }
    return g_string_free(out, FALSE);
}

/* ---- pre-tokenising --------------------------------------------------------- */

/* `pat` (ASCII, lower case) at `p`, case-insensitively as CLIP's pattern
 * matches lower-cased text: only ſ (U+017F, folds to s) adds a match. */
static size_t
match_folded(const char *p, const char *pat)
{
    const char *q = p;
    for (; *pat; pat++) {
        if (*q == *pat)
            q++;
        else if (*pat == 's' && (guchar)q[0] == 0xC5 && (guchar)q[1] == 0xBF)
            q += 2;
        else
            return 0;
    }
    return (size_t)(q - p);
}

static size_t
match_contraction(const char *p)
{
    static const char *const forms[] = { "'s", "'t", "'re", "'ve", "'m", "'ll", "'d" };
    for (size_t i = 0; i < G_N_ELEMENTS(forms); i++) {
        size_t n = match_folded(p, forms[i]);
        if (n)
            return n;
    }
    return 0;
}

/* ---- BPE -------------------------------------------------------------------- */

/* A binary min-heap of (rank << 32 | position): lowest rank first, then
 * leftmost, which is the order CLIP merges in. */
static void
heap_push(uint64_t *heap, size_t *n, uint64_t v)
{
    size_t i = (*n)++;
    while (i > 0 && heap[(i - 1) / 2] > v) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = v;
}

static uint64_t
heap_pop(uint64_t *heap, size_t *n)
{
    uint64_t top = heap[0], v = heap[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && heap[c + 1] < heap[c])
            c++;
        if (heap[c] >= v)
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = v;
    return top;
}

/* CLIP merges the lowest-ranked adjacent pair everywhere, left to right,
 * then looks again. Because every merge's sides were made by earlier merges
 * (checked when loading), a merge only creates pairs of higher rank than its
 * own, so taking single merges by (rank, position) from a heap gives the same
 * result in O(n log n) — a 64 KiB word stays cheap. */
static void
bpe(const gs_clip_tokenizer *tok, const guchar *piece, size_t n, GArray *ids)
{
    int32_t *sym = g_new(int32_t, n);
    int64_t *prev = g_new(int64_t, n), *next = g_new(int64_t, n);
    bool *alive = g_new(bool, n);
    uint64_t *heap = g_new(uint64_t, 3 * n + 1);
    size_t heap_n = 0;
    for (size_t i = 0; i < n; i++) {
        sym[i] = i + 1 == n ? tok->byte_end_id[piece[i]] : tok->byte_id[piece[i]];
        prev[i] = (int64_t)i - 1;
        next[i] = i + 1 < n ? (int64_t)i + 1 : -1;
        alive[i] = true;
    }
    int32_t result;
    for (size_t i = 0; i + 1 < n; i++) {
        int32_t rank = merge_table_find(&tok->merges, sym[i], sym[i + 1], &result);
        if (rank >= 0)
            heap_push(heap, &heap_n, (uint64_t)rank << 32 | i);
    }
    while (heap_n) {
        uint64_t top = heap_pop(heap, &heap_n);
        int32_t rank = (int32_t)(top >> 32);
        size_t i = (size_t)(top & 0xFFFFFFFFu);
        if (!alive[i] || next[i] < 0)
            continue;
        size_t j = (size_t)next[i];
        /* Stale when either side has changed since: ranks are unique per pair. */
        if (merge_table_find(&tok->merges, sym[i], sym[j], &result) != rank)
            continue;
        sym[i] = result;
        alive[j] = false;
        next[i] = next[j];
        if (next[j] >= 0)
            prev[next[j]] = (int64_t)i;
        int32_t r;
        if (prev[i] >= 0 && (r = merge_table_find(&tok->merges, sym[prev[i]], sym[i], &result)) >= 0)
            heap_push(heap, &heap_n, (uint64_t)r << 32 | (uint64_t)prev[i]);
        if (next[i] >= 0 && (r = merge_table_find(&tok->merges, sym[i], sym[next[i]], &result)) >= 0)
            heap_push(heap, &heap_n, (uint64_t)r << 32 | i);
    }
    for (int64_t i = 0; i >= 0; i = next[i])
        g_array_append_val(ids, sym[i]);
    g_free(sym);
    g_free(prev);
    g_free(next);
    g_free(alive);
    g_free(heap);
}

static void
encode_piece(gs_clip_tokenizer *tok, const char *piece, size_t n, GArray *ids)
{
    if (n == strlen(BOS_TEXT) && memcmp(piece, BOS_TEXT, n) == 0) {
        g_array_append_val(ids, tok->bos);
        return;
    }
    if (n == strlen(EOS_TEXT) && memcmp(piece, EOS_TEXT, n) == 0) {
        g_array_append_val(ids, tok->eos);
        return;
    }
    if (n > CACHE_PIECE_BYTES) {
        bpe(tok, (const guchar *)piece, n, ids);
        return;
    }
    char key[CACHE_PIECE_BYTES + 1];
    memcpy(key, piece, n);
    key[n] = '\0';
    g_mutex_lock(&tok->lock);
    const int32_t *hit = g_hash_table_lookup(tok->cache, key);
    if (hit)
        g_array_append_vals(ids, hit + 1, (guint)hit[0]);
    g_mutex_unlock(&tok->lock);
    if (hit)
        return;
    guint start = ids->len;
    bpe(tok, (const guchar *)piece, n, ids);
    int32_t count = (int32_t)(ids->len - start);
    int32_t *entry = g_new(int32_t, count + 1);
    entry[0] = count;
    memcpy(entry + 1, &g_array_index(ids, int32_t, start), (size_t)count * sizeof(int32_t));
    g_mutex_lock(&tok->lock);
    if (g_hash_table_size(tok->cache) >= CACHE_MAX)
        g_hash_table_remove_all(tok->cache);
    g_hash_table_insert(tok->cache, g_strdup(key), entry);
    g_mutex_unlock(&tok->lock);
}

gs_status
gs_clip_tokenizer_encode(gs_clip_tokenizer *tok, const char *text, int32_t **ids, int *count, char **error)
{
    *ids = NULL;
    *count = 0;
    if (!text)
        text = "";
    size_t len = strnlen(text, GS_CLIP_MAX_PROMPT_BYTES + 1);
    if (len > GS_CLIP_MAX_PROMPT_BYTES)
        return gs_set_error(error, GS_ERR_INVALID_ARGUMENT, "The prompt is longer than %d bytes", GS_CLIP_MAX_PROMPT_BYTES);
    const char *bad;
    if (!g_utf8_validate_len(text, len, &bad))
        return gs_set_error(error, GS_ERR_INVALID_ARGUMENT, "The prompt is not valid UTF-8 (byte %zu)", (size_t)(bad - text));

    g_autofree char *clean = clean_text(text);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(int32_t));
    for (const char *p = clean; *p;) {
        gunichar c = g_utf8_get_char(p);
        const char *q = g_utf8_next_char(p);
        size_t n;
        if (gs_text_isspace(c)) {
            p = q;
            continue;
        }
        if ((n = match_folded(p, BOS_TEXT)) || (n = match_folded(p, EOS_TEXT)) ||
            (c == '\'' && (n = match_contraction(p)))) {
            q = p + n;
        } else if (gs_text_isletter(c)) {
            while (*q && gs_text_isletter(g_utf8_get_char(q)))
                q = g_utf8_next_char(q);
        } else if (!gs_text_isnumber(c)) {
            for (gunichar d; *q && !gs_text_isspace(d = g_utf8_get_char(q)) && !gs_text_isletter(d) &&
                             !gs_text_isnumber(d);)
                q = g_utf8_next_char(q);
        }
        encode_piece(tok, p, (size_t)(q - p), out);
        p = q;
    }
    *count = (int)out->len;
    if (out->len) {
        *ids = malloc(out->len * sizeof(int32_t));
        if (!*ids) {
            g_array_free(out, TRUE);
            *count = 0;
            return gs_set_error(error, GS_ERR_OUT_OF_MEMORY, "Out of memory for %u tokens", out->len);
        }
        memcpy(*ids, out->data, out->len * sizeof(int32_t));
    }
    g_array_free(out, TRUE);
    return GS_OK;
}
