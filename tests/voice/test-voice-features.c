/* The voice measures on signals whose answer is known: a pulse train at a
 * gliding pitch through three formant resonators, at 16 and 22.05 kHz.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-voice-clone.h"

/* `seconds` of a vowel: pitch gliding from f0_low to f0_high and back,
 * formants F1–F3, bandwidths 80–120 Hz, with a pause every second. */
static float *
synthetic_vowel(int rate, double seconds, double f0_low, double f0_high, const double formants[3], gsize *count)
{
    gsize n = (gsize)(seconds * rate);
    float *x = g_new0(float, n);
    double phase = 0, state[3][2] = { { 0 } };
    const double bandwidth[3] = { 80, 100, 120 };
    for (gsize i = 0; i < n; i++) {
        double t = (double)i / rate, where = fmod(t, 1.0);
        double f0 = f0_low + (f0_high - f0_low) * 0.5 * (1 - cos(2 * M_PI * t / seconds));
        phase += f0 / rate;
        double source = 0;
        if (phase >= 1) {
            phase -= 1;
            source = where < 0.8 ? 1.0 : 0.0; /* 0.2 s pause each second */
        }
        double y = source;
        for (int k = 0; k < 3; k++) {
            double r = exp(-M_PI * bandwidth[k] / rate), c = 2 * r * cos(2 * M_PI * formants[k] / rate);
            double out = y + c * state[k][0] - r * r * state[k][1];
            state[k][1] = state[k][0];
            state[k][0] = out;
            y = out * (1 - c + r * r); /* unit gain at DC, keeps the cascade in range */
        }
        x[i] = (float)y;
    }
    float peak = 0;
    for (gsize i = 0; i < n; i++)
        peak = fmaxf(peak, fabsf(x[i]));
    for (gsize i = 0; i < n; i++)
        x[i] *= 0.5f / peak;
    *count = n;
    return x;
}

static void
check_vowel(int rate)
{
    const double formants[3] = { 650, 1700, 2600 };
    gsize n = 0;
    g_autofree float *x = synthetic_vowel(rate, 6.0, 110, 160, formants, &n);
    GsVoiceFeatures f;
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_voice_features_measure(x, n, rate, &f, &error));
    g_assert_no_error(error);
    g_test_message("%d Hz: F0 %.1f Hz, range %.2f st, F1–F3 %.0f %.0f %.0f Hz, voiced %.2f", rate, f.f0_hz,
                   f.f0_range_semitones, f.formant_hz[0], f.formant_hz[1], f.formant_hz[2], f.voiced_fraction);
    /* The glide's median is its middle (135 Hz); its 10th–90th percentiles
     * span most of 110–160 Hz (6.5 semitones). */
    g_assert_cmpfloat(fabs(f.f0_hz - 135.0), <, 135.0 * 0.04);
    g_assert_cmpfloat(f.f0_range_semitones, >, 4.5);
    g_assert_cmpfloat(f.f0_range_semitones, <, 6.5);
    for (int k = 0; k < 3; k++)
        g_assert_cmpfloat(fabs(f.formant_hz[k] - formants[k]), <, formants[k] * 0.08);
    g_assert_cmpfloat(f.voiced_fraction, >, 0.6);
}

static void
test_known_vowel_16k(void)
{
    check_vowel(16000);
}

static void
test_known_vowel_22k(void)
{
    check_vowel(22050);
}

static void
test_distance(void)
{
    GsVoiceFeatures a = { 120, 5, { 500, 1500, 2500 }, 0.5 }, b = a;
    g_assert_cmpfloat(gs_voice_features_distance(&a, &b), ==, 0.0);
    b.f0_hz = 240; /* an octave: 12 semitones in one of five terms */
    g_assert_cmpfloat(fabs(gs_voice_features_distance(&a, &b) - 12.0 / sqrt(5.0)), <, 1e-9);
}

static void
test_silence_refused(void)
{
    g_autofree float *x = g_new0(float, 16000 * 3);
    GsVoiceFeatures f;
    g_autoptr(GError) error = NULL;
    g_assert_false(gs_voice_features_measure(x, 16000 * 3, 16000, &f, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/voice-features/known-vowel-16k", test_known_vowel_16k);
    g_test_add_func("/voice-features/known-vowel-22k", test_known_vowel_22k);
    g_test_add_func("/voice-features/distance", test_distance);
    g_test_add_func("/voice-features/silence-refused", test_silence_refused);
    return g_test_run();
}
