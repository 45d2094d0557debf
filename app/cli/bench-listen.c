/* What the speech benches share: running the reference tools, hearing
 * audio with pocketsphinx and scoring it by word error rate, and the fixed
 * bench sentences (data/bench/speech-sentences.txt).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "bench-listen.h"

/* Lower-case words of letters and apostrophes. */
static GPtrArray *
words_of(const char *text)
{
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    GString *w = g_string_new(NULL);
    for (const char *p = text;; p++) {
        if (*p && (g_ascii_isalpha(*p) || *p == '\'')) {
            g_string_append_c(w, g_ascii_tolower(*p));
            continue;
        }
        if (w->len)
            g_ptr_array_add(words, g_strdup(w->str));
        g_string_truncate(w, 0);
        if (!*p)
            break;
    }
    g_string_free(w, TRUE);
    return words;
}

/* Word-level edit distance / reference length. */
double
gs_bench_word_error_rate(const char *reference, const char *hypothesis)
{
    g_autoptr(GPtrArray) ref = words_of(reference), hyp = words_of(hypothesis);
    guint n = ref->len, m = hyp->len;
    guint *row = g_new(guint, m + 1), *prev = g_new(guint, m + 1);
    for (guint j = 0; j <= m; j++)
        prev[j] = j;
    for (guint i = 1; i <= n; i++) {
        row[0] = i;
        for (guint j = 1; j <= m; j++) {
            guint sub = prev[j - 1] + (strcmp(ref->pdata[i - 1], hyp->pdata[j - 1]) != 0);
            row[j] = MIN(sub, MIN(prev[j], row[j - 1]) + 1);
        }
        guint *t = prev;
        prev = row;
        row = t;
    }
    double wer = n ? (double)prev[m] / n : 0.0;
    g_free(row);
    g_free(prev);
    return wer;
}

gboolean
gs_bench_run(const char *const *argv, char **out, GError **error)
{
    int status = 0;
    g_autofree char *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &status, error))
        return FALSE;
    if (!g_spawn_check_wait_status(status, error)) {
        g_prefix_error(error, "%s: ", argv[0]);
        return FALSE;
    }
    return TRUE;
}

/* Hypothesis text of pocketsphinx for a WAV of any rate. */
char *
gs_bench_recognise(const char *wav, const char *dir, GError **error)
{
    g_autofree char *resampled = g_build_filename(dir, "16k.wav", NULL);
    const char *sox[] = { "sox", wav, "-r", "16000", "-c", "1", "-b", "16", resampled, NULL };
    const char *sphinx[] = { "pocketsphinx_continuous", "-infile", resampled, "-logfn", "/dev/null", NULL };
    char *text = NULL;
    if (!gs_bench_run(sox, NULL, error) || !gs_bench_run(sphinx, &text, error))
        return NULL;
    return text;
}

/* Lines "TEXT" or "TEXT<tab>WORDS" (the words a line's digits are read
 * as): the texts to speak, and all the words they should be heard as. */
char **
gs_bench_read_sentences(const char *path, int wanted, char **reference, GError **error)
{
    g_autofree char *fixed = g_build_filename(GS_SOURCE_DATA_DIR, "bench", "speech-sentences.txt", NULL);
    g_autofree char *text = NULL;
    gsize length = 0;
    if (!g_file_get_contents(path ? path : fixed, &text, &length, error))
        return NULL;
    if (memchr(text, '\0', length) || !g_utf8_validate(text, -1, NULL) || !*g_strstrip(text)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not UTF-8 text with a sentence a line",
                    path ? path : fixed);
        return NULL;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *spoken = g_ptr_array_new();
    GString *words = g_string_new(NULL);
    for (int i = 0; lines[i] && (wanted == 0 || (int)spoken->len < wanted); i++) {
        if (!*g_strstrip(lines[i]))
            continue;
        char *tab = strchr(lines[i], '\t');
        g_string_append_printf(words, "%s\n", tab ? tab + 1 : lines[i]);
        if (tab)
            *tab = '\0';
        g_ptr_array_add(spoken, g_strdup(lines[i]));
    }
    g_ptr_array_add(spoken, NULL);
    *reference = g_string_free(words, FALSE);
    return (char **)g_ptr_array_free(spoken, FALSE);
}

