/* genstudio-cli bench speech: real-time factor of each vocoder, and
 * intelligibility as pocketsphinx hears it — word error rate on 50 fixed
 * everyday sentences (data/bench/speech-sentences.txt; --sentences N takes
 * the first N) for our voice, flite's slt and espeak-ng, same sentences, same
 * run; then the RTF ratios neural/flite and Griffin-Lim/neural.
 * Needs the command-line tools flite, espeak-ng, sox and
 * pocketsphinx_continuous (Debian: flite espeak-ng sox pocketsphinx
 * pocketsphinx-en-us).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-audio.h"
#include "gs-image-job.h"
#include "gs-speech-job.h"

#define GAP_SECONDS 0.6

typedef struct {
    GArray *samples;
    int rate;
} collector;

static gboolean
collect(const gs_speech_chunk *chunk, gpointer user_data, GError **error)
{
    collector *c = user_data;
    g_array_append_vals(c->samples, chunk->samples, (guint)chunk->sample_count);
    return TRUE;
}

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
static double
word_error_rate(const char *reference, const char *hypothesis)
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

static gboolean
run(const char *const *argv, char **out, GError **error)
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
static char *
recognise(const char *wav, const char *dir, GError **error)
{
    g_autofree char *resampled = g_build_filename(dir, "16k.wav", NULL);
    const char *sox[] = { "sox", wav, "-r", "16000", "-c", "1", "-b", "16", resampled, NULL };
    const char *sphinx[] = { "pocketsphinx_continuous", "-infile", resampled, "-logfn", "/dev/null", NULL };
    char *text = NULL;
    if (!run(sox, NULL, error) || !run(sphinx, &text, error))
        return NULL;
    return text;
}

static double
wav_seconds(const char *path)
{
    float *samples = NULL;
    gsize frames = 0;
    g_autoptr(GError) error = NULL;
    if (!gs_audio_decode(path, 1, 16000, &samples, &frames, &error))
        return 0.0;
    g_free(samples);
    return frames / 16000.0;
}

static double
report(const char *name, double rtf, double wer)
{
    printf("%-28s RTF %7.4f   WER %5.1f%%\n", name, rtf, 100.0 * wer);
    return rtf;
}

/* Our voice through one vocoder: sentences spoken one by one, joined with
 * short silences into one WAV. */
static gboolean
bench_ours(gs_context *ctx, gs_speech *model, gs_vocoder vocoder, char **sentences, const char *dir,
           const char *reference, double *rtf, GError **error)
{
    gs_speech_params params = gs_speech_default_params();
    params.vocoder = vocoder;
    collector c = { g_array_new(FALSE, TRUE, sizeof(float)), gs_speech_sample_rate(model) };
    gint64 start = g_get_monotonic_time();
    gboolean ok = TRUE;
    for (int i = 0; ok && sentences[i]; i++) {
        ok = gs_speech_job_run(ctx, model, sentences[i], &params, collect, &c, NULL, error);
        g_array_set_size(c.samples, c.samples->len + (guint)(GAP_SECONDS * c.rate));
    }
    double seconds = (g_get_monotonic_time() - start) / 1e6;
    g_autofree char *wav = g_build_filename(dir, "ours.wav", NULL);
    ok = ok && gs_audio_export(wav, (float *)c.samples->data, c.samples->len, 1, c.rate, NULL, NULL, NULL, NULL, error);
    double audio = (double)c.samples->len / c.rate;
    g_array_unref(c.samples);
    g_autofree char *hypothesis = ok ? recognise(wav, dir, error) : NULL;
    if (!hypothesis)
        return FALSE;
    g_autofree char *name = g_strdup_printf("GenStudio %s, %s", gs_speech_voice_name(model, 0),
                                            vocoder == GS_VOCODER_NEURAL ? "neural" : "Griffin-Lim 32");
    *rtf = report(name, seconds / audio, word_error_rate(reference, hypothesis));
    return TRUE;
}

static gboolean
bench_tool(const char *name, const char *const *argv, const char *wav, const char *dir, const char *reference,
           double *rtf, GError **error)
{
    gint64 start = g_get_monotonic_time();
    if (!run(argv, NULL, error))
        return FALSE;
    double seconds = (g_get_monotonic_time() - start) / 1e6;
    g_autofree char *hypothesis = recognise(wav, dir, error);
    if (!hypothesis)
        return FALSE;
    *rtf = report(name, seconds / MAX(wav_seconds(wav), 1e-3), word_error_rate(reference, hypothesis));
    return TRUE;
}

int
gs_cli_bench_speech(gs_context *ctx, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int wanted = 0;
    GOptionEntry entries[] = {
        { "sentences", 0, 0, G_OPTION_ARG_INT, &wanted, "Only the first N sentences (a quicker run)", "N" },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("- time and hear the speech vocoders");
    g_option_context_add_main_entries(options, entries, NULL);
    if (!g_option_context_parse(options, &argc, &argv, &error) || wanted < 0) {
        fprintf(stderr, "bench speech: %s\n", error ? error->message : "--sentences must be positive");
        return 2;
    }
    g_autofree char *all_path = g_build_filename(GS_SOURCE_DATA_DIR, "bench", "speech-sentences.txt", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(all_path, &text, NULL, &error)) {
        fprintf(stderr, "bench speech: %s\n", error->message);
        return 1;
    }
    g_strstrip(text);
    g_auto(GStrv) sentences = g_strsplit(text, "\n", -1);
    if (wanted > 0 && wanted < (int)g_strv_length(sentences)) {
        g_free(sentences[wanted]);
        sentences[wanted] = NULL;
        g_free(text);
        text = g_strjoinv("\n", sentences);
    }
    g_autofree char *model_path = gs_default_speech_model_path();
    gs_speech *model = gs_load_speech(ctx, model_path, &error);
    g_autofree char *dir = g_dir_make_tmp("genstudio-bench-XXXXXX", &error);
    /* flite and espeak-ng read the same sentences from a file. */
    g_autofree char *sentences_path = dir ? g_build_filename(dir, "sentences.txt", NULL) : NULL;
    if (!model || !dir || !g_file_set_contents(sentences_path, text, -1, &error)) {
        fprintf(stderr, "bench speech: %s\n", error->message);
        gs_speech_free(model);
        return 1;
    }
    printf("%d sentences, pocketsphinx word error rate; RTF = synthesis seconds / audio seconds\n",
           (int)g_strv_length(sentences));
    g_autofree char *flite_wav = g_build_filename(dir, "flite.wav", NULL);
    g_autofree char *espeak_wav = g_build_filename(dir, "espeak.wav", NULL);
    const char *flite[] = { "flite", "-voice", "slt", "-f", sentences_path, "-o", flite_wav, NULL };
    const char *espeak[] = { "espeak-ng", "-v", "en-us", "-f", sentences_path, "-w", espeak_wav, NULL };
    double griffin_lim = 0, neural = 0, flite_rtf = 0, espeak_rtf = 0;
    gboolean ok = bench_ours(ctx, model, GS_VOCODER_GRIFFIN_LIM, sentences, dir, text, &griffin_lim, &error);
    if (ok && gs_speech_has_neural_vocoder(model))
        ok = bench_ours(ctx, model, GS_VOCODER_NEURAL, sentences, dir, text, &neural, &error);
    else if (ok)
        printf("%-28s (this model has no neural vocoder)\n", "GenStudio, neural");
    ok = ok && bench_tool("flite slt (reference)", flite, flite_wav, dir, text, &flite_rtf, &error) &&
         bench_tool("espeak-ng (formant)", espeak, espeak_wav, dir, text, &espeak_rtf, &error);
    if (ok && neural > 0) {
        printf("RTF neural / flite:          %5.2f (target ≤ 1.5)\n", neural / MAX(flite_rtf, 1e-9));
        printf("RTF Griffin-Lim 32 / neural: %5.2f (target ≤ 1.5)\n", griffin_lim / neural);
    }
    if (!ok)
        fprintf(stderr, "bench speech: %s\n(the bench needs: apt-get install flite espeak-ng sox pocketsphinx "
                        "pocketsphinx-en-us)\n", error->message);
    gs_speech_free(model);
    const char *made[] = { "ours.wav", "16k.wav", "flite.wav", "espeak.wav", "sentences.txt" };
    for (size_t i = 0; i < G_N_ELEMENTS(made); i++) {
        g_autofree char *path = g_build_filename(dir, made[i], NULL);
        g_remove(path);
    }
    g_rmdir(dir);
    return ok ? 0 : 1;
}
