/* genstudio-cli bench speech: real-time factor of each vocoder, and
 * intelligibility as pocketsphinx hears it — word error rate on 222 fixed
 * sentences none of the voices was trained on (data/bench/speech-sentences.txt:
 * questions, numbers, names, short and long ones; a tab then the words a
 * line's digits are read as; --sentences N takes the first N) for our voice
 * with both vocoders, flite's slt, festival's HTS slt and espeak-ng, same
 * sentences, same run; then our WER against flite's and festival's, and the
 * RTF ratios neural/flite and Griffin-Lim/neural. --voice picks another of
 * our English voices than the default; --sentences-file reads other
 * sentences in the same format; --keep-audio leaves every system's WAV in a
 * folder to listen to.
 * Needs the command-line tools flite, text2wave, espeak-ng, sox and
 * pocketsphinx_continuous (Debian: flite festival festvox-us-slt-hts
 * espeak-ng sox pocketsphinx pocketsphinx-en-us).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-audio.h"
#include "gs-image-job.h"
#include "gs-speech-job.h"
#include "bench-listen.h"

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
bench_ours(gs_context *ctx, gs_speech *model, const char *voice, gs_vocoder vocoder, int iterations,
           char **sentences, const char *dir, const char *reference, figures *out, GError **error)
{
    gs_speech_params params = gs_speech_default_params();
    params.voice = voice;
    params.vocoder = vocoder;
    if (iterations > 0)
        params.griffin_lim_iterations = iterations;
    collector c = { g_array_new(FALSE, TRUE, sizeof(float)), gs_speech_sample_rate(model) };
    gint64 start = g_get_monotonic_time();
    gboolean ok = TRUE;
    for (int i = 0; ok && sentences[i]; i++) {
        ok = gs_speech_job_run(ctx, model, sentences[i], &params, collect, &c, NULL, error);
        g_array_set_size(c.samples, c.samples->len + (guint)(GAP_SECONDS * c.rate));
    }
    double seconds = (g_get_monotonic_time() - start) / 1e6;
    g_autofree char *wav =
        g_build_filename(dir, vocoder == GS_VOCODER_NEURAL ? "ours-neural.wav" : "ours-griffin-lim.wav", NULL);
    ok = ok && gs_audio_export(wav, (float *)c.samples->data, c.samples->len, 1, c.rate, NULL, NULL, NULL, NULL, error);
    double audio = (double)c.samples->len / c.rate;
    g_array_unref(c.samples);
    g_autofree char *hypothesis = ok ? gs_bench_recognise(wav, dir, error) : NULL;
    if (!hypothesis)
        return FALSE;
    g_autofree char *vocoder_name = vocoder == GS_VOCODER_NEURAL
                                        ? g_strdup("neural")
                                        : g_strdup_printf("Griffin-Lim %d", params.griffin_lim_iterations);
    g_autofree char *name =
        g_strdup_printf("GenStudio %s, %s", voice ? voice : gs_speech_voice_name(model, 0), vocoder_name);
    *out = report(name, seconds / audio, gs_bench_word_error_rate(reference, hypothesis));
    return TRUE;
}

static gboolean
bench_tool(const char *name, const char *const *argv, const char *wav, const char *dir, const char *reference,
           figures *out, GError **error)
{
    gint64 start = g_get_monotonic_time();
    if (!gs_bench_run(argv, NULL, error))
        return FALSE;
    double seconds = (g_get_monotonic_time() - start) / 1e6;
    g_autofree char *hypothesis = gs_bench_recognise(wav, dir, error);
    if (!hypothesis)
        return FALSE;
    *out = report(name, seconds / MAX(wav_seconds(wav), 1e-3), gs_bench_word_error_rate(reference, hypothesis));
    return TRUE;
}

int
gs_cli_bench_speech(gs_context *ctx, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int wanted = 0, iterations = 0;
    g_autofree char *voice = NULL, *sentences_file = NULL, *keep = NULL;
    GOptionEntry entries[] = {
        { "sentences", 0, 0, G_OPTION_ARG_INT, &wanted, "Only the first N sentences (a quicker run)", "N" },
        { "voice", 0, 0, G_OPTION_ARG_STRING, &voice, "Our voice to hear (default: the model's default)", "NAME" },
        { "griffin-lim-iterations", 0, 0, G_OPTION_ARG_INT, &iterations,
          "Griffin-Lim iterations (default: the engine's)", "N" },
        { "sentences-file", 0, 0, G_OPTION_ARG_FILENAME, &sentences_file,
          "Sentences to read instead of the bench's, one a line (TEXT or TEXT<tab>WORDS HEARD)", "FILE" },
        { "keep-audio", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Leave every system's WAV in DIR", "DIR" },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("- time and hear the speech vocoders");
    g_option_context_add_main_entries(options, entries, NULL);
    if (!g_option_context_parse(options, &argc, &argv, &error) || wanted < 0 || iterations < 0 ||
        iterations > 1000) {
        fprintf(stderr, "bench speech: %s\n",
                error ? error->message : "--sentences must be positive, --griffin-lim-iterations 1..1000");
        return 2;
    }
    g_autofree char *reference = NULL;
    g_auto(GStrv) sentences = gs_bench_read_sentences(sentences_file, wanted, &reference, &error);
    if (!sentences) {
        fprintf(stderr, "bench speech: %s\n", error->message);
        return 1;
    }
    g_autofree char *model_path = gs_default_speech_model_path();
    gs_speech *model = gs_load_speech(ctx, model_path, &error);
    g_autofree char *dir = NULL;
    if (model && keep && g_mkdir_with_parents(keep, 0755) != 0)
        g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", keep, g_strerror(errno));
    else if (model)
        dir = keep ? g_strdup(keep) : g_dir_make_tmp("genstudio-bench-XXXXXX", &error);
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
    gboolean ok =
        bench_ours(ctx, model, voice, GS_VOCODER_GRIFFIN_LIM, iterations, sentences, dir, reference, &griffin_lim,
                   &error);
    if (ok && gs_speech_has_neural_vocoder(model))
        ok = bench_ours(ctx, model, voice, GS_VOCODER_NEURAL, 0, sentences, dir, reference, &neural, &error);
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
        printf("RTF Griffin-Lim / neural:    %5.2f (target ≤ 1.5)\n", griffin_lim.rtf / neural.rtf);
    }
    if (!ok)
        fprintf(stderr, "bench speech: %s\n(the bench needs: apt-get install flite festival festvox-us-slt-hts "
                        "espeak-ng sox pocketsphinx pocketsphinx-en-us)\n", error->message);
    gs_speech_free(model);
    if (keep) {
        printf("Audio kept in %s\n", keep);
        return ok ? 0 : 1;
    }
    const char *made[] = { "ours-neural.wav", "ours-griffin-lim.wav", "16k.wav",  "flite.wav",
                           "festival.wav",    "espeak.wav",           "sentences.txt" };
    for (size_t i = 0; i < G_N_ELEMENTS(made); i++) {
        g_autofree char *path = g_build_filename(dir, made[i], NULL);
        g_remove(path);
    }
    g_rmdir(dir);
    return ok ? 0 : 1;
}
