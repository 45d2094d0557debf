/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "gs-tokenizer.h"

struct gs_tokenizer {
    GHashTable *ids; /* word → id + 1 */
    int size;
};

gs_tokenizer *
gs_tokenizer_new(const char *vocab)
{
    g_auto(GStrv) words = g_strsplit(vocab ? vocab : "", "\n", -1);
    int count = (int)g_strv_length(words);
    if (count <= GS_TOKEN_UNK)
        return NULL;
    gs_tokenizer *tok = g_new0(gs_tokenizer, 1);
    tok->ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (int i = 0; i < count; i++)
        g_hash_table_insert(tok->ids, g_strdup(words[i]), GINT_TO_POINTER(i + 1));
    tok->size = count;
    return tok;
}

void
gs_tokenizer_free(gs_tokenizer *tok)
{
    if (!tok)
        return;
    g_hash_table_destroy(tok->ids);
    g_free(tok);
}

int
gs_tokenizer_vocab_size(const gs_tokenizer *tok)
{
    return tok->size;
}

static gboolean
is_word_byte(char c)
{
    return g_ascii_isalnum(c);
}

int
gs_tokenizer_encode(const gs_tokenizer *tok, const char *text, int32_t *ids, int max)
{
    int n = 0, dropped = 0;
    ids[n++] = GS_TOKEN_BOS;
    char word[256];
    for (const char *p = text ? text : ""; *p;) {
        if (!is_word_byte(*p)) {
            p++;
            continue;
        }
        size_t len = 0;
        for (; is_word_byte(*p); p++)
            if (len < sizeof word - 1)
                word[len++] = g_ascii_tolower(*p);
        word[len] = '\0';
        if (n >= max - 1) {
            dropped++;
            continue;
        }
        gpointer id = g_hash_table_lookup(tok->ids, word);
        ids[n++] = id ? GPOINTER_TO_INT(id) - 1 : GS_TOKEN_UNK;
    }
    while (n < max)
        ids[n++] = GS_TOKEN_EOS;
    return dropped;
}
