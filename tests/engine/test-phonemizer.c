/* The espeak-ng front end: IPA phonemes with stress, word breaks, clause
 * marks, one sentence at a time; bad input gets a clear error.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "genstudio-engine.h"

static char *
joined(const gs_phone *phones, int count)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; i < count; i++)
        g_string_append_printf(s, "%s%s|", phones[i].stress == 1 ? "'" : phones[i].stress == 2 ? "," : "",
                               phones[i].symbol);
    return g_string_free(s, FALSE);
}

static void
test_english(void)
{
    gs_phonemizer *ph;
    char *error = NULL;
    g_assert_cmpint(gs_phonemizer_new("en-us", &ph, &error), ==, GS_OK);
    const char *text = "Hello from GenStudio. Is it working?";
    gs_phone *phones;
    int count;
    g_assert_cmpint(gs_phonemizer_next_sentence(ph, &text, &phones, &count, &error), ==, GS_OK);
    g_autofree char *first = joined(phones, count);
    g_assert_cmpstr(first, ==, "h|ə|l|'oʊ| |f|ɹ|ʌ|m| |dʒ|'ɛ|n| |s|t|'uː|d|ɪ|,oʊ|.|");
    g_assert_nonnull(text);
    gs_phones_free(phones);
    g_assert_cmpint(gs_phonemizer_next_sentence(ph, &text, &phones, &count, &error), ==, GS_OK);
    g_assert_cmpint(count, >, 5);
    g_assert_cmpstr(phones[count - 1].symbol, ==, "?");
    g_assert_null(text);
    gs_phones_free(phones);
    gs_phonemizer_free(ph);
}

static void
test_other_language_and_commas(void)
{
    gs_phonemizer *ph;
    char *error = NULL;
    g_assert_cmpint(gs_phonemizer_new("de", &ph, &error), ==, GS_OK);
    const char *text = "Guten Tag, wie geht's?";
    gs_phone *phones;
    int count;
    g_assert_cmpint(gs_phonemizer_next_sentence(ph, &text, &phones, &count, &error), ==, GS_OK);
    g_autofree char *all = joined(phones, count);
    g_assert_nonnull(strstr(all, "ɡ|'uː|t|ə|n| |t|'ɑː|k|,|"));
    g_assert_cmpstr(phones[count - 1].symbol, ==, "?");
    g_assert_null(text);
    gs_phones_free(phones);
    gs_phonemizer_free(ph);
}

static void
test_bad_input(void)
{
    gs_phonemizer *ph = NULL;
    char *error = NULL;
    g_assert_cmpint(gs_phonemizer_new("xx-nonexistent", &ph, &error), ==, GS_ERR_INVALID_ARGUMENT);
    g_assert_null(ph);
    g_assert_nonnull(strstr(error, "Unknown language"));
    free(error);
    error = NULL;

    g_assert_cmpint(gs_phonemizer_new(NULL, &ph, &error), ==, GS_OK);
    const char *bad = "caf\xc3\x28 au lait";
    gs_phone *phones = NULL;
    int count = -1;
    g_assert_cmpint(gs_phonemizer_next_sentence(ph, &bad, &phones, &count, &error), ==, GS_ERR_INVALID_ARGUMENT);
    g_assert_nonnull(strstr(error, "UTF-8"));
    g_assert_cmpint(count, ==, 0);
    free(error);

    const char *blank = "  \n\t ";
    int sentences = 0;
    while (blank) {
        g_assert_cmpint(gs_phonemizer_next_sentence(ph, &blank, &phones, &count, NULL), ==, GS_OK);
        g_assert_cmpint(count, ==, 0);
        gs_phones_free(phones);
        g_assert_cmpint(++sentences, <, 10);
    }
    gs_phonemizer_free(ph);
}

/* A text left half-read must not leak into the next one (espeak-ng keeps
 * one character of look-ahead between calls). */
static void
test_abandoned_text(void)
{
    gs_phonemizer *a, *b;
    g_assert_cmpint(gs_phonemizer_new("en-us", &a, NULL), ==, GS_OK);
    g_assert_cmpint(gs_phonemizer_new("en-us", &b, NULL), ==, GS_OK);
    const char *first = "One. Two. Three.", *second = "Hi.";
    gs_phone *phones;
    int count;
    g_assert_cmpint(gs_phonemizer_next_sentence(a, &first, &phones, &count, NULL), ==, GS_OK);
    gs_phones_free(phones);
    g_assert_cmpint(gs_phonemizer_next_sentence(b, &second, &phones, &count, NULL), ==, GS_OK);
    g_autofree char *hi = joined(phones, count);
    g_assert_cmpstr(hi, ==, "h|'aɪ|.|");
    gs_phones_free(phones);
    gs_phonemizer_free(a);
    gs_phonemizer_free(b);
}

/* 200 kB without a full stop still comes back in bounded sentences. */
static void
test_long_text_streams(void)
{
    GString *s = g_string_new(NULL);
    while (s->len < 200000)
        g_string_append(s, "the quick brown fox jumps over the lazy dog, ");
    gs_phonemizer *ph;
    g_assert_cmpint(gs_phonemizer_new("en-us", &ph, NULL), ==, GS_OK);
    const char *text = s->str;
    int sentences = 0, longest = 0;
    while (text) {
        gs_phone *phones;
        int count;
        g_assert_cmpint(gs_phonemizer_next_sentence(ph, &text, &phones, &count, NULL), ==, GS_OK);
        longest = MAX(longest, count);
        sentences++;
        gs_phones_free(phones);
    }
    g_assert_cmpint(sentences, >, 100);
    g_assert_cmpint(longest, <, 800);
    gs_phonemizer_free(ph);
    g_string_free(s, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/phonemizer/english", test_english);
    g_test_add_func("/phonemizer/other-language", test_other_language_and_commas);
    g_test_add_func("/phonemizer/bad-input", test_bad_input);
    g_test_add_func("/phonemizer/abandoned-text", test_abandoned_text);
    g_test_add_func("/phonemizer/long-text", test_long_text_streams);
    return g_test_run();
}
