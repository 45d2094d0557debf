/* The speaker encoder on the engine: against PyTorch on a fixed signal
 * (tools/speech/speaker_encoder.py golden, same fp16 weights); then on the
 * speech model's voices, where two readings by one voice must be nearer
 * than the same reading by two; then bad input and bad files.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "gs-test.h"

static double
cosine(const float *a, const float *b, int n)
{
    double dot = 0;
    for (int i = 0; i < n; i++)
        dot += (double)a[i] * b[i];
    return dot; /* both unit length */
}

static void
test_golden(gs_context *ctx, gs_speaker_encoder *e)
{
    gs_safetensors *golden;
    char *error = NULL;
    if (gs_safetensors_open(GS_SPEAKER_GOLDEN_PATH, &golden, &error) != GS_OK) {
        fprintf(stderr, "%s\n", error);
        exit(1);
    }
    int64_t samples = 0, dim = 0;
    float *signal = gs_test_golden_floats(golden, "signal", &samples);
    float *want = gs_test_golden_floats(golden, "embedding", &dim);
    GS_CHECK(dim == gs_speaker_encoder_dim(e));
    float *got = calloc((size_t)dim, sizeof *got);
    GS_CHECK_OK(ctx, gs_speaker_encoder_embed(e, signal, (size_t)samples, got));
    /* fp32 sums in another order over 250 frames and 128 channels. */
    gs_test_close("speaker embedding", got, want, (size_t)dim, 2e-3f, 1e-2f);
    double c = cosine(got, want, (int)dim);
    if (c < 0.9999) {
        fprintf(stderr, "speaker embedding: cosine to PyTorch's %.6f\n", c);
        gs_test_failures++;
    }
    free(signal), free(want), free(got);
    gs_safetensors_close(golden);
}

typedef struct {
    float *samples;
    size_t count;
} audio;

static bool
collect(const gs_speech_chunk *chunk, void *user_data)
{
    audio *a = user_data;
    a->samples = realloc(a->samples, (a->count + chunk->sample_count) * sizeof(float));
    memcpy(a->samples + a->count, chunk->samples, chunk->sample_count * sizeof(float));
    a->count += chunk->sample_count;
    return true;
}

/* `voice` reads `text`, resampled to 16 kHz by dropping to the nearest
 * sample (enough for this comparison), and embedded. */
static void
embed_reading(gs_context *ctx, gs_speech *model, gs_speaker_encoder *e, const char *voice, const char *text,
              float *embedding)
{
    gs_speech_params params = gs_speech_default_params();
    params.voice = voice;
    audio a = { NULL, 0 };
    GS_CHECK_OK(ctx, gs_speech_synthesize(model, text, &params, collect, &a));
    double step = (double)gs_speech_sample_rate(model) / gs_speaker_encoder_sample_rate(e);
    size_t count = (size_t)(a.count / step);
    float *resampled = malloc(count * sizeof *resampled);
    for (size_t i = 0; i < count; i++)
        resampled[i] = a.samples[(size_t)(i * step)];
    GS_CHECK_OK(ctx, gs_speaker_encoder_embed(e, resampled, count, embedding));
    free(resampled);
    free(a.samples);
}

static void
test_voices(gs_context *ctx, gs_speaker_encoder *e)
{
    gs_speech *model = NULL;
    GS_CHECK_OK(ctx, gs_speech_load(ctx, GS_SPEECH_MODEL_PATH, &model));
    const char *first = "The library opens at nine on weekdays and at ten on Saturdays.";
    const char *second = "Could you send me the photographs from the wedding before Friday?";
    const char *voices[] = { "awb", "slt", "rms" };
    int dim = gs_speaker_encoder_dim(e);
    float *a[3], *b[3];
    for (int v = 0; v < 3; v++) {
        a[v] = malloc((size_t)dim * sizeof(float));
        b[v] = malloc((size_t)dim * sizeof(float));
        embed_reading(ctx, model, e, voices[v], first, a[v]);
        embed_reading(ctx, model, e, voices[v], second, b[v]);
    }
    for (int v = 0; v < 3; v++)
        for (int w = 0; w < 3; w++) {
            if (v == w)
                continue;
            double same = cosine(a[v], b[v], dim), other = cosine(a[v], b[w], dim);
            printf("%s/%s: same voice %.3f, %s's reading of the other sentence %.3f\n", voices[v], voices[v], same,
                   voices[w], other);
            GS_CHECK(same > other);
        }
    for (int v = 0; v < 3; v++)
        free(a[v]), free(b[v]);
    gs_speech_free(model);
}

static void
test_bad_input(gs_context *ctx, gs_speaker_encoder *e)
{
    int rate = gs_speaker_encoder_sample_rate(e);
    float *x = calloc((size_t)rate * 3, sizeof *x), embedding[4096];
    GS_CHECK(gs_speaker_encoder_embed(e, x, (size_t)rate * 3, embedding) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(strstr(gs_context_error(ctx), "silent") != NULL);
    for (int i = 0; i < rate * 3; i++)
        x[i] = 0.1f * sinf(0.05f * (float)i);
    GS_CHECK(gs_speaker_encoder_embed(e, x, (size_t)rate / 2, embedding) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(strstr(gs_context_error(ctx), "0.5 s") != NULL);
    free(x);

    gs_speaker_encoder *wrong = NULL;
    GS_CHECK(gs_speaker_encoder_load(ctx, GS_SPEECH_MODEL_PATH, &wrong) == GS_ERR_FORMAT && !wrong);
    GS_CHECK(strstr(gs_context_error(ctx), "not a GenStudio speaker encoder") != NULL);
    /* A truncated copy. */
    gchar *bytes = NULL;
    gsize size = 0;
    GS_CHECK(g_file_get_contents(GS_SPEAKER_ENCODER_PATH, &bytes, &size, NULL));
    char *path = g_build_filename(g_get_tmp_dir(), "gs-test-speaker-encoder-truncated.safetensors", NULL);
    GS_CHECK(g_file_set_contents(path, bytes, (gssize)(size / 2), NULL));
    GS_CHECK(gs_speaker_encoder_load(ctx, path, &wrong) != GS_OK && !wrong);
    g_remove(path);
    g_free(path);
    g_free(bytes);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    gs_speaker_encoder *e = NULL;
    GS_CHECK_OK(ctx, gs_speaker_encoder_load(ctx, GS_SPEAKER_ENCODER_PATH, &e));
    if (!e)
        return 1;
    test_golden(ctx, e);
    test_voices(ctx, e);
    test_bad_input(ctx, e);
    gs_speaker_encoder_free(e);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
