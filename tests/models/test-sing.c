/* Singing through the speech model (gs_speech_sing): sustained vowels at
 * pitches given in octaves from the voice's mean come out at those
 * pitches relative to each other (YIN, in this test; see test_pitch),
 * phrases last what their phonemes add up to, and bad phrases are refused.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "gs-pitch.h"
#include "gs-test.h"

static gs_context *ctx;
static gs_speech *model;

/* Median F0 over the voiced frames of [from, to) seconds, and the share
 * of voiced frames within 50 cents of that median. */
static double
median_f0(const float *s, size_t n, int rate, double from, double to, double *steady)
{
    const int window = rate / 40, hop = rate / 100;
    double f0s[4096];
    int count = 0;
    for (size_t start = (size_t)(from * rate); start + window * 2 + rate / 60 < n && start < to * rate &&
                                                count < 4096; start += hop) {
        double f0 = gs_pitch_yin(s + start, window, rate, 60, 600, GS_PITCH_YIN_THRESHOLD);
        if (f0 > 0)
            f0s[count++] = f0;
    }
    if (count == 0)
        return 0;
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && f0s[j - 1] > f0s[j]; j--) {
            double t = f0s[j];
            f0s[j] = f0s[j - 1];
            f0s[j - 1] = t;
        }
    double median = f0s[count / 2];
    int near = 0;
    for (int i = 0; i < count; i++)
        near += fabs(1200 * log2(f0s[i] / median)) <= 50;
    *steady = (double)near / count;
    return median;
}

static gs_sung_phone
phone(const char *symbol, float seconds, float pitch)
{
    gs_sung_phone p = { .seconds = seconds, .pitch = pitch, .stress = 1 };
    g_strlcpy(p.symbol, symbol, sizeof p.symbol);
    return p;
}

/* Within the range the model learned from speech (about a quarter octave
 * above the default voice's mean), asked intervals come out as asked.
 * Through Griffin-Lim: the neural vocoder, given the same frame again and
 * again for a held vowel, repeats its phase every hop and buzzes at the
 * frame rate (86 Hz) whatever the pitch. */
/* A sweep of sung pitches. The model holds a steady pitch on a long vowel
 * only at some of them (the vocal line measures a voice's range first for
 * that reason); where it holds, the pitches keep their order and come
 * within 100 cents of the asked offset. */
static void
test_pitch(void)
{
    int rate = gs_speech_sample_rate(model);
    gs_speech_params params = gs_speech_default_params();
    params.vocoder = GS_VOCODER_GRIFFIN_LIM;
    double base = 0, previous = 0;
    int held = 0;
    for (int step = 0; step <= 12; step++) {
        float offset = step == 0 ? 0.0f : -0.35f + 0.05f * step; /* 0 first: the reference */
        gs_sung_phone la[] = { phone("l", 0.08f, offset), phone("ɑː", 0.8f, offset), phone(" ", 0.1f, NAN) };
        float *s = NULL;
        size_t n = 0;
        GS_CHECK_OK(ctx, gs_speech_sing(model, la, G_N_ELEMENTS(la), &params, &s, &n));
        double steady = 0, f0 = s ? median_f0(s, n, rate, 0.2, 0.8, &steady) : 0;
        gboolean holds = f0 > 60 && steady >= 0.8;
        if (step == 0) {
            GS_CHECK(holds);
            base = f0;
        }
        double cents = base > 0 && f0 > 0 ? 1200 * log2(f0 / base) : NAN;
        printf("offset %+.2f octave: F0 %.1f Hz, %+.0f cents from offset 0 (asked %+.0f), %.0f %% of frames "
               "within 50 cents of the median\n", offset, f0, cents, 1200 * offset, 100 * steady);
        if (holds && step > 0) {
            held++;
            GS_CHECK(fabs(cents - 1200 * offset) <= 100);
            GS_CHECK(step == 1 || held == 1 || f0 > previous);
            previous = f0;
        }
        /* A phrase lasts what its phonemes add up to, to within a frame. */
        GS_CHECK(fabs((double)n / rate - 0.98) < 512.0 / rate);
        free(s);
    }
    printf("%d of 12 offsets held a steady pitch\n", held);
    GS_CHECK(held >= 5);
}

static void
test_refusals(void)
{
    float *s = NULL;
    size_t n = 0;
    gs_sung_phone bad[] = { phone("ɑː", -1.0f, 0), phone("ɑː", 61.0f, 0), phone("ɑː", 0.5f, 4.0f) };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GS_CHECK(gs_speech_sing(model, &bad[i], 1, NULL, &s, &n) == GS_ERR_INVALID_ARGUMENT);
        GS_CHECK(s == NULL && n == 0);
    }
    GS_CHECK(gs_speech_sing(model, bad, 0, NULL, &s, &n) == GS_ERR_INVALID_ARGUMENT);
    gs_speech_params nobody = gs_speech_default_params();
    nobody.voice = "nobody";
    gs_sung_phone la = phone("ɑː", 0.5f, 0);
    GS_CHECK(gs_speech_sing(model, &la, 1, &nobody, &s, &n) == GS_ERR_INVALID_ARGUMENT);
}

int
main(void)
{
    ctx = gs_test_context();
    GS_CHECK_OK(ctx, gs_speech_load(ctx, GS_SPEECH_MODEL_PATH, &model));
    if (!model)
        return 1;
    test_pitch();
    test_refusals();
    gs_speech_free(model);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
