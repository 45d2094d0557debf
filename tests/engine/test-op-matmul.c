/* matmul / linear vs the double-precision reference.
 * Tolerance: atol 1e-5·sqrt(K)·(max|a|·max|b| scale) — fp32 accumulation of
 * K products in another order; inputs are in [-1, 1], so atol = 2e-6·sqrt(K)
 * with rtol 1e-5. fp16 weights are compared against a reference that uses the
 * same fp16-rounded weights, so the same tolerance applies.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check(gs_context *ctx, int64_t batch, int64_t m, int64_t n, int64_t k, bool transpose_b, bool with_bias, gs_dtype wtype,
      uint64_t seed)
{
    float *a = gs_test_random_new((size_t)(batch * m * k), seed, -1, 1);
    float *b = gs_test_random_new((size_t)(n * k), seed + 1, -1, 1);
    float *bias = gs_test_random_new((size_t)n, seed + 2, -1, 1);
    if (wtype == GS_F16)
        for (int64_t i = 0; i < n * k; i++)
            b[i] = gs_half_to_float(gs_float_to_half(b[i]));
    float *want = malloc((size_t)(batch * m * n) * sizeof *want);
    ref_matmul(want, a, b, with_bias ? bias : NULL, batch * m, n, k, transpose_b);

    int64_t ashape[3] = { batch, m, k }, oshape[3] = { batch, m, n }, bshape[2] = { transpose_b ? n : k, transpose_b ? k : n };
    int64_t biasshape[1] = { n };
    gs_tensor *ta = gs_test_tensor(ctx, 3, ashape, a), *tout = gs_test_tensor(ctx, 3, oshape, NULL);
    gs_tensor *tbias = gs_test_tensor(ctx, 1, biasshape, bias);
    gs_tensor *tb = gs_tensor_new(ctx, wtype, 2, bshape);
    GS_CHECK_OK(ctx, gs_tensor_upload(tb, b, n * k));
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_matmul(s, tout, ta, tb, with_bias ? tbias : NULL, transpose_b));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[160];
    snprintf(what, sizeof what, "matmul %lldx(%lldx%lld)x%lld%s%s%s", (long long)batch, (long long)m, (long long)k,
             (long long)n, transpose_b ? " B^T" : "", with_bias ? " +bias" : "", wtype == GS_F16 ? " fp16 B" : "");
    gs_test_close(what, got, want, (size_t)(batch * m * n), 2e-6f * sqrtf((float)k), 1e-5f);
    gs_stream_free(s);
    gs_tensor_free(ta);
    gs_tensor_free(tb);
    gs_tensor_free(tbias);
    gs_tensor_free(tout);
    free(a);
    free(b);
    free(bias);
    free(want);
    free(got);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    gs_dtype f16 = gs_context_has_fp16_storage(ctx) ? GS_F16 : GS_F32;
    check(ctx, 1, 1, 1, 1, false, false, GS_F32, 1);
    check(ctx, 1, 37, 53, 29, false, true, GS_F32, 2);
    check(ctx, 1, 37, 53, 29, true, true, GS_F32, 3);
    check(ctx, 1, 77, 512, 128, true, true, f16, 4);     /* text encoder fc1 */
    check(ctx, 2, 256, 64, 512, true, false, f16, 5);    /* UNet feed-forward out, batch 2 */
    check(ctx, 1, 64, 64, 64, false, false, GS_F32, 6);  /* exact tiles */
    check(ctx, 3, 5, 130, 7, false, true, f16, 7);       /* ragged edges */
    check(ctx, 1, 3, 5, 20000, true, false, GS_F32, 8);  /* long K: no loop limit trips */
    check(ctx, 1, 300, 520, 64, false, true, f16, 9);    /* vec4 kernel, big blocks, ragged */
    check(ctx, 1, 100, 132, 36, false, true, GS_F32, 10); /* vec4 kernel, middle blocks */
    check(ctx, 2, 3, 20, 12, false, true, f16, 11);      /* vec4 kernels, one row per lane */
    check(ctx, 1, 77, 128, 512, false, true, GS_F32, 12); /* tokens × channels, K not a tile multiple */
    check(ctx, 1, 50, 256, 96, false, true, f16, 13);     /* fp16 weights, 128-column blocks, ragged rows */

    int64_t s2[2] = { 4, 8 }, s3[2] = { 5, 8 };
    gs_tensor *a = gs_test_tensor(ctx, 2, s2, NULL), *b = gs_test_tensor(ctx, 2, s3, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_matmul(s, a, a, b, NULL, false) == GS_ERR_INVALID_ARGUMENT); /* K mismatch */
    GS_CHECK(gs_op_matmul(s, a, a, b, a, true) == GS_ERR_INVALID_ARGUMENT);     /* out shape */
    gs_stream_free(s);
    gs_tensor_free(a);
    gs_tensor_free(b);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
