/* GELU (exact), quick GELU, SiLU, ReLU (exact), log and GEGLU vs double-precision references.
 * Tolerance: atol 1e-6, rtol 1e-5 (erf approximation error < 1.5e-7); GEGLU
 * atol 1e-5, rtol 1e-4, since its gate multiplies that error by up to 8.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "ref/gs-ref.h"

int
main(void)
{
    gs_context *ctx = gs_test_context();
    const int64_t rows = 300, half = 257;
    size_t n = (size_t)(rows * 2 * half);
    float *x = gs_test_random_new(n, 1, -8, 8), *want = malloc(n * sizeof *want);
    int64_t shape[2] = { rows, 2 * half }, hshape[2] = { rows, half };
    gs_tensor *tx = gs_test_tensor(ctx, 2, shape, x), *tout = gs_test_tensor(ctx, 2, shape, NULL);
    gs_tensor *thalf = gs_test_tensor(ctx, 2, hshape, NULL);
    gs_stream *s = gs_stream_new(ctx);

    ref_gelu(want, x, (int64_t)n);
    GS_CHECK_OK(ctx, gs_op_gelu(s, tout, tx));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    gs_test_close("gelu", got, want, n, 1e-6f, 1e-5f);
    free(got);

    ref_silu(want, x, (int64_t)n);
    GS_CHECK_OK(ctx, gs_op_silu(s, tout, tx));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(tout);
    gs_test_close("silu", got, want, n, 1e-6f, 1e-5f);
    free(got);

    ref_relu(want, x, (int64_t)n);
    GS_CHECK_OK(ctx, gs_op_relu(s, tout, tx));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(tout);
    gs_test_close("relu", got, want, n, 0, 0);
    free(got);
    GS_CHECK(gs_op_relu(s, thalf, tx) == GS_ERR_INVALID_ARGUMENT);

    /* log over 30 decades and below the floor (x ≤ 1e-8 and negatives). */
    float *spread = malloc(n * sizeof *spread);
    for (size_t i = 0; i < n; i++)
        spread[i] = x[i] < 0 ? x[i] : powf(10.0f, x[i] * 1.9f - 14.0f);
    gs_tensor *tspread = gs_test_tensor(ctx, 2, shape, spread);
    ref_log(want, spread, (int64_t)n, 1e-8f);
    GS_CHECK_OK(ctx, gs_op_log(s, tout, tspread, 1e-8f));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(tout);
    gs_test_close("log", got, want, n, 2e-6f, 1e-6f);
    free(got);
    GS_CHECK(gs_op_log(s, tout, tspread, 0.0f) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(gs_op_log(s, thalf, tspread, 1e-8f) == GS_ERR_INVALID_ARGUMENT);
    gs_tensor_free(tspread);
    free(spread);

    ref_quick_gelu(want, x, (int64_t)n);
    GS_CHECK_OK(ctx, gs_op_quick_gelu(s, tout, tx));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(tout);
    gs_test_close("quick_gelu", got, want, n, 1e-6f, 1e-5f);
    free(got);

    ref_geglu(want, x, rows, half);
    GS_CHECK_OK(ctx, gs_op_geglu(s, thalf, tx));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(thalf);
    /* a (up to 8) scales the erf approximation error of gelu(g). */
    gs_test_close("geglu", got, want, (size_t)(rows * half), 1e-5f, 1e-4f);
    free(got);

    /* Rows of a multiple of 8: vec4 texels on CPU drivers. */
    int64_t wide[2] = { rows, 2 * (half - 1) }, wide_half[2] = { rows, half - 1 };
    gs_tensor *tw = gs_test_tensor(ctx, 2, wide, x), *twh = gs_test_tensor(ctx, 2, wide_half, NULL);
    ref_geglu(want, x, rows, half - 1);
    GS_CHECK_OK(ctx, gs_op_geglu(s, twh, tw));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    got = gs_test_download(twh);
    gs_test_close("geglu, rows of 512", got, want, (size_t)(rows * (half - 1)), 1e-5f, 1e-4f);
    free(got);
    gs_tensor_free(tw);
    gs_tensor_free(twh);

    GS_CHECK(gs_op_geglu(s, tout, tx) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(gs_op_gelu(s, thalf, tx) == GS_ERR_INVALID_ARGUMENT);
    GS_CHECK(gs_op_quick_gelu(s, thalf, tx) == GS_ERR_INVALID_ARGUMENT);
    gs_stream_free(s);
    gs_tensor_free(tx);
    gs_tensor_free(tout);
    gs_tensor_free(thalf);
    free(x);
    free(want);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
