/* genstudio-cli bench speech: real-time factor of each vocoder, and
 * intelligibility as pocketsphinx hears it — word error rate on 222 fixed
 * sentences none of the voices was trained on (data/bench/speech-sentences.txt:
 * questions, numbers, names, short and long ones; a tab then the words a
 * line's digits are read as; --sentences N takes the first N) for our voice
 * with both vocoders, flite's slt, festival's HTS slt and espeak-ng, same
 * sentences, same run; then our WER against flite's and festival's, and the
 * RTF ratios neural/flite and Griffin-Lim/neural.
 * Needs the command-line tools flite, text2wave, espeak-ng, sox and
 * pocketsphinx_continuous (Debian: flite festival festvox-us-slt-hts
 * espeak-ng sox pocketsphinx pocketsphinx-en-us).
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

typedef struct {
    double rtf, wer;
} figures;

static figures
report(const char *name, double rtf, double wer)
{
    printf("%-28s RTF %7.4f   WER %5.1f%%\n", name, rtf, 100.0 * wer);
    return (figures){ rtf, wer };
}

/* Our voice through one vocoder: sentences spoken one by one, joined with
 * short silences into one WAV. */
static gboolean
bench_ours(gs_context *ctx, gs_speech *model, gs_vocoder vocoder, char **sentences, const char *dir,
           const char *reference, figures *out, GError **error)
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
    *out = report(name, seconds / audio, word_error_rate(reference, hypothesis));
    return TRUE;
}

static gboolean
bench_tool(const char *name, const char *const *argv, const char *wav, const char *dir, const char *reference,
           figures *out, GError **error)
{
    gint64 start = g_get_monotonic_time();
    if (!run(argv, NULL, error))
        return FALSE;
    double seconds = (g_get_monotonic_time() - start) / 1e6;
    g_autofree char *hypothesis = recognise(wav, dir, error);
    if (!hypothesis)
        return FALSE;
    *out = report(name, seconds / MAX(wav_seconds(wav), 1e-3), word_error_rate(reference, hypothesis));
    return TRUE;
}

/* Lines "TEXT" or "TEXT<tab>WORDS" (the words a line's digits are read
 * as): the texts to speak, and all the words they should be heard as. */
static char **
read_sentences(int wanted, char **reference, GError **error)
{
    g_autofree char *path = g_build_filename(GS_SOURCE_DATA_DIR, "bench", "speech-sentences.txt", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, error))
        return NULL;
    g_strstrip(text);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *spoken = g_ptr_array_new();
    GString *words = g_string_new(NULL);
    for (int i = 0; lines[i] && (wanted == 0 || i < wanted); i++) {
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
    g_autofree char *reference = NULL;
    g_auto(GStrv) sentences = read_sentences(wanted, &reference, &error);
    if (!sentences) {
        fprintf(stderr, "bench speech: %s\n", error->message);
        return 1;
    }
    g_autofree char *model_path = gs_default_speech_model_path();
    gs_speech *model = gs_load_speech(ctx, model_path, &error);
    g_autofree char *dir = model ? g_dir_make_tmp("genstudio-bench-XXXXXX", &error) : NULL;
    /* The other systems read the same sentences from a file. */
    g_autofree char *text = g_strjoinv("\n", sentences);
    g_autofree char *sentences_path = dir ? g_build_filename(dir, "sentences.txt", NULL) : NULL;
    if (!model || !dir || !g_file_set_contents(sentences_path, text, -1, &error)) {
        fprintf(stderr, "bench speech: %s\n", error->message);
        gs_speech_free(model);
        return 1;
    }
    printf("%u sentences, pocketsphinx word error rate; RTF = synthesis seconds / audio seconds\n",
           g_strv_length(sentences));
    g_autofree char *flite_wav = g_build_filename(dir, "flite.wav", NULL);
    g_autofree char *festival_wav = g_build_filename(dir, "festival.wav", NULL);
    g_autofree char *espeak_wav = g_build_filename(dir, "espeak.wav", NULL);
    const char *flite[] = { "flite", "-voice", "slt", "-f", sentences_path, "-o", flite_wav, NULL };
    const char *festival[] = { "text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", sentences_path,
                               "-o", festival_wav, NULL };
    const char *espeak[] = { "espeak-ng", "-v", "en-us", "-f", sentences_path, "-w", espeak_wav, NULL };
    figures griffin_lim = { 0 }, neural = { 0 }, flite_slt = { 0 }, festival_slt = { 0 }, espeak_ng = { 0 };
    gboolean ok = bench_ours(ctx, model, GS_VOCODER_GRIFFIN_LIM, sentences, dir, reference, &griffin_lim, &error);
    if (ok && gs_speech_has_neural_vocoder(model))
        ok = bench_ours(ctx, model, GS_VOCODER_NEURAL, sentences, dir, reference, &neural, &error);
    else if (ok)
        printf("%-28s (this model has no neural vocoder)\n", "GenStudio, neural");
    ok = ok && bench_tool("flite slt (reference)", flite, flite_wav, dir, reference, &flite_slt, &error) &&
         bench_tool("festival HTS slt", festival, festival_wav, dir, reference, &festival_slt, &error) &&
         bench_tool("espeak-ng (formant)", espeak, espeak_wav, dir, reference, &espeak_ng, &error);
    figures best = neural.rtf > 0 ? neural : griffin_lim;
    if (ok) {
        printf("WER ours / flite slt:        %5.2f (target ≤ 0.8)\n", best.wer / MAX(flite_slt.wer, 1e-9));
        printf("WER ours / festival HTS slt: %5.2f (target ≤ 1.2)\n", best.wer / MAX(festival_slt.wer, 1e-9));
    }
    if (ok && neural.rtf > 0) {
        printf("RTF neural / flite:          %5.2f (target ≤ 1.5)\n", neural.rtf / MAX(flite_slt.rtf, 1e-9));
        printf("RTF Griffin-Lim 32 / neural: %5.2f (target ≤ 1.5)\n", griffin_lim.rtf / neural.rtf);
    }
    if (!ok)
        fprintf(stderr, "bench speech: %s\n(the bench needs: apt-get install flite festival festvox-us-slt-hts "
                        "espeak-ng sox pocketsphinx pocketsphinx-en-us)\n", error->message);
    gs_speech_free(model);
    const char *made[] = { "ours.wav", "16k.wav", "flite.wav", "festival.wav", "espeak.wav", "sentences.txt" };
    for (size_t i = 0; i < G_N_ELEMENTS(made); i++) {
        g_autofree char *path = g_build_filename(dir, made[i], NULL);
        g_remove(path);
    }
    g_rmdir(dir);
    return ok ? 0 : 1;
}
