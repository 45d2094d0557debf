/* STFT framing, overlap-add, the Griffin-Lim projection and exp against
 * plain-C references, and frames → rfft → irfft → overlap-add as the
 * identity (what Griffin-Lim relies on). Tolerances: framing and the
 * projection are a few fp32 roundings (atol 1e-6, rtol 1e-5); overlap-add
 * sums at most n/hop products (1e-5); the round trip adds the FFTs' 2e-6.
 * The starting phase sums a wrapped fp32 step a frame (atol 1e-3 on
 * magnitudes up to 3 over 400 frames), and a sinusoid between bins must
 * come out advancing at its own frequency.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check_stft(gs_context *ctx, int64_t len, int64_t n, int hop, uint64_t seed)
{
    int64_t t = len / hop + 1, bins = n / 2 + 1;
    float *x = gs_test_random_new((size_t)len, seed, -1, 1);
    float *want_frames = malloc((size_t)(t * n) * sizeof(float));
    ref_stft_frames(want_frames, x, len, n, hop);
    float *want_signal = malloc((size_t)(hop * (t - 1)) * sizeof(float));
    ref_overlap_add(want_signal, want_frames, t, n, hop);

    int64_t xs[1] = { len }, fs[2] = { t, n }, ss[3] = { t, bins, 2 }, os[1] = { hop * (t - 1) };
    gs_tensor *tx = gs_test_tensor(ctx, 1, xs, x), *frames = gs_test_tensor(ctx, 2, fs, NULL);
    gs_tensor *spectrum = gs_test_tensor(ctx, 3, ss, NULL), *back = gs_test_tensor(ctx, 2, fs, NULL);
    gs_tensor *from_ref = gs_test_tensor(ctx, 2, fs, want_frames);
    gs_tensor *ola = gs_test_tensor(ctx, 1, os, NULL), *roundtrip = gs_test_tensor(ctx, 1, os, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_stft_frames(s, frames, tx, hop));
    GS_CHECK_OK(ctx, gs_op_overlap_add(s, ola, from_ref, hop));
    GS_CHECK_OK(ctx, gs_op_rfft(s, spectrum, frames));
    GS_CHECK_OK(ctx, gs_op_irfft(s, back, spectrum));
    GS_CHECK_OK(ctx, gs_op_overlap_add(s, roundtrip, back, hop));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got_frames = gs_test_download(frames), *got_ola = gs_test_download(ola);
    float *got_roundtrip = gs_test_download(roundtrip);
    char what[80];
    snprintf(what, sizeof what, "stft_frames len %lld n %lld hop %d", (long long)len, (long long)n, hop);
    gs_test_close(what, got_frames, want_frames, (size_t)(t * n), 1e-6f, 1e-5f);
    snprintf(what, sizeof what, "overlap_add T %lld n %lld hop %d", (long long)t, (long long)n, hop);
    gs_test_close(what, got_ola, want_signal, (size_t)(hop * (t - 1)), 1e-5f, 1e-5f);
    /* The first hop·(T−1) samples come back: istft(stft(x)) = x. */
    snprintf(what, sizeof what, "istft(stft(x)) len %lld", (long long)len);
    gs_test_close(what, got_roundtrip, x, (size_t)(hop * (t - 1)), 5e-6f, 0);

    gs_stream_free(s);
    gs_tensor *all[] = { tx, frames, spectrum, back, from_ref, ola, roundtrip };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        gs_tensor_free(all[i]);
    free(x), free(want_frames), free(want_signal), free(got_frames), free(got_ola), free(got_roundtrip);
}

static void
check_projection(gs_context *ctx, int64_t t, int64_t bins, float momentum, uint64_t seed)
{
    size_t count = (size_t)(t * bins);
    float *spec = gs_test_random_new(2 * count, seed, -2, 2), *mag = gs_test_random_new(count, seed + 1, -0.5f, 3);
    float *prev = gs_test_random_new(2 * count, seed + 2, -1, 1), *want = malloc(2 * count * sizeof(float));
    spec[0] = spec[1] = 0.0f; /* a zero bin takes the magnitude as a real value */
    if (momentum == 0.0f)     /* prev is then not read: whatever it holds must not leak out */
        for (size_t i = 0; i < 2 * count; i++)
            prev[i] = NAN;
    float *want_prev = g_memdup2(prev, 2 * count * sizeof(float));
    ref_griffin_lim_project(want, want_prev, spec, mag, (int64_t)count, momentum);
    int64_t cs[3] = { t, bins, 2 }, ms[2] = { t, bins };
    gs_tensor *ts = gs_test_tensor(ctx, 3, cs, spec), *tm = gs_test_tensor(ctx, 2, ms, mag);
    gs_tensor *tp = gs_test_tensor(ctx, 3, cs, prev), *out = gs_test_tensor(ctx, 3, cs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_griffin_lim_project(s, out, ts, tm, tp, momentum));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(out), *got_prev = gs_test_download(tp);
    gs_test_close("griffin_lim_project out", got, want, 2 * count, 1e-6f, 1e-5f);
    gs_test_close("griffin_lim_project prev", got_prev, want_prev, 2 * count, 1e-6f, 1e-5f);

    GS_CHECK(gs_op_griffin_lim_project(s, out, ts, tm, out, momentum) == GS_OK); /* shapes fine */
    int64_t bad[3] = { t, bins + 1, 2 };
    gs_tensor *wrong = gs_test_tensor(ctx, 3, bad, NULL);
    GS_CHECK(gs_op_griffin_lim_project(s, wrong, ts, tm, tp, momentum) == GS_ERR_INVALID_ARGUMENT);
    gs_stream_free(s);
    gs_tensor_free(ts), gs_tensor_free(tm), gs_tensor_free(tp), gs_tensor_free(out), gs_tensor_free(wrong);
    free(spec), free(mag), free(prev), free(want), g_free(want_prev), free(got), free(got_prev);
}

/* gs_op_phase_init on magnitudes [t, bins], downloaded. */
static float *
phase_init_of(gs_context *ctx, const float *mag, int64_t t, int64_t bins, int hop)
{
    int64_t cs[3] = { t, bins, 2 }, ms[2] = { t, bins };
    gs_tensor *tm = gs_test_tensor(ctx, 2, ms, mag), *out = gs_test_tensor(ctx, 3, cs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_phase_init(s, out, tm, hop));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(out);
    GS_CHECK(gs_op_phase_init(s, out, out, hop) == GS_ERR_INVALID_ARGUMENT);
    gs_stream_free(s);
    gs_tensor_free(tm), gs_tensor_free(out);
    return got;
}

static void
check_phase_init(gs_context *ctx, int64_t t, int64_t bins, int hop, uint64_t seed)
{
    size_t count = (size_t)(t * bins);
    float *mag = gs_test_random_new(count, seed, -0.5f, 3), *want = malloc(2 * count * sizeof(float));
    memset(mag, 0, (size_t)bins * sizeof(float)); /* a silent frame: no peak, bins advance at their own rate */
    for (int64_t k = 0; k < bins; k++)            /* one peak only: every bin follows it */
        mag[bins + k] = 1.0f / (1.0f + (float)((k - 9) * (k - 9)));
    ref_phase_init(want, mag, t, bins, hop);
    float *got = phase_init_of(ctx, mag, t, bins, hop);
    char what[80];
    snprintf(what, sizeof what, "phase_init T %lld bins %lld hop %d", (long long)t, (long long)bins, hop);
    gs_test_close(what, got, want, 2 * count, 1e-3f, 0);
    free(mag), free(want), free(got);
}

/* A steady sinusoid 20.3 bins up: its peak's phase must step 2π·20.3·hop/n
 * a frame, as the true STFT's does, not the bin centre's 2π·20·hop/n. */
static void
check_phase_init_sinusoid(gs_context *ctx)
{
    const int64_t n = 1024, len = 6144, bins = n / 2 + 1;
    const int hop = 256;
    const double freq = 20.3;
    int64_t t = len / hop + 1;
    float *x = malloc((size_t)len * sizeof(float)), *frames = malloc((size_t)(t * n) * sizeof(float));
    float *spectrum = malloc((size_t)(t * bins * 2) * sizeof(float)), *mag = malloc((size_t)(t * bins) * sizeof(float));
    for (int64_t i = 0; i < len; i++)
        x[i] = (float)sin(2.0 * M_PI * freq * (double)i / (double)n);
    ref_stft_frames(frames, x, len, n, hop);
    ref_rdft(spectrum, frames, t, n);
    for (int64_t i = 0; i < t * bins; i++)
        mag[i] = hypotf(spectrum[2 * i], spectrum[2 * i + 1]);
    float *got = phase_init_of(ctx, mag, t, bins, hop);
    double want_step = remainder(2.0 * M_PI * freq * hop / (double)n, 2.0 * M_PI), worst = 0.0;
    for (int64_t f = 3; f < t - 3; f++) { /* away from the reflected ends */
        const float *now = got + 2 * (f * bins + 20), *before = got + 2 * ((f - 1) * bins + 20);
        double step = remainder(atan2(now[1], now[0]) - atan2(before[1], before[0]), 2.0 * M_PI);
        worst = fmax(worst, fabs(remainder(step - want_step, 2.0 * M_PI)));
    }
    if (worst > 0.05) {
        fprintf(stderr, "phase_init sinusoid: phase step off by %.3f rad\n", worst);
        gs_test_failures++;
    }
    free(x), free(frames), free(spectrum), free(mag), free(got);
}

static void
check_exp(gs_context *ctx)
{
    int64_t n = 5000;
    float *x = gs_test_random_new((size_t)n, 9, -12, 3), *want = malloc((size_t)n * sizeof(float));
    ref_exp(want, x, n);
    gs_tensor *tx = gs_test_tensor(ctx, 1, &n, x), *out = gs_test_tensor(ctx, 1, &n, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_exp(s, out, tx));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(out);
    gs_test_close("exp", got, want, (size_t)n, 0, 2e-6f);
    gs_stream_free(s);
    gs_tensor_free(tx), gs_tensor_free(out);
    free(x), free(want), free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    check_stft(ctx, 4000, 1024, 256, 1);
    check_stft(ctx, 1300, 512, 128, 2);
    check_stft(ctx, 700, 256, 64, 3);
    check_stft(ctx, 1500, 512, 200, 6); /* a hop that is not a power of two */
    check_projection(ctx, 7, 513, 0.99f, 4);
    check_projection(ctx, 3, 129, 0.0f, 5);
    check_phase_init(ctx, 40, 513, 256, 7);
    check_phase_init(ctx, 9, 129, 32, 8);
    check_phase_init(ctx, 400, 513, 256, 9);
    check_phase_init_sinusoid(ctx);
    check_exp(ctx);

    int64_t xs[1] = { 100 }, fs[2] = { 1, 1024 };
    gs_tensor *x = gs_test_tensor(ctx, 1, xs, NULL), *f = gs_test_tensor(ctx, 2, fs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_stft_frames(s, f, x, 256) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(strstr(gs_context_error(ctx), "n/2") != NULL);
    gs_stream_free(s);
    gs_tensor_free(x);
    gs_tensor_free(f);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
