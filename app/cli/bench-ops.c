/* genstudio-cli bench ops: our GFLOP/s for three small shapes next to
 * OpenBLAS sgemm on the equivalent GEMMs, in the same run, then the
 * SD-sized shapes (bench-ops-sd.c); the timing helpers both use.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#if GS_HAVE_OPENBLAS
#include <cblas.h>
#endif
#include <stdio.h>
#include <stdlib.h>

#include "bench-ops.h"

gs_status
gs_bench_record_matmul(gs_stream *s, gs_bench_operands *o)
{
    return gs_op_matmul(s, o->t[0], o->t[1], o->t[2], NULL, false);
}

gs_status
gs_bench_record_conv(gs_stream *s, gs_bench_operands *o)
{
    return gs_op_conv2d(s, o->t[0], o->t[1], o->t[2], NULL, 1, 1);
}

gs_status
gs_bench_record_attention(gs_stream *s, gs_bench_operands *o)
{
    return gs_op_attention(s, o->t[0], o->t[1], o->t[2], o->t[3], 1, false);
}

/* OpenBLAS's operands for `count` sgemms of M×N×K. */
typedef struct {
    gs_bench_sgemm shape;
    float *a, *b, *c;
} sgemm_operands;

static bool
sgemm_setup(sgemm_operands *g, const gs_bench_sgemm *shape)
{
    g->shape = *shape;
    size_t m = (size_t)shape->m, n = (size_t)shape->n, k = (size_t)shape->k;
    g->a = calloc(m * k, sizeof *g->a);
    g->b = calloc(k * n, sizeof *g->b);
    g->c = calloc(m * n, sizeof *g->c);
    if (!g->a || !g->b || !g->c)
        return false;
    for (size_t i = 0; i < m * k; i++)
        g->a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < k * n; i++)
        g->b[i] = (float)(i % 5) * 0.1f;
    return true;
}

static void
sgemm_free(sgemm_operands *g)
{
    free(g->a);
    free(g->b);
    free(g->c);
}

/* Seconds for the sgemms; -1 without OpenBLAS. */
static double
sgemm_once(const sgemm_operands *g)
{
#if !GS_HAVE_OPENBLAS
    (void)g;
    return -1;
#else
    int m = g->shape.m, n = g->shape.n, k = g->shape.k;
    gint64 start = g_get_monotonic_time();
    for (int j = 0; j < g->shape.count; j++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, g->a, k, g->b, n, 0.0f, g->c, n);
    return (g_get_monotonic_time() - start) / 1e6;
#endif
}

static double
best_of(double best, double seconds)
{
    return seconds > 0 && (best < 0 || seconds < best) ? seconds : best;
}

/* After one warm-up of each (pipeline creation and the first dispatch are
 * much slower), our op and OpenBLAS's take turns, so that on a shared
 * machine both see the same load. */
gs_bench_times
gs_bench_time(gs_context *ctx, gs_bench_record_func record, gs_bench_operands *o, const gs_bench_sgemm *blas,
              int repeats)
{
    gs_bench_times best = { -1, -1 };
    sgemm_operands g = { { 0 } };
    bool with_blas = blas && GS_HAVE_OPENBLAS && sgemm_setup(&g, blas);
    gs_stream *s = gs_stream_new(ctx);
    for (int i = 0; i <= repeats && s; i++) {
        gint64 start = g_get_monotonic_time();
        if (record(s, o) != GS_OK || gs_stream_submit(s) != GS_OK) {
            fprintf(stderr, "genstudio-cli bench: %s\n", gs_context_error(ctx));
            best.ours = -1;
            break;
        }
        /* OpenBLAS runs twice, timed the second time: back to back with
         * warm caches, as it was measured on its own. */
        double ours = (g_get_monotonic_time() - start) / 1e6;
        double theirs = with_blas && sgemm_once(&g) > 0 ? sgemm_once(&g) : -1;
        if (i > 0) {
            best.ours = best_of(best.ours, ours);
            best.blas = best_of(best.blas, theirs);
        }
    }
    gs_stream_free(s);
    sgemm_free(&g);
    return best;
}

double
gs_cli_openblas_gflops(int m, int n, int k)
{
    sgemm_operands g = { { 0 } };
    double best = -1;
    if (sgemm_setup(&g, &(gs_bench_sgemm){ m, n, k, 1 }))
        for (int i = 0; i <= GS_BENCH_REPEATS; i++) {
            double seconds = sgemm_once(&g);
            if (i > 0)
                best = best_of(best, seconds);
        }
    sgemm_free(&g);
    return best > 0 ? 2.0 * m * n * k / best * 1e-9 : -1;
}

gs_tensor *
gs_bench_filled(gs_context *ctx, int ndim, const int64_t *shape)
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

void
gs_bench_report(const char *what, double flops, gs_bench_times t)
{
    double ours_gflops = flops / t.ours * 1e-9, blas_gflops = flops / t.blas * 1e-9;
    if (t.blas <= 0) {
        printf("%s: %.1f GFLOP/s (this build has no OpenBLAS reference)\n", what, ours_gflops);
        return;
    }
    printf("%s: %.1f GFLOP/s, OpenBLAS %.1f GFLOP/s, ratio %.3f\n", what, ours_gflops, blas_gflops,
           ours_gflops / blas_gflops);
}

int
gs_cli_bench_ops(gs_context *ctx)
{
    struct {
        const char *what;
        gs_bench_record_func record;
        int64_t shapes[4][4];
        int ndims[4];
        double flops;
        gs_bench_sgemm blas;
    } cases[] = {
        { "matmul 1024x1024x1024", gs_bench_record_matmul, { { 1024, 1024 }, { 1024, 1024 }, { 1024, 1024 } },
          { 2, 2, 2, 0 }, 2.0 * 1024 * 1024 * 1024, { 1024, 1024, 1024, 1 } },
        { "conv2d 64->64 3x3 on 64x64", gs_bench_record_conv,
          { { 1, 64, 64, 64 }, { 1, 64, 64, 64 }, { 64, 64, 3, 3 } }, { 4, 4, 4, 0 }, 2.0 * 4096 * 64 * 576,
          { 4096, 64, 576, 1 } },
        { "attention seq 1024 head 64", gs_bench_record_attention,
          { { 1, 1024, 64 }, { 1, 1024, 64 }, { 1, 1024, 64 }, { 1, 1024, 64 } }, { 3, 3, 3, 3 },
          4.0 * 1024 * 1024 * 64, { 1024, 1024, 64, 2 } },
    };
    int status = 0;
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        gs_bench_operands o = { { NULL } };
        bool ok = true;
        for (int i = 0; i < 4 && cases[c].ndims[i]; i++)
            ok = ok && (o.t[i] = gs_bench_filled(ctx, cases[c].ndims[i], cases[c].shapes[i])) != NULL;
        gs_bench_times t = ok ? gs_bench_time(ctx, cases[c].record, &o, &cases[c].blas, GS_BENCH_REPEATS)
                              : (gs_bench_times){ -1, -1 };
        if (t.ours > 0)
            gs_bench_report(cases[c].what, cases[c].flops, t);
        else
            status = 1;
        for (int i = 0; i < 4; i++)
            gs_tensor_free(o.t[i]);
    }
    return gs_bench_sd_ops(ctx) || status;
}
