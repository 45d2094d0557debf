/* genstudio-cli bench clone: how close a clone comes to a voice the speech
 * model never heard, and how well the consent gate tells the issued
 * sentence from others.
 *
 * Cloning: four held-out speakers (festival's ked and espeak-ng, two
 * teacher-like voices outside the training set; ked raised 3 semitones and
 * flite's awb lowered 3 semitones by sox, which moves pitch and formants
 * alike, as augmented ones) each read a fresh consent sentence; the voice is
 * fitted to that reading; then the clone, the default voice and the speaker
 * read ten bench sentences. (a) the distance in median F0, F0 range and
 * F1–F3 between the clone's speech and the speaker's, against the default
 * voice's; (b) the speaker encoder's cosine between them, against the
 * default voice's (the encoder never heard these speakers either:
 * tools/speech/speaker_data.py); (c) the clone's word error rate by
 * pocketsphinx. The fit runs even where the gate
 * refuses the reading (it says so): this measures fitting, not the gate.
 *
 * The gate: nine voices (the four above, festival's kal, flite's slt and
 * awb, espeak-ng's f3 variant, kal and slt lowered 3 semitones) read, for
 * two names, the issued sentence, another sentence, the sentence with a
 * wrong phrase, and the sentence without its phrase: false rejections and
 * false acceptances.
 * Needs text2wave (festival, festvox-kdlpc16k, festvox-kallpc16k), flite,
 * espeak-ng, sox and pocketsphinx_continuous.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bench-listen.h"
#include "cli.h"
#include "gs-audio.h"
#include "gs-consent.h"
#include "gs-speech-job.h"
#include "gs-voice-clone.h"

#define RATE GS_CONSENT_RATE
#define SENTENCES 10
#define SENTENCE_STRIDE 22 /* every 22nd of the 222 bench sentences */
#define GAP_SECONDS 0.4

typedef struct {
    const char *name;
    const char *voice; /* "ked", "kal": festival; "slt", "awb": flite; "espeak…": espeak-ng */
    int cents;         /* sox pitch shift */
} speaker;

static const speaker held_out[] = {
    { "festival ked", "ked", 0 },
    { "espeak-ng en-us", "espeak:en-us", 0 },
    { "ked +3 st (augmented)", "ked", 300 },
    { "flite awb -3 st (augmented)", "awb", -300 },
};

static const speaker gate_voices[] = {
    { "festival ked", "ked", 0 },     { "festival kal", "kal", 0 },        { "flite slt", "slt", 0 },
    { "flite awb", "awb", 0 },        { "espeak-ng en-us", "espeak:en-us", 0 }, { "espeak-ng f3", "espeak:en-us+f3", 0 },
    { "ked +3 st", "ked", 300 },     { "kal -3 st", "kal", -300 },       { "slt -3 st", "slt", -300 },
};

/* `sp` reads `text` into 16 kHz mono samples. */
static float *
read_aloud(const speaker *sp, const char *text, const char *dir, gsize *count, GError **error)
{
    g_autofree char *script = g_build_filename(dir, "script.txt", NULL);
    g_autofree char *raw = g_build_filename(dir, "raw.wav", NULL);
    g_autofree char *shifted = g_build_filename(dir, "shifted.wav", NULL);
    if (!g_file_set_contents(script, text, -1, error))
        return NULL;
    g_autofree char *festival_voice = g_strdup_printf("(voice_%s_diphone)", sp->voice);
    const char *festival[] = { "text2wave", "-eval", festival_voice, script, "-o", raw, NULL };
    const char *flite[] = { "flite", "-voice", sp->voice, "-f", script, "-o", raw, NULL };
    const char *espeak[] = { "espeak-ng", "-v", sp->voice + strlen("espeak:"), "-f", script, "-w", raw, NULL };
    const char *const *tool = g_str_has_prefix(sp->voice, "espeak:")                              ? espeak
                              : g_str_equal(sp->voice, "ked") || g_str_equal(sp->voice, "kal") ? festival
                                                                                               : flite;
    g_autofree char *cents = g_strdup_printf("%d", sp->cents);
    const char *sox[] = { "sox", raw, shifted, "pitch", cents, NULL };
    if (!gs_bench_run(tool, NULL, error) || (sp->cents && !gs_bench_run(sox, NULL, error)))
        return NULL;
    float *samples = NULL;
    return gs_audio_decode(sp->cents ? shifted : raw, 1, RATE, &samples, count, error) ? samples : NULL;
}

typedef struct {
    GArray *samples;
    int gap;
} collector;

static bool
collect(const gs_speech_chunk *chunk, void *user_data)
{
    collector *c = user_data;
    g_array_append_vals(c->samples, chunk->samples, (guint)chunk->sample_count);
    g_array_set_size(c->samples, c->samples->len + c->gap);
    return true;
}

/* Our model reads `sentences` (with `params`) → 16 kHz mono. */
static float *
speak(gs_context *ctx, gs_speech *model, char **sentences, const gs_speech_params *params, gsize *count,
      GError **error)
{
    int rate = gs_speech_sample_rate(model);
    collector c = { g_array_new(FALSE, TRUE, sizeof(float)), (int)(GAP_SECONDS * rate) };
    gboolean ok = TRUE;
    for (int i = 0; ok && sentences[i]; i++)
        if (gs_speech_synthesize(model, sentences[i], params, collect, &c) != GS_OK) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", gs_context_error(ctx));
            ok = FALSE;
        }
    float *out = NULL;
    ok = ok && gs_audio_convert((float *)c.samples->data, c.samples->len, 1, rate, 1, RATE, &out, count, error);
    g_array_unref(c.samples);
    return ok ? out : NULL;
}

static double
wer_of(const float *x, gsize count, const char *reference, const char *dir, GError **error)
{
    g_autofree char *wav = g_build_filename(dir, "heard.wav", NULL);
    if (!gs_audio_export(wav, x, count, 1, RATE, NULL, NULL, NULL, NULL, error))
        return NAN;
    g_autofree char *hypothesis = gs_bench_recognise(wav, dir, error);
    return hypothesis ? gs_bench_word_error_rate(reference, hypothesis) : NAN;
}

static void
print_features(const char *who, const GsVoiceFeatures *f)
{
    printf("    %-9s F0 %5.1f Hz, range %4.1f st, F1–F3 %4.0f %4.0f %4.0f Hz\n", who, f->f0_hz, f->f0_range_semitones,
           f->formant_hz[0], f->formant_hz[1], f->formant_hz[2]);
}

typedef struct {
    gs_context *ctx;
    gs_speech *model;
    gs_speaker_encoder *encoder;
    const char *dir, *ledger;
    char **sentences;
    const char *reference;
    float *default_speech;
    gsize default_count;
    GsVoiceFeatures default_features;
    float *default_embedding;
    double default_wer;
    int closer, closer_by_encoder;
} clone_bench;

static gboolean
bench_speaker(clone_bench *b, const speaker *sp, GError **error)
{
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    g_autoptr(GsConsentRequest) request = gs_consent_issue(b->ledger, "Ann Smith", now, error);
    gsize consent_count = 0, own_count = 0, clone_count = 0;
    g_autofree float *consent = request ? read_aloud(sp, request->sentence, b->dir, &consent_count, error) : NULL;
    if (!consent)
        return FALSE;
    g_autoptr(GError) refusal = NULL;
    g_autoptr(GsConsentCheck) check = gs_consent_check_recording(request, consent, consent_count, &refusal);
    GsConsentCheck measuring = { .transcript = "(refused by the gate: fitted for measurement only)",
                                 .audio_sha256 = "" };
    g_autoptr(GsVoice) voice = gs_voice_clone(b->ctx, b->model, b->encoder, request, check ? check : &measuring,
                                              consent, consent_count, NULL, NULL, error);
    if (!voice) {
        g_prefix_error(error, "fitting: ");
        return FALSE;
    }
    g_autofree char *bench_text = g_strjoinv("\n", b->sentences);
    g_autofree float *own = read_aloud(sp, bench_text, b->dir, &own_count, error);
    gs_speech_params params = gs_speech_default_params();
    g_autofree float *clone_blend = own ? gs_voice_apply(voice, b->model, &params, error) : NULL;
    g_autofree float *cloned = clone_blend ? speak(b->ctx, b->model, b->sentences, &params, &clone_count, error) : NULL;
    GsVoiceFeatures own_f, clone_f;
    if (!cloned)
        return FALSE;
    if (!gs_voice_features_measure(own, own_count, RATE, &own_f, error)) {
        g_prefix_error(error, "the speaker's own reading: ");
        return FALSE;
    }
    if (!gs_voice_features_measure(cloned, clone_count, RATE, &clone_f, error)) {
        g_prefix_error(error, "the clone's reading: ");
        return FALSE;
    }
    double d_clone = gs_voice_features_distance(&clone_f, &own_f);
    double d_default = gs_voice_features_distance(&b->default_features, &own_f);
    int dim = gs_speaker_encoder_dim(b->encoder);
    g_autofree float *own_e = g_new(float, dim), *clone_e = g_new(float, dim);
    if (!gs_voice_embed(b->ctx, b->encoder, own, own_count, RATE, own_e, error) ||
        !gs_voice_embed(b->ctx, b->encoder, cloned, clone_count, RATE, clone_e, error))
        return FALSE;
    double cos_clone = gs_voice_embedding_cosine(clone_e, own_e, dim);
    double cos_default = gs_voice_embedding_cosine(b->default_embedding, own_e, dim);
    double wer = wer_of(cloned, clone_count, b->reference, b->dir, error);
    if (isnan(wer))
        return FALSE;
    b->closer += d_clone < d_default;
    b->closer_by_encoder += cos_clone > cos_default;
    g_autoptr(GString) blend = g_string_new(NULL);
    for (int i = 0; voice->model_voices[i]; i++)
        if (voice->weights[i] > 0)
            g_string_append_printf(blend, "%s%s %.2f", blend->len ? " + " : "", voice->model_voices[i],
                                   voice->weights[i]);
    printf("%s — gate: %s; fitted %s, pitch %+.1f st\n", sp->name,
           check ? "passed" : refusal->message, blend->str, voice->pitch);
    print_features("speaker", &own_f);
    print_features("clone", &clone_f);
    print_features("default", &b->default_features);
    printf("    (a) distance clone %.2f, default %.2f st → %s\n", d_clone, d_default,
           d_clone < d_default ? "clone closer" : "MISS: default closer");
    printf("    (b) speaker-encoder cosine clone %.3f, default %.3f → %s\n", cos_clone, cos_default,
           cos_clone > cos_default ? "clone closer" : "MISS: default closer");
    printf("    (c) WER clone %.1f%%, default voice %.1f%%\n", 100 * wer, 100 * b->default_wer);
    return TRUE;
}

/* ---- the gate: false rejections and acceptances ---- */

typedef enum { RIGHT, OTHER_SENTENCE, WRONG_PHRASE, NO_PHRASE, KINDS } reading_kind;
static const char *const kind_names[KINDS] = { "the issued sentence", "another sentence", "a wrong phrase",
                                               "the phrase missing" };

/* The text a speaker reads for `kind`. */
static char *
reading_for(const GsConsentRequest *r, reading_kind kind, const char *other)
{
    g_autofree char *without = g_strndup(r->sentence, strstr(r->sentence, " My phrase is") - r->sentence);
    gsize pool_size = 0;
    const char *const *pool = gs_consent_phrase_words(&pool_size);
    g_autoptr(GString) wrong = g_string_new(NULL);
    for (gsize i = 0, taken = 0; i < pool_size && taken < 4; i++)
        if (!strstr(r->phrase, pool[(i * 37) % pool_size])) {
            g_string_append_printf(wrong, "%s%s", taken ? " " : "", pool[(i * 37) % pool_size]);
            taken++;
        }
    switch (kind) {
    case RIGHT:
        return g_strdup(r->sentence);
    case OTHER_SENTENCE:
        return g_strdup_printf("%s %s", other, other); /* twice: past the 5 s minimum */
    case WRONG_PHRASE:
        return g_strdup_printf("%s My phrase is %s.", without, wrong->str);
    default:
        return g_steal_pointer(&without);
    }
}

static gboolean
bench_gate(const char *dir, const char *ledger, char **sentences, GError **error)
{
    const char *names[] = { "Ann Smith", "Robert Brown" };
    int accepted[KINDS] = { 0 }, total[KINDS] = { 0 };
    printf("\nThe consent gate: %zu voices × %zu names, each reading:\n", G_N_ELEMENTS(gate_voices),
           G_N_ELEMENTS(names));
    for (gsize v = 0; v < G_N_ELEMENTS(gate_voices); v++) {
        int voice_right = 0;
        for (gsize n = 0; n < G_N_ELEMENTS(names); n++)
            for (int kind = 0; kind < KINDS; kind++) {
                gint64 now = g_get_real_time() / G_USEC_PER_SEC;
                g_autoptr(GsConsentRequest) r = gs_consent_issue(ledger, names[n], now, error);
                g_autofree char *text = r ? reading_for(r, kind, sentences[(v + n) % SENTENCES]) : NULL;
                gsize count = 0;
                g_autofree float *x = text ? read_aloud(&gate_voices[v], text, dir, &count, error) : NULL;
                if (!x)
                    return FALSE;
                g_autoptr(GError) refusal = NULL;
                g_autoptr(GsConsentCheck) check = gs_consent_check_recording(r, x, count, &refusal);
                accepted[kind] += check != NULL;
                total[kind]++;
                voice_right += kind == RIGHT && check;
            }
        printf("  %-18s issued sentence accepted %d/%zu\n", gate_voices[v].name, voice_right, G_N_ELEMENTS(names));
    }
    printf("  false rejections: %d of %d readings of the issued sentence (%.0f%%)\n", total[RIGHT] - accepted[RIGHT],
           total[RIGHT], 100.0 * (total[RIGHT] - accepted[RIGHT]) / total[RIGHT]);
    for (int kind = OTHER_SENTENCE; kind < KINDS; kind++)
        printf("  false acceptances, %s: %d of %d\n", kind_names[kind], accepted[kind], total[kind]);
    return TRUE;
}

int
gs_cli_bench_clone(gs_context *ctx)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *all_words = NULL;
    g_auto(GStrv) all = gs_bench_read_sentences(NULL, 0, &all_words, &error);
    if (!all) {
        fprintf(stderr, "bench clone: %s\n", error->message);
        return 1;
    }
    /* Every 22nd sentence, with the words it should be heard as. */
    g_auto(GStrv) heard_as = g_strsplit(all_words, "\n", -1);
    char *picked[SENTENCES + 1] = { NULL };
    g_autoptr(GString) reference = g_string_new(NULL);
    for (int i = 0; i < SENTENCES && i * SENTENCE_STRIDE < (int)g_strv_length(all); i++) {
        picked[i] = all[i * SENTENCE_STRIDE];
        g_string_append_printf(reference, "%s\n", heard_as[i * SENTENCE_STRIDE]);
    }
    g_autofree char *model_path = gs_default_speech_model_path();
    gs_speech *model = gs_load_speech(ctx, model_path, &error);
    g_autofree char *dir = model ? g_dir_make_tmp("genstudio-bench-clone-XXXXXX", &error) : NULL;
    g_autofree char *ledger = dir ? g_build_filename(dir, "consent.json", NULL) : NULL;
    gs_speaker_encoder *encoder = dir ? gs_load_default_speaker_encoder(ctx, &error) : NULL;
    clone_bench b = { .ctx = ctx, .model = model, .encoder = encoder, .dir = dir, .ledger = ledger,
                      .sentences = picked, .reference = reference->str };
    gs_speech_params defaults = gs_speech_default_params();
    gboolean ok = encoder && (b.default_speech = speak(ctx, model, picked, &defaults, &b.default_count, &error)) &&
                  gs_voice_features_measure(b.default_speech, b.default_count, RATE, &b.default_features, &error);
    if (ok) {
        b.default_embedding = g_new(float, gs_speaker_encoder_dim(encoder));
        ok = gs_voice_embed(ctx, encoder, b.default_speech, b.default_count, RATE, b.default_embedding, &error);
    }
    if (ok) {
        b.default_wer = wer_of(b.default_speech, b.default_count, b.reference, dir, &error);
        ok = !isnan(b.default_wer);
    }
    if (ok)
        printf("Cloning %zu held-out speakers from a consent reading; each then reads %d bench sentences "
               "(distances in semitones: F0, F0 range, F1–F3)\n",
               G_N_ELEMENTS(held_out), SENTENCES);
    for (gsize i = 0; ok && i < G_N_ELEMENTS(held_out); i++) {
        g_autoptr(GError) missed = NULL;
        if (!bench_speaker(&b, &held_out[i], &missed))
            printf("%s — MISS: %s\n", held_out[i].name, missed->message);
    }
    if (ok)
        printf("clone closer than the default voice by (a): %d of %zu speakers (target: all); by (b): %d of %zu\n",
               b.closer, G_N_ELEMENTS(held_out), b.closer_by_encoder, G_N_ELEMENTS(held_out));
    ok = ok && bench_gate(dir, ledger, picked, &error);
    if (!ok)
        fprintf(stderr, "bench clone: %s\n(the bench needs: apt-get install festival festvox-kdlpc16k "
                        "festvox-kallpc16k flite espeak-ng sox pocketsphinx pocketsphinx-en-us)\n",
                error ? error->message : "failed");
    g_free(b.default_speech);
    g_free(b.default_embedding);
    gs_speaker_encoder_free(encoder);
    gs_speech_free(model);
    if (dir) {
        const char *made[] = { "script.txt", "raw.wav", "shifted.wav", "heard.wav", "16k.wav", "consent.json",
                               "consent.json.lock" };
        for (size_t i = 0; i < G_N_ELEMENTS(made); i++) {
            g_autofree char *path = g_build_filename(dir, made[i], NULL);
            g_remove(path);
        }
        g_rmdir(dir);
    }
    return ok ? 0 : 1;
}
