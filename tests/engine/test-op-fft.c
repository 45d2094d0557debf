/* rfft / irfft vs a double-precision naive DFT, and the round trip.
 * Tolerance for the spectrum: atol 4e-7·sqrt(n)·log2(n)·max|x| — fp32
 * rounding grows with the log2(n) butterfly stages and sqrt(n) summed terms;
 * round trip atol 2e-6 for inputs in [-1, 1].
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check(gs_context *ctx, int64_t rows, int64_t n, uint64_t seed)
{
    int64_t bins = n / 2 + 1;
    float *x = gs_test_random_new((size_t)(rows * n), seed, -1, 1);
    float *want = malloc((size_t)(rows * bins * 2) * sizeof *want);
    ref_rdft(want, x, rows, n);
    int64_t xs[2] = { rows, n }, fs[3] = { rows, bins, 2 };
    gs_tensor *tx = gs_test_tensor(ctx, 2, xs, x), *tf = gs_test_tensor(ctx, 3, fs, NULL);
    gs_tensor *back = gs_test_tensor(ctx, 2, xs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_rfft(s, tf, tx));
    GS_CHECK_OK(ctx, gs_op_irfft(s, back, tf));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *spectrum = gs_test_download(tf), *roundtrip = gs_test_download(back);
    char what[64];
    snprintf(what, sizeof what, "rfft %lldx%lld", (long long)rows, (long long)n);
    int bits = 0;
    while ((INT64_C(1) << bits) < n)
        bits++;
    gs_test_close(what, spectrum, want, (size_t)(rows * bins * 2), 4e-7f * sqrtf((float)n) * bits, 0);
    snprintf(what, sizeof what, "irfft(rfft) %lldx%lld", (long long)rows, (long long)n);
    gs_test_close(what, roundtrip, x, (size_t)(rows * n), 2e-6f, 0);

    /* The inverse against the naive inverse DFT of the reference spectrum. */
    float *inv = malloc((size_t)(rows * n) * sizeof *inv);
    ref_irdft(inv, want, rows, n);
    snprintf(what, sizeof what, "naive inverse %lldx%lld", (long long)rows, (long long)n);
    gs_test_close(what, inv, x, (size_t)(rows * n), 1e-5f, 0);
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tf);
    gs_tensor_free(back);
    free(x);
    free(want);
    free(spectrum);
    free(roundtrip);
    free(inv);
}

/* irfft of an arbitrary spectrum (the imaginary parts of DC and Nyquist
 * nonzero, as after a Griffin-Lim projection) against the naive inverse,
 * which ignores them as torch does; an odd row count leaves the last
 * workgroup's second row empty. */
static void
check_inverse(gs_context *ctx, int64_t rows, int64_t n, uint64_t seed)
{
    int64_t bins = n / 2 + 1;
    float *spectrum = gs_test_random_new((size_t)(rows * bins * 2), seed, -1, 1);
    float *want = malloc((size_t)(rows * n) * sizeof *want);
    ref_irdft(want, spectrum, rows, n);
    int64_t xs[2] = { rows, n }, fs[3] = { rows, bins, 2 };
    gs_tensor *tf = gs_test_tensor(ctx, 3, fs, spectrum), *out = gs_test_tensor(ctx, 2, xs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_irfft(s, out, tf));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(out);
    char what[64];
    snprintf(what, sizeof what, "irfft of a random spectrum %lldx%lld", (long long)rows, (long long)n);
    gs_test_close(what, got, want, (size_t)(rows * n), 1e-6f, 0);
    gs_stream_free(s);
    gs_tensor_free(tf);
    gs_tensor_free(out);
    free(spectrum);
    free(want);
    free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    check(ctx, 3, 256, 1);
    check(ctx, 2, 512, 2);
    check(ctx, 2, 1024, 3);
    check(ctx, 1, 2048, 4);
    check(ctx, 7, 1024, 5);
    check_inverse(ctx, 5, 1024, 6);
    check_inverse(ctx, 2, 256, 7);
    check_inverse(ctx, 1, 2048, 8);

    int64_t xs[2] = { 1, 300 }, fs[3] = { 1, 151, 2 };
    gs_tensor *x = gs_test_tensor(ctx, 2, xs, NULL), *f = gs_test_tensor(ctx, 3, fs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_rfft(s, f, x) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(strstr(gs_context_error(ctx), "power of two") != NULL);
    gs_stream_free(s);
    gs_tensor_free(x);
    gs_tensor_free(f);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
