/* Fused attention vs the textbook reference (full scores, softmax, sum).
 * Tolerance: atol 2e-5, rtol 1e-4: online-softmax rescaling reorders the
 * fp32 sums; inputs in [-1, 1], and one case with q, k in [-4, 4] where the
 * softmax is nearly one-hot and the running max rises many times.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "gs-test.h"
#include "ref/gs-ref.h"

static void
check_range(gs_context *ctx, int64_t b, int64_t lq, int64_t lk, int heads, int64_t d, bool causal, uint64_t seed,
            float range)
{
    int64_t w = heads * d;
    size_t nq = (size_t)(b * lq * w), nk = (size_t)(b * lk * w);
    float *q = gs_test_random_new(nq, seed, -range, range), *k = gs_test_random_new(nk, seed + 1, -range, range);
    float *v = gs_test_random_new(nk, seed + 2, -1, 1), *want = malloc(nq * sizeof *want);
    ref_attention(want, q, k, v, b, lq, lk, heads, d, causal);
    int64_t qs[3] = { b, lq, w }, ks[3] = { b, lk, w };
    gs_tensor *tq = gs_test_tensor(ctx, 3, qs, q), *tk = gs_test_tensor(ctx, 3, ks, k);
    gs_tensor *tv = gs_test_tensor(ctx, 3, ks, v), *tout = gs_test_tensor(ctx, 3, qs, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK_OK(ctx, gs_op_attention(s, tout, tq, tk, tv, heads, causal));
    GS_CHECK_OK(ctx, gs_stream_submit(s));
    float *got = gs_test_download(tout);
    char what[128];
    snprintf(what, sizeof what, "attention b%lld q%lld k%lld %d heads of %lld%s (q, k in ±%g)", (long long)b,
             (long long)lq, (long long)lk, heads, (long long)d, causal ? " causal" : "", range);
    gs_test_close(what, got, want, nq, 2e-5f, 1e-4f);
    gs_stream_free(s);
    gs_tensor_free(tq);
    gs_tensor_free(tk);
    gs_tensor_free(tv);
    gs_tensor_free(tout);
    free(q);
    free(k);
    free(v);
    free(want);
    free(got);
}

static void
check(gs_context *ctx, int64_t b, int64_t lq, int64_t lk, int heads, int64_t d, bool causal, uint64_t seed)
{
    check_range(ctx, b, lq, lk, heads, d, causal, seed, 1);
}

/* With --loads (the -no-texel and -no-int64 runs), fewer head sizes: those
 * runs change how keys and values are loaded, not a head size's
 * arithmetic, and on a fresh machine each head size is seconds of llvmpipe
 * compile per variant (heads of 128 and 256: 8 and 14 s). They keep heads
 * of 32, 80 and 160 (8, 6 and 3 queries a lane), and the direct kernel's. */
int
main(int argc, char **argv)
{
    bool every_head_size = argc < 2 || strcmp(argv[1], "--loads") != 0;
    gs_context *ctx = gs_test_context();
    check(ctx, 1, 77, 77, 4, 32, true, 1);     /* text encoder */
    check(ctx, 2, 256, 77, 2, 32, false, 2);   /* cross-attention at 16×16, CFG batch */
    check(ctx, 1, 64, 64, 2, 32, false, 3);    /* self-attention at 8×8 */
    check(ctx, 1, 20, 20, 1, 80, true, 5);
    check(ctx, 1, 256, 77, 2, 160, false, 16); /* SD 1.x UNet level 2: cross-attention, heads of 160 */
    check(ctx, 1, 70, 70, 1, 160, true, 17);
    check(ctx, 1, 64, 77, 2, 80, false, 18);   /* SD 1.x level 1 */
    check(ctx, 1, 64, 1024, 1, 32, false, 9);
    check(ctx, 2, 9, 13, 2, 6, false, 14);     /* head dim not a multiple of 4: direct kernel on CPUs */
    check_range(ctx, 1, 40, 300, 1, 32, false, 15, 4); /* scores up to ±90: the running max keeps rising */
    if (every_head_size) {
        check(ctx, 1, 40, 17, 2, 128, false, 6);
        check(ctx, 1, 33, 40, 1, 256, false, 19); /* the widest head */
        check(ctx, 1, 50, 33, 1, 40, false, 4); /* SD 2.x-like head dim, ragged */
        check(ctx, 1, 20, 25, 1, 196, false, 20); /* a multiple of 4 between */
        check(ctx, 1, 1024, 77, 1, 64, false, 7);
        check(ctx, 1, 64, 256, 1, 64, false, 11);
        check(ctx, 1, 64, 512, 1, 64, false, 12);
        check(ctx, 1, 64, 1024, 1, 64, false, 8);
        check(ctx, 1, 1024, 1024, 1, 64, false, 10);
        check(ctx, 1, 30, 45, 2, 16, true, 13); /* causal with more keys than queries */
    }

    int64_t qs[3] = { 1, 4, 12 }, ks[3] = { 1, 5, 8 };
    gs_tensor *q = gs_test_tensor(ctx, 3, qs, NULL), *k = gs_test_tensor(ctx, 3, ks, NULL);
    gs_stream *s = gs_stream_new(ctx);
    GS_CHECK(gs_op_attention(s, q, q, k, k, 2, false) == GS_ERR_INVALID_ARGUMENT); /* widths differ */
    GS_CHECK(gs_op_attention(s, q, q, q, q, 5, false) == GS_ERR_INVALID_ARGUMENT); /* 12 % 5 */
    int64_t wide[3] = { 1, 4, 260 };
    gs_tensor *w = gs_test_tensor(ctx, 3, wide, NULL);
    GS_CHECK(gs_op_attention(s, w, w, w, w, 1, false) == GS_ERR_INVALID_ARGUMENT); /* head of 260 > 256 */
    gs_tensor_free(w);
    gs_stream_free(s);
    gs_tensor_free(q);
    gs_tensor_free(k);
    gs_context_free(ctx);
    return gs_test_failures != 0;
}
