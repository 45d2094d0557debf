/* genstudio-cli bench ops, the SD-sized lines: SD 1.5's UNet at a 64²
 * latent and its VAE decoder at 256², each next to OpenBLAS sgemm on the
 * equivalent GEMMs in the same run (group norm: next to a plain C loop).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-ops.h"

/* A weight as the models load it: fp16 where the device stores fp16,
 * small normal noise. */
static gs_tensor *
weight(gs_context *ctx, int ndim, const int64_t *shape)
{
    gs_tensor *t = gs_tensor_new(ctx, gs_context_has_fp16_storage(ctx) ? GS_F16 : GS_F32, ndim, shape);
    if (!t)
        return NULL;
    int64_t n = gs_tensor_numel(t);
    float *data = malloc((size_t)n * sizeof *data);
    gs_normal_noise(2, 0, 0, data, (size_t)n);
    for (int64_t j = 0; j < n; j++)
        data[j] *= 0.05f;
    gs_tensor_upload(t, data, n);
    free(data);
    return t;
}

static void
free_operands(gs_bench_operands *o)
{
    for (int i = 0; i < 4; i++)
        gs_tensor_free(o->t[i]);
}

static gs_status
record_conv_gemm(gs_stream *s, gs_bench_operands *o)
{
    return gs_op_conv2d_gemm(s, o->t[0], o->t[1], o->t[2], NULL, 1, 1, o->t[3]);
}

/* The conv as the UNet runs it on CPU drivers with texel loads: the input
 * copied zero-padded and channels-last, then the implicit GEMM (t[2] is the
 * taps-major weight, t[3] the padded copy). */
static gs_status
record_conv_implicit(gs_stream *s, gs_bench_operands *o)
{
    gs_status st = gs_op_padded_nhwc(s, o->t[3], o->t[1], 1);
    return st ? st : gs_op_conv2d_implicit(s, o->t[0], o->t[3], o->t[2], NULL, NULL, 1);
}

/* SD's 3×3 convolutions (UNet ResBlock at a 64² latent, VAE decoder at 256²)
 * with fp16 weights as the models load them: the implicit GEMM (the UNet's
 * path on CPU drivers with texel loads), unfold + GEMM (the VAE's) and, for
 * the UNet's, the direct kernel. */
static int
bench_sd_convs(gs_context *ctx)
{
    static const struct {
        int64_t c, size;
        int repeats;
        bool direct_too; /* the VAE's through the direct kernel takes ~10 s */
    } convs[] = { { 320, 64, 3, true }, { 128, 256, 1, false } };
    int status = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(convs); i++) {
        int64_t c = convs[i].c, hw = convs[i].size, k = 9 * c;
        gs_bench_operands o = { { NULL } };
        o.t[0] = gs_bench_filled(ctx, 4, (int64_t[]){ 1, c, hw, hw });
        o.t[1] = gs_bench_filled(ctx, 4, (int64_t[]){ 1, c, hw, hw });
        o.t[2] = weight(ctx, 4, (int64_t[]){ c, c, 3, 3 });
        int64_t rows = o.t[1] && o.t[2] ? gs_conv2d_gemm_rows(ctx, o.t[1], o.t[2], 1, 1) : 0;
        if (rows > 0)
            o.t[3] = gs_tensor_new(ctx, GS_F32, 2, (int64_t[]){ rows * hw, k });
        double flops = 2.0 * (double)(hw * hw) * (double)c * (double)k;
        gs_bench_sgemm blas = { (int)(hw * hw), (int)c, (int)k, 1 };
        char what[96];
        for (int gemm = convs[i].direct_too ? 0 : 1; gemm < 2 && o.t[0] && o.t[1] && o.t[2]; gemm++) {
            if (gemm && !o.t[3])
                break;
            gs_bench_times t =
                gs_bench_time(ctx, gemm ? record_conv_gemm : gs_bench_record_conv, &o, &blas, convs[i].repeats);
            snprintf(what, sizeof what, "conv2d %lld->%lld 3x3 on %lldx%lld fp16, %s", (long long)c, (long long)c,
                     (long long)hw, (long long)hw, gemm ? "unfold + GEMM" : "direct");
            if (t.ours > 0)
                gs_bench_report(what, flops, t);
            else
                status = 1;
        }
        if (o.t[0] && o.t[1] && gs_conv2d_taps_major(ctx, c, c, 3)) {
            gs_bench_operands implicit = { { o.t[0], o.t[1], weight(ctx, 4, (int64_t[]){ c, 3, 3, c }),
                                             gs_tensor_new(ctx, GS_F32, 4, (int64_t[]){ 1, hw + 2, hw + 2, c }) } };
            gs_bench_times t = implicit.t[2] && implicit.t[3]
                                   ? gs_bench_time(ctx, record_conv_implicit, &implicit, &blas, convs[i].repeats)
                                   : (gs_bench_times){ -1, -1 };
            snprintf(what, sizeof what, "conv2d %lld->%lld 3x3 on %lldx%lld fp16, padding pass + implicit GEMM",
                     (long long)c, (long long)c, (long long)hw, (long long)hw);
            if (t.ours > 0)
                gs_bench_report(what, flops, t);
            else
                status = 1;
            gs_tensor_free(implicit.t[2]);
            gs_tensor_free(implicit.t[3]);
        }
        free_operands(&o);
    }
    return status;
}

/* Self-attention over the UNet's 64² latent (seq 4096) with SD 1.5's heads
 * of 40 at the top level and heads of 64 (SD 2.x), one head. */
static int
bench_sd_attention(gs_context *ctx)
{
    static const int64_t seq = 4096, heads[] = { 40, 64 };
    int status = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(heads); i++) {
        gs_bench_operands o = { { NULL } };
        bool ok = true;
        for (int j = 0; j < 4; j++)
            ok = ok && (o.t[j] = gs_bench_filled(ctx, 3, (int64_t[]){ 1, seq, heads[i] })) != NULL;
        gs_bench_sgemm blas = { (int)seq, (int)seq, (int)heads[i], 2 };
        gs_bench_times t =
            ok ? gs_bench_time(ctx, gs_bench_record_attention, &o, &blas, 2) : (gs_bench_times){ -1, -1 };
        char what[64];
        snprintf(what, sizeof what, "attention seq %lld head %lld", (long long)seq, (long long)heads[i]);
        if (t.ours > 0)
            gs_bench_report(what, 4.0 * seq * seq * heads[i], t);
        else
            status = 1;
        free_operands(&o);
    }
    return status;
}

/* The GEGLU feed-forward's first matmul at the top level: 4096 tokens × 320
 * channels times a 320×2560 fp16 weight. */
static int
bench_sd_feed_forward(gs_context *ctx)
{
    const int m = 4096, k = 320, n = 2560;
    gs_bench_operands o = { { NULL } };
    o.t[0] = gs_bench_filled(ctx, 2, (int64_t[]){ m, n });
    o.t[1] = gs_bench_filled(ctx, 2, (int64_t[]){ m, k });
    o.t[2] = weight(ctx, 2, (int64_t[]){ k, n });
    gs_bench_times t = o.t[0] && o.t[1] && o.t[2]
                           ? gs_bench_time(ctx, gs_bench_record_matmul, &o, &(gs_bench_sgemm){ m, n, k, 1 }, 2)
                           : (gs_bench_times){ -1, -1 };
    if (t.ours > 0)
        gs_bench_report("matmul 4096x320x2560 fp16 B (GEGLU feed-forward)", 2.0 * m * n * k, t);
    free_operands(&o);
    return t.ours > 0 ? 0 : 1;
}

#define NORM_GROUPS 32
#define NORM_EPS 1e-5f

static gs_status
record_group_norm(gs_stream *s, gs_bench_operands *o)
{
    return gs_op_group_norm(s, o->t[0], o->t[1], o->t[2], o->t[3], NORM_GROUPS, NORM_EPS, false);
}

/* The reference for group norm: the straightforward loop, one thread, two
 * passes per group (mean, then variance) and one to normalise. */
static void
group_norm_plain(float *out, const float *x, const float *gamma, const float *beta, int64_t c, int64_t hw)
{
    int64_t per_group = c / NORM_GROUPS * hw;
    for (int64_t g = 0; g < NORM_GROUPS; g++) {
        const float *xg = x + g * per_group;
        double sum = 0, squares = 0;
        for (int64_t i = 0; i < per_group; i++)
            sum += xg[i];
        double mean = sum / per_group;
        for (int64_t i = 0; i < per_group; i++)
            squares += (xg[i] - mean) * (xg[i] - mean);
        float inv = (float)(1.0 / sqrt(squares / per_group + NORM_EPS));
        for (int64_t i = 0; i < per_group; i++) {
            int64_t ch = (g * per_group + i) / hw;
            out[g * per_group + i] = ((float)(xg[i] - mean) * inv) * gamma[ch] + beta[ch];
        }
    }
}

/* Group norm over 320 channels of a 64² map, 32 groups; the ratio is the
 * plain C loop's time over ours. */
static int
bench_sd_group_norm(gs_context *ctx)
{
    const int64_t c = 320, hw = 64 * 64;
    gs_bench_operands o = { { NULL } };
    o.t[0] = gs_bench_filled(ctx, 4, (int64_t[]){ 1, c, 64, 64 });
    o.t[1] = gs_bench_filled(ctx, 4, (int64_t[]){ 1, c, 64, 64 });
    o.t[2] = gs_bench_filled(ctx, 1, (int64_t[]){ c });
    o.t[3] = gs_bench_filled(ctx, 1, (int64_t[]){ c });
    double ours = o.t[0] && o.t[1] && o.t[2] && o.t[3]
                      ? gs_bench_time(ctx, record_group_norm, &o, NULL, GS_BENCH_REPEATS).ours
                      : -1;
    free_operands(&o);
    if (ours <= 0)
        return 1;
    float *x = malloc((size_t)(c * hw) * sizeof *x), *out = malloc((size_t)(c * hw) * sizeof *out);
    float *gamma = malloc((size_t)c * sizeof *gamma), *beta = malloc((size_t)c * sizeof *beta);
    gs_normal_noise(3, 0, 0, x, (size_t)(c * hw));
    gs_normal_noise(4, 0, 0, gamma, (size_t)c);
    gs_normal_noise(5, 0, 0, beta, (size_t)c);
    double plain = -1;
    for (int i = 0; i < GS_BENCH_REPEATS; i++) {
        gint64 start = g_get_monotonic_time();
        group_norm_plain(out, x, gamma, beta, c, hw);
        double seconds = (g_get_monotonic_time() - start) / 1e6;
        if (plain < 0 || seconds < plain)
            plain = seconds;
    }
    free(x);
    free(out);
    free(gamma);
    free(beta);
    printf("group norm 320x64x64, 32 groups: %.2f ms, plain C loop (one thread) %.2f ms, ratio %.3f\n", ours * 1e3,
           plain * 1e3, plain / ours);
    return 0;
}

int
gs_bench_sd_ops(gs_context *ctx)
{
    int status = bench_sd_convs(ctx);
    status |= bench_sd_attention(ctx);
    status |= bench_sd_feed_forward(ctx);
    status |= bench_sd_group_norm(ctx);
    return status;
}
