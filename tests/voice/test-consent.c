/* The consent gate without a voice: issuing sentences, the ledger (unknown,
 * expired and spent ids), the level tests that come before recognition,
 * and the .gsvoice file.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "gs-consent.h"
#include "gs-voice.h"

#define NOW ((gint64)1765000000)

static char *
scratch_ledger(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-consent-XXXXXX", NULL);
    g_assert_nonnull(dir);
    return g_build_filename(dir, "ledger", "consent.json", NULL);
}

static void
test_issue(void)
{
    g_autofree char *ledger = scratch_ledger();
    g_autoptr(GError) error = NULL;
    g_autoptr(GsConsentRequest) a = gs_consent_issue(ledger, "  Ann   Smith ", NOW, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(a->name, ==, "Ann Smith");
    g_assert_true(g_str_has_prefix(a->sentence, "I, Ann Smith, agree that GenStudio may create a synthetic copy"));
    g_assert_true(g_str_has_suffix(a->sentence, a->phrase) || strstr(a->sentence, a->phrase));
    g_assert_cmpuint(strlen(a->id), ==, 16);
    /* Four different words from the pool. */
    g_auto(GStrv) words = g_strsplit(a->phrase, " ", -1);
    g_assert_cmpuint(g_strv_length(words), ==, 4);
    gsize pool_size = 0;
    const char *const *pool = gs_consent_phrase_words(&pool_size);
    g_assert_cmpuint(pool_size, ==, 128);
    for (int i = 0; i < 4; i++) {
        g_assert_true(g_strv_contains(pool, words[i]));
        for (int j = 0; j < i; j++)
            g_assert_cmpstr(words[i], !=, words[j]);
    }
    /* About 20 words in all. */
    g_auto(GStrv) all = g_strsplit(a->sentence, " ", -1);
    g_assert_cmpuint(g_strv_length(all), >=, 20);
    /* A second sentence has another id and (almost surely) another phrase. */
    g_autoptr(GsConsentRequest) b = gs_consent_issue(ledger, "Ann Smith", NOW, &error);
    g_assert_cmpstr(a->id, !=, b->id);
    g_autoptr(GsConsentRequest) found = gs_consent_lookup(ledger, a->id, NOW + 60, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(found->sentence, ==, a->sentence);
}

static void
test_bad_names(void)
{
    g_autofree char *ledger = scratch_ledger();
    const char *bad[] = { "", "   ", "Ann 2", "Robert'); DROP", "a b c d e", "\xff\xfe", "Ann\nSmith" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        g_assert_null(gs_consent_issue(ledger, bad[i], NOW, &error));
        g_assert_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_BAD_NAME);
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GsConsentRequest) ok = gs_consent_issue(ledger, "Zoë O'Neil-Kowalczyk", NOW, &error);
    g_assert_no_error(error);
}

static void
test_ids_expire_and_are_spent_once(void)
{
    g_autofree char *ledger = scratch_ledger();
    g_autoptr(GError) error = NULL;
    g_autoptr(GsConsentRequest) r = gs_consent_issue(ledger, "Ann", NOW, &error);
    g_autoptr(GsConsentRequest) expired = gs_consent_lookup(ledger, r->id, NOW + GS_CONSENT_LIFETIME_SECONDS + 1,
                                                            &error);
    g_assert_null(expired);
    g_assert_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_EXPIRED);
    g_clear_error(&error);
    g_assert_null(gs_consent_lookup(ledger, "0123456789abcdef", NOW, &error));
    g_assert_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_UNKNOWN_ID);
    g_clear_error(&error);
    g_assert_true(gs_consent_spend(ledger, r->id, NOW + 30, &error));
    g_assert_no_error(error);
    g_assert_false(gs_consent_spend(ledger, r->id, NOW + 31, &error));
    g_assert_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_USED);
    g_clear_error(&error);
    g_assert_null(gs_consent_lookup(ledger, r->id, NOW + 32, &error));
    g_assert_error(error, GS_CONSENT_ERROR, GS_CONSENT_ERROR_USED);
}

static void
test_damaged_ledger(void)
{
    g_autofree char *ledger = scratch_ledger();
    g_autofree char *dir = g_path_get_dirname(ledger);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(ledger, "{\"requests\": [", -1, NULL));
    g_autoptr(GError) error = NULL;
    g_assert_null(gs_consent_issue(ledger, "Ann", NOW, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "damaged"));
}

/* ---- the level tests, before any recognition ---- */

static float *
speechlike(double seconds, double noise_level, float peak, gsize *count)
{
    /* Bursts of a 150 Hz buzz (0.3 s on, 0.2 s off) over noise. */
    gsize n = (gsize)(seconds * GS_CONSENT_RATE);
    float *x = g_new(float, n);
    GRand *rand = g_rand_new_with_seed(7);
    for (gsize i = 0; i < n; i++) {
        double t = (double)i / GS_CONSENT_RATE;
        double on = fmod(t, 0.5) < 0.3 ? 1.0 : 0.0;
        x[i] = (float)(peak * on * sin(2 * M_PI * 150 * t) + noise_level * g_rand_double_range(rand, -1, 1));
    }
    g_rand_free(rand);
    *count = n;
    return x;
}

static void
expect_refusal(const float *x, gsize n, gint code)
{
    GsConsentRequest request = { .id = "0", .name = "Ann", .sentence = "I, Ann, agree.", .phrase = "a b c d" };
    g_autoptr(GError) error = NULL;
    g_autoptr(GsConsentCheck) check = gs_consent_check_recording(&request, x, n, &error);
    g_assert_null(check);
    g_assert_error(error, GS_CONSENT_ERROR, code);
    g_test_message("%s", error->message);
}

static void
test_levels(void)
{
    gsize n = 0;
    g_autofree float *short_one = speechlike(3.0, 0.001, 0.3f, &n);
    expect_refusal(short_one, n, GS_CONSENT_ERROR_TOO_SHORT);
    g_autofree float *long_one = speechlike(31.0, 0.001, 0.3f, &n);
    expect_refusal(long_one, n, GS_CONSENT_ERROR_TOO_LONG);
    g_autofree float *silent = speechlike(8.0, 0.0, 0.0f, &n);
    expect_refusal(silent, n, GS_CONSENT_ERROR_SILENT);
    g_autofree float *noisy = speechlike(8.0, 0.2, 0.3f, &n);
    expect_refusal(noisy, n, GS_CONSENT_ERROR_NOISY);
    g_autofree float *clipped = speechlike(8.0, 0.001, 1.5f, &n);
    for (gsize i = 0; i < n; i++)
        clipped[i] = CLAMP(clipped[i], -1.0f, 1.0f);
    expect_refusal(clipped, n, GS_CONSENT_ERROR_CLIPPED);
    /* A buzz is loud enough and clean: it gets to the recognizer, which
     * does not hear the sentence in it. */
    g_autofree float *buzz = speechlike(8.0, 0.001, 0.3f, &n);
    expect_refusal(buzz, n, GS_CONSENT_ERROR_WRONG_SENTENCE);
}

/* ---- the .gsvoice file ---- */

static GsVoice *
sample_voice(void)
{
    GsVoice *v = g_new0(GsVoice, 1);
    v->name = g_strdup("Ann Smith");
    v->model_voices = g_strsplit("awb kal16 rms slt", " ", -1);
    v->weights = g_new(float, 4);
    const float w[4] = { 0.25f, 0.0f, 0.5f, 0.25f };
    memcpy(v->weights, w, sizeof w);
    v->pitch = -1.5f;
    v->speaker_embedding_dim = 3;
    v->speaker_embedding = g_new(float, 3);
    const float e[3] = { 0.6f, -0.8f, 0.0f };
    memcpy(v->speaker_embedding, e, sizeof e);
    v->consent_id = g_strdup("0123456789abcdef");
    v->consent_sentence = g_strdup("I, Ann Smith, agree …");
    v->consent_transcript = g_strdup("i ann smith agree");
    v->consent_match = 0.9;
    v->consent_audio_sha256 = g_strnfill(64, 'a');
    v->consent_time = NOW;
    return v;
}

static void
expect_bad_voice(const char *dir, const char *contents)
{
    g_autofree char *path = g_build_filename(dir, "bad.gsvoice", NULL);
    g_assert_true(g_file_set_contents(path, contents, -1, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(GsVoice) v = gs_voice_load(path, &error);
    g_assert_null(v);
    g_assert_nonnull(error);
    g_test_message("%s", error->message);
}

static void
test_voice_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-gsvoice-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ann.gsvoice", NULL);
    g_autoptr(GsVoice) v = sample_voice();
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_voice_save(v, path, &error));
    g_autoptr(GsVoice) back = gs_voice_load(path, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(back->name, ==, "Ann Smith");
    g_assert_cmpuint(g_strv_length(back->model_voices), ==, 4);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpstr(back->model_voices[i], ==, v->model_voices[i]);
        g_assert_cmpfloat(fabsf(back->weights[i] - v->weights[i]), <, 1e-6);
    }
    g_assert_cmpfloat(fabsf(back->pitch - v->pitch), <, 1e-6);
    g_assert_cmpint(back->speaker_embedding_dim, ==, 3);
    for (int i = 0; i < 3; i++)
        g_assert_cmpfloat(fabsf(back->speaker_embedding[i] - v->speaker_embedding[i]), <, 1e-6);
    g_autoptr(GsVoice) copy = gs_voice_copy(back);
    g_assert_cmpfloat(copy->speaker_embedding[1], ==, back->speaker_embedding[1]);
    g_assert_cmpstr(back->consent_audio_sha256, ==, v->consent_audio_sha256);
    g_autofree char *line = gs_voice_describe_consent(back);
    g_assert_nonnull(strstr(line, "0123456789abcdef"));

    expect_bad_voice(dir, "not json");
    expect_bad_voice(dir, "{\"format\":\"genstudio-voice\",\"version\":2}");
    /* Weights that do not sum to 1, a negative one, a string. */
    const char *head = "{\"format\":\"genstudio-voice\",\"version\":1,\"name\":\"A\",\"pitch_semitones\":0,";
    const char *consent = "\"consent\":{\"id\":\"x\",\"sentence\":\"s\",\"audio_sha256\":"
                          "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}";
    const char *blends[] = { "\"blend\":{\"awb\":0.5},", "\"blend\":{\"awb\":1.5,\"slt\":-0.5},",
                             "\"blend\":{\"awb\":\"1\"},", "\"blend\":{}," };
    for (gsize i = 0; i < G_N_ELEMENTS(blends); i++) {
        g_autofree char *text = g_strconcat(head, blends[i], consent, NULL);
        expect_bad_voice(dir, text);
    }
    /* Members of the wrong JSON type (the first crashed the reader once). */
    g_autofree char *number_sentence = g_strconcat(head, "\"blend\":{\"awb\":1},\"consent\":{\"id\":\"x\",\"sentence\":5}}", NULL);
    expect_bad_voice(dir, number_sentence);
    expect_bad_voice(dir, "{\"format\":\"genstudio-voice\",\"version\":1,\"name\":{},\"blend\":{\"awb\":true}}");
    expect_bad_voice(dir, "");
    /* Speaker embeddings: empty, out of range, not numbers. */
    const char *embeddings[] = { "\"speaker_embedding\":[],", "\"speaker_embedding\":[0.5,1.5],",
                                 "\"speaker_embedding\":[\"0.5\"],", "\"speaker_embedding\":{}," };
    for (gsize i = 0; i < G_N_ELEMENTS(embeddings); i++) {
        g_autofree char *text = g_strconcat(head, "\"blend\":{\"awb\":1},", embeddings[i], consent, NULL);
        expect_bad_voice(dir, text);
    }
    /* No consent record. */
    g_autofree char *no_consent = g_strconcat(head, "\"blend\":{\"awb\":1}}", NULL);
    expect_bad_voice(dir, no_consent);
    /* The good one is accepted (the cases above differ from it in one place). */
    g_autofree char *good = g_strconcat(head, "\"blend\":{\"awb\":1},", consent, NULL);
    g_autofree char *good_path = g_build_filename(dir, "good.gsvoice", NULL);
    g_assert_true(g_file_set_contents(good_path, good, -1, NULL));
    g_autoptr(GsVoice) accepted = gs_voice_load(good_path, &error);
    g_assert_no_error(error);
    /* Too large to be a voice. */
    g_autofree char *huge = g_strnfill(GS_VOICE_MAX_FILE_BYTES + 1, ' ');
    expect_bad_voice(dir, huge);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/consent/issue", test_issue);
    g_test_add_func("/consent/bad-names", test_bad_names);
    g_test_add_func("/consent/ids-expire-and-are-spent-once", test_ids_expire_and_are_spent_once);
    g_test_add_func("/consent/damaged-ledger", test_damaged_ledger);
    g_test_add_func("/consent/levels", test_levels);
    g_test_add_func("/consent/voice-file", test_voice_file);
    return g_test_run();
}
