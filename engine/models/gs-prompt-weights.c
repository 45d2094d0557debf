/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gs-prompt-weights.h"
#include "gs-text-classes.h"
#include "vk/gs-vk-private.h"

#define ROUND_FACTOR 1.1
#define SQUARE_FACTOR (1 / 1.1)

static void
add_piece(GArray *pieces, const char *text, size_t len, double weight)
{
    gs_prompt_piece piece = { g_strndup(text, len), weight };
    g_array_append_val(pieces, piece);
}

static void
scale_from(GArray *pieces, guint start, double factor)
{
    for (guint i = start; i < pieces->len; i++)
        g_array_index(pieces, gs_prompt_piece, i).weight *= factor;
}

static gunichar
char_before(const char *p)
{
    return g_utf8_get_char(g_utf8_prev_char(p));
}

/* Plain text: split at every BREAK that is a word of its own (re's \b on
 * both sides, within this text), which takes the whitespace around it. */
static void
add_text(GArray *pieces, const char *s, size_t len)
{
    const char *end = s + len, *from = s, *search = s;
    for (const char *h = s; h + 5 <= end; h++) {
        if (memcmp(h, "BREAK", 5) != 0)
            continue;
        if ((h > s && gs_text_isword(char_before(h))) || (h + 5 < end && gs_text_isword(g_utf8_get_char(h + 5))))
            continue;
        const char *start = h, *stop = h + 5;
        while (start > search && gs_text_isspace(char_before(start)))
            start = g_utf8_prev_char(start);
        while (stop < end && gs_text_isspace(g_utf8_get_char(stop)))
            stop = g_utf8_next_char(stop);
        add_piece(pieces, from, (size_t)(start - from), 1.0);
        add_piece(pieces, "BREAK", 5, -1.0);
        from = search = stop;
        h = stop - 1;
    }
    add_piece(pieces, from, (size_t)(end - from), 1.0);
}

/* A1111's weight, ':' \s* [+-]? [.\d]+ \s* ')', at `p`: its length in bytes,
 * or 0. *valid: the number parses (Python's float), its value in *value. */
static size_t
match_weight(const char *p, double *value, bool *valid)
{
    const char *q = p + 1;
    while (*q && gs_text_isspace(g_utf8_get_char(q)))
        q = g_utf8_next_char(q);
    GString *number = g_string_new(NULL);
    if (*q == '+' || *q == '-')
        g_string_append_c(number, *q++);
    int digits = 0, dots = 0;
    for (;;) {
        gunichar c = g_utf8_get_char(q);
        if (c == '.') {
            dots++;
            g_string_append_c(number, '.');
        } else if (*q && gs_text_isdigit(c)) {
            digits++;
            g_string_append_c(number, (char)('0' + g_unichar_digit_value(c)));
        } else {
            break;
        }
        q = g_utf8_next_char(q);
    }
    size_t len = 0;
    if (digits + dots > 0) {
        while (*q && gs_text_isspace(g_utf8_get_char(q)))
            q = g_utf8_next_char(q);
        if (*q == ')')
            len = (size_t)(q + 1 - p);
    }
    *valid = digits > 0 && dots <= 1;
    *value = *valid ? g_ascii_strtod(number->str, NULL) : 0;
    g_string_free(number, TRUE);
    return len;
}

gs_status
gs_prompt_parse(const char *text, gs_prompt_piece **out, int *count, char **error)
{
    *out = NULL;
    *count = 0;
    if (!text)
        text = "";
    size_t len = strnlen(text, GS_CLIP_MAX_PROMPT_BYTES + 1);
    if (len > GS_CLIP_MAX_PROMPT_BYTES)
        return gs_set_error(error, GS_ERR_INVALID_ARGUMENT, "The prompt is longer than %d bytes", GS_CLIP_MAX_PROMPT_BYTES);
    const char *bad;
    if (!g_utf8_validate_len(text, len, &bad))
        return gs_set_error(error, GS_ERR_INVALID_ARGUMENT, "The prompt is not valid UTF-8 (byte %zu)", (size_t)(bad - text));

    GArray *pieces = g_array_new(FALSE, FALSE, sizeof(gs_prompt_piece));
    g_autoptr(GArray) rounds = g_array_new(FALSE, FALSE, sizeof(guint));
    g_autoptr(GArray) squares = g_array_new(FALSE, FALSE, sizeof(guint));
    for (const char *p = text; *p;) {
        double weight;
        bool valid;
        size_t n;
        if (*p == '\\') {
            /* \( \) \[ \] \\ stand for the character; a lone backslash for nothing. */
            bool escape = p[1] && strchr("()[]\\", p[1]);
            add_piece(pieces, p + 1, escape, 1.0);
            p += 1 + escape;
        } else if (*p == '(' || *p == '[') {
            g_array_append_val(*p == '(' ? rounds : squares, pieces->len);
            p++;
        } else if (*p == ':' && (n = match_weight(p, &weight, &valid)) > 0) {
            if (rounds->len && valid) {
                scale_from(pieces, g_array_index(rounds, guint, rounds->len - 1), weight);
                g_array_set_size(rounds, rounds->len - 1);
            } else {
                add_text(pieces, p, n);
            }
            p += n;
        } else if ((*p == ')' && rounds->len) || (*p == ']' && squares->len)) {
            GArray *stack = *p == ')' ? rounds : squares;
            scale_from(pieces, g_array_index(stack, guint, stack->len - 1), *p == ')' ? ROUND_FACTOR : SQUARE_FACTOR);
            g_array_set_size(stack, stack->len - 1);
            p++;
        } else if (*p == ')' || *p == ']' || *p == ':') {
            add_text(pieces, p, 1);
            p++;
        } else {
            const char *q = p;
            while (*q && !strchr("\\()[]:", *q))
                q++;
            add_text(pieces, p, (size_t)(q - p));
            p = q;
        }
    }
    /* Brackets left open apply to everything after them. */
    for (guint i = 0; i < rounds->len; i++)
        scale_from(pieces, g_array_index(rounds, guint, i), ROUND_FACTOR);
    for (guint i = 0; i < squares->len; i++)
        scale_from(pieces, g_array_index(squares, guint, i), SQUARE_FACTOR);
    if (pieces->len == 0)
        add_piece(pieces, "", 0, 1.0);
    /* "(x:1e400)" or brackets nested by the thousand reach infinity, which
     * would turn the text encoder's output into NaN. */
    for (guint i = 0; i < pieces->len; i++) {
        const gs_prompt_piece *piece = &g_array_index(pieces, gs_prompt_piece, i);
        if (!(fabs(piece->weight) <= GS_PROMPT_MAX_WEIGHT)) {
            gs_status st = gs_set_error(error, GS_ERR_INVALID_ARGUMENT,
                                        "The prompt weight %g of \"%.40s\" is outside the limit of ±%g", piece->weight,
                                        piece->text, GS_PROMPT_MAX_WEIGHT);
            int n = (int)pieces->len;
            gs_prompt_pieces_free((gs_prompt_piece *)g_array_free(pieces, FALSE), n);
            return st;
        }
    }

    /* Join neighbours of equal weight. */
    guint m = 0;
    for (guint i = 0; i < pieces->len; i++) {
        gs_prompt_piece *cur = &g_array_index(pieces, gs_prompt_piece, i);
        gs_prompt_piece *last = m ? &g_array_index(pieces, gs_prompt_piece, m - 1) : NULL;
        if (last && last->weight == cur->weight) {
            char *joined = g_strconcat(last->text, cur->text, NULL);
            g_free(last->text);
            g_free(cur->text);
            last->text = joined;
        } else {
            g_array_index(pieces, gs_prompt_piece, m++) = *cur;
        }
    }
    g_array_set_size(pieces, m);
    *count = (int)m;
    *out = (gs_prompt_piece *)g_array_free(pieces, FALSE);
    return GS_OK;
}

void
gs_prompt_pieces_free(gs_prompt_piece *pieces, int count)
{
    if (!pieces)
        return;
    for (int i = 0; i < count; i++)
        g_free(pieces[i].text);
    g_free(pieces);
}

typedef struct {
    int32_t bos, eos, pad;
    GArray *ids, *weights; /* all chunks so far */
    int32_t tokens[GS_PROMPT_CHUNK_TOKENS];
    double mults[GS_PROMPT_CHUNK_TOKENS];
    int n, last_comma, chunks;
} chunker;

static void
close_chunk(chunker *c)
{
    int32_t row[GS_PROMPT_CHUNK_IDS];
    float w[GS_PROMPT_CHUNK_IDS];
    row[0] = c->bos;
    w[0] = 1.0f;
    for (int i = 0; i < GS_PROMPT_CHUNK_TOKENS; i++) {
        row[1 + i] = i < c->n ? c->tokens[i] : c->eos;
        w[1 + i] = i < c->n ? (float)c->mults[i] : 1.0f;
    }
    row[GS_PROMPT_CHUNK_IDS - 1] = c->eos;
    w[GS_PROMPT_CHUNK_IDS - 1] = 1.0f;
    if (c->pad != c->eos) {
        int first = 1;
        while (row[first] != c->eos)
            first++;
        for (int i = first + 1; i < GS_PROMPT_CHUNK_IDS; i++)
            row[i] = c->pad;
    }
    g_array_append_vals(c->ids, row, GS_PROMPT_CHUNK_IDS);
    g_array_append_vals(c->weights, w, GS_PROMPT_CHUNK_IDS);
    c->chunks++;
    c->n = 0;
    c->last_comma = -1;
}

static void
add_token(chunker *c, int32_t token, double weight, int32_t comma)
{
    if (token == comma) {
        c->last_comma = c->n;
    } else if (GS_PROMPT_COMMA_BACKTRACK > 0 && c->n == GS_PROMPT_CHUNK_TOKENS && c->last_comma != -1 &&
               c->n - c->last_comma <= GS_PROMPT_COMMA_BACKTRACK) {
        /* End this chunk after its last comma; the rest moves on. */
        int keep = c->last_comma + 1, moved = c->n - keep;
        int32_t tokens[GS_PROMPT_CHUNK_TOKENS];
        double mults[GS_PROMPT_CHUNK_TOKENS];
        memcpy(tokens, c->tokens + keep, (size_t)moved * sizeof tokens[0]);
        memcpy(mults, c->mults + keep, (size_t)moved * sizeof mults[0]);
        c->n = keep;
        close_chunk(c);
        memcpy(c->tokens, tokens, (size_t)moved * sizeof tokens[0]);
        memcpy(c->mults, mults, (size_t)moved * sizeof mults[0]);
        c->n = moved;
    }
    if (c->n == GS_PROMPT_CHUNK_TOKENS)
        close_chunk(c);
    c->tokens[c->n] = token;
    c->mults[c->n] = weight;
    c->n++;
}

gs_status
gs_prompt_encode(gs_clip_tokenizer *tok, const char *text, int32_t pad_id, gs_prompt_chunks **out, char **error)
{
    *out = NULL;
    gs_prompt_piece *pieces;
    int count;
    gs_status st = gs_prompt_parse(text, &pieces, &count, error);
    if (st != GS_OK)
        return st;
    chunker c = {
        .bos = gs_clip_tokenizer_bos(tok),
        .eos = gs_clip_tokenizer_eos(tok),
        .pad = pad_id,
        .ids = g_array_new(FALSE, FALSE, sizeof(int32_t)),
        .weights = g_array_new(FALSE, FALSE, sizeof(float)),
        .last_comma = -1,
    };
    int32_t comma = gs_clip_tokenizer_comma(tok);
    for (int i = 0; i < count && st == GS_OK; i++) {
        if (strcmp(pieces[i].text, "BREAK") == 0 && pieces[i].weight == -1.0) {
            close_chunk(&c);
            continue;
        }
        int32_t *ids;
        int n;
        st = gs_clip_tokenizer_encode(tok, pieces[i].text, &ids, &n, error);
        for (int k = 0; k < n; k++)
            add_token(&c, ids[k], pieces[i].weight, comma);
        free(ids);
    }
    gs_prompt_pieces_free(pieces, count);
    if (st != GS_OK) {
        g_array_free(c.ids, TRUE);
        g_array_free(c.weights, TRUE);
        return st;
    }
    if (c.n > 0 || c.chunks == 0)
        close_chunk(&c);
    gs_prompt_chunks *chunks = g_new(gs_prompt_chunks, 1);
    chunks->count = c.chunks;
    chunks->ids = (int32_t *)g_array_free(c.ids, FALSE);
    chunks->weights = (float *)g_array_free(c.weights, FALSE);
    *out = chunks;
    return GS_OK;
}

void
gs_prompt_chunks_free(gs_prompt_chunks *chunks)
{
    if (!chunks)
        return;
    g_free(chunks->ids);
    g_free(chunks->weights);
    g_free(chunks);
}

void
gs_prompt_apply_weights(float *hidden, const float *weights, int tokens, int width)
{
    double before = 0, after = 0;
    for (int t = 0; t < tokens; t++)
        for (int i = 0; i < width; i++) {
            float *h = &hidden[(size_t)t * width + i];
            before += *h;
            *h *= weights[t];
            after += *h;
        }
    if (after == 0)
        return;
    float factor = (float)(before / after);
    for (size_t i = 0; i < (size_t)tokens * width; i++)
        hidden[i] *= factor;
}
