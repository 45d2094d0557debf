/* genstudio-cli bench ops: our GFLOP/s for three shapes that dominate the
 * models, next to OpenBLAS sgemm on the equivalent GEMMs, in the same run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#if GS_HAVE_OPENBLAS
#include <cblas.h>
#endif
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

#define REPEATS 5

typedef struct {
    gs_tensor *t[4];
} operands;

typedef gs_status (*record_func)(gs_stream *s, operands *o);

static gs_status
record_matmul(gs_stream *s, operands *o)
{
    return gs_op_matmul(s, o->t[0], o->t[1], o->t[2], NULL, false);
}

static gs_status
record_conv(gs_stream *s, operands *o)
{
    return gs_op_conv2d(s, o->t[0], o->t[1], o->t[2], NULL, 1, 1);
}

static gs_status
record_conv_gemm(gs_stream *s, operands *o)
{
    return gs_op_conv2d_gemm(s, o->t[0], o->t[1], o->t[2], NULL, 1, 1, o->t[3]);
}

static gs_status
record_attention(gs_stream *s, operands *o)
{
    return gs_op_attention(s, o->t[0], o->t[1], o->t[2], o->t[3], 1, false);
}

/* Best of REPEATS single-op submits, after one warm-up (pipeline creation
 * and the first dispatch are much slower). */
static double
time_ours(gs_context *ctx, record_func record, operands *o, int repeats)
{
    gs_stream *s = gs_stream_new(ctx);
    double best = -1;
    for (int i = 0; i <= repeats; i++) {
        gint64 start = g_get_monotonic_time();
        if (record(s, o) != GS_OK || gs_stream_submit(s) != GS_OK) {
            fprintf(stderr, "genstudio-cli bench: %s\n", gs_context_error(ctx));
            best = -1;
            break;
        }
        double seconds = (g_get_monotonic_time() - start) / 1e6;
        if (i > 0 && (best < 0 || seconds < best))
            best = seconds;
    }
    gs_stream_free(s);
    return best;
}

/* Best of REPEATS runs of `count` sgemms of M×N×K; -1 without OpenBLAS. */
static double
time_openblas(int m, int n, int k, int count, int repeats)
{
#if !GS_HAVE_OPENBLAS
    return -1;
#else
    float *a = calloc((size_t)m * k, sizeof *a), *b = calloc((size_t)k * n, sizeof *b);
    float *c = calloc((size_t)m * n, sizeof *c);
    for (size_t i = 0; i < (size_t)m * k; i++)
        a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < (size_t)k * n; i++)
        b[i] = (float)(i % 5) * 0.1f;
    double best = -1;
    for (int i = 0; i <= repeats; i++) {
        gint64 start = g_get_monotonic_time();
        for (int j = 0; j < count; j++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
        double seconds = (g_get_monotonic_time() - start) / 1e6;
        if (i > 0 && (best < 0 || seconds < best))
            best = seconds;
    }
    free(a);
    free(b);
    free(c);
    return best;
#endif
}

double
gs_cli_openblas_gflops(int m, int n, int k)
{
    double seconds = time_openblas(m, n, k, 1, REPEATS);
    return seconds > 0 ? 2.0 * m * n * k / seconds * 1e-9 : -1;
}

static gs_tensor *
filled(gs_context *ctx, int ndim, const int64_t *shape)
{
    gs_tensor *t = gs_tensor_new(ctx, GS_F32, ndim, shape);
    if (!t)
        return NULL;
    int64_t n = gs_tensor_numel(t);
    float *data = malloc((size_t)n * sizeof *data);
    gs_normal_noise(1, 0, 0, data, (size_t)n);
    gs_tensor_upload(t, data, n);
    free(data);
    return t;
}

static void
report(const char *what, double flops, double ours, double blas)
{
    double ours_gflops = flops / ours * 1e-9, blas_gflops = flops / blas * 1e-9;
    if (blas <= 0) {
        printf("%s: %.1f GFLOP/s (this build has no OpenBLAS reference)\n", what, ours_gflops);
        return;
    }
    printf("%s: %.1f GFLOP/s, OpenBLAS %.1f GFLOP/s, ratio %.3f\n", what, ours_gflops, blas_gflops,
           ours_gflops / blas_gflops);
}

/* SD's 3×3 convolutions (UNet ResBlock at a 64² latent, VAE decoder at 256²)
 * with fp16 weights as the models load them, through the direct kernel and
 * through unfold + GEMM (the path models take on CPU drivers). */
static int
bench_sd_convs(gs_context *ctx)
{
    static const struct {
        int64_t c, size;
        int repeats;
    } convs[] = { { 320, 64, 3 }, { 128, 256, 1 } };
    int status = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(convs); i++) {
        int64_t c = convs[i].c, hw = convs[i].size, k = 9 * c;
        operands o = { { NULL } };
        o.t[0] = filled(ctx, 4, (int64_t[]){ 1, c, hw, hw });
        o.t[1] = filled(ctx, 4, (int64_t[]){ 1, c, hw, hw });
        o.t[2] = gs_tensor_new(ctx, gs_context_has_fp16_storage(ctx) ? GS_F16 : GS_F32, 4, (int64_t[]){ c, c, 3, 3 });
        if (o.t[2]) {
            float *wt = malloc((size_t)(c * k) * sizeof *wt);
            gs_normal_noise(2, 0, 0, wt, (size_t)(c * k));
            for (int64_t j = 0; j < c * k; j++)
                wt[j] *= 0.05f;
            gs_tensor_upload(o.t[2], wt, c * k);
            free(wt);
        }
        int64_t rows = o.t[1] && o.t[2] ? gs_conv2d_gemm_rows(ctx, o.t[1], o.t[2], 1, 1) : 0;
        if (rows > 0)
            o.t[3] = gs_tensor_new(ctx, GS_F32, 2, (int64_t[]){ rows * hw, k });
        double flops = 2.0 * (double)(hw * hw) * (double)c * (double)k;
        double blas = o.t[0] && o.t[2] ? time_openblas((int)(hw * hw), (int)c, (int)k, 1, convs[i].repeats) : -1;
        char what[96];
        for (int gemm = 0; gemm < 2 && o.t[0] && o.t[1] && o.t[2]; gemm++) {
            if (gemm && !o.t[3])
                break;
            double ours = time_ours(ctx, gemm ? record_conv_gemm : record_conv, &o, convs[i].repeats);
            snprintf(what, sizeof what, "conv2d %lld->%lld 3x3 on %lldx%lld fp16, %s", (long long)c, (long long)c,
                     (long long)hw, (long long)hw, gemm ? "unfold + GEMM" : "direct");
            if (ours > 0)
                report(what, flops, ours, blas);
            else
                status = 1;
        }
        for (int j = 0; j < 4; j++)
            gs_tensor_free(o.t[j]);
    }
    return status;
}

int
gs_cli_bench_ops(gs_context *ctx)
{
    struct {
        const char *what;
        record_func record;
        int64_t shapes[4][4];
        int ndims[4];
        double flops;
        int m, n, k, gemms; /* the OpenBLAS equivalent */
    } cases[] = {
        { "matmul 1024x1024x1024", record_matmul, { { 1024, 1024 }, { 1024, 1024 }, { 1024, 1024 } }, { 2, 2, 2, 0 },
          2.0 * 1024 * 1024 * 1024, 1024, 1024, 1024, 1 },
        { "conv2d 64->64 3x3 on 64x64", record_conv, { { 1, 64, 64, 64 }, { 1, 64, 64, 64 }, { 64, 64, 3, 3 } },
          { 4, 4, 4, 0 }, 2.0 * 4096 * 64 * 576, 4096, 64, 576, 1 },
        { "attention seq 1024 head 64", record_attention,
          { { 1, 1024, 64 }, { 1, 1024, 64 }, { 1, 1024, 64 }, { 1, 1024, 64 } }, { 3, 3, 3, 3 },
          4.0 * 1024 * 1024 * 64, 1024, 1024, 64, 2 },
    };
    int status = 0;
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        operands o = { { NULL } };
        bool ok = true;
        for (int i = 0; i < 4 && cases[c].ndims[i]; i++)
            ok = ok && (o.t[i] = filled(ctx, cases[c].ndims[i], cases[c].shapes[i])) != NULL;
        double ours = ok ? time_ours(ctx, cases[c].record, &o, REPEATS) : -1;
        if (ours > 0)
            report(cases[c].what, cases[c].flops, ours,
                   time_openblas(cases[c].m, cases[c].n, cases[c].k, cases[c].gemms, REPEATS));
        else
            status = 1;
        for (int i = 0; i < 4; i++)
            gs_tensor_free(o.t[i]);
    }
    return bench_sd_convs(ctx) || status;
}
