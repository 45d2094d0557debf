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

/* Best of `repeats` single-op submits, after one warm-up (pipeline creation
 * and the first dispatch are much slower). */
double
gs_bench_time_ours(gs_context *ctx, gs_bench_record_func record, gs_bench_operands *o, int repeats)
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

/* Best of `repeats` runs of `count` sgemms of M×N×K; -1 without OpenBLAS. */
double
gs_bench_time_openblas(int m, int n, int k, int count, int repeats)
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
    double seconds = gs_bench_time_openblas(m, n, k, 1, GS_BENCH_REPEATS);
    return seconds > 0 ? 2.0 * m * n * k / seconds * 1e-9 : -1;
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
gs_bench_report(const char *what, double flops, double ours, double blas)
{
    double ours_gflops = flops / ours * 1e-9, blas_gflops = flops / blas * 1e-9;
    if (blas <= 0) {
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
        int m, n, k, gemms; /* the OpenBLAS equivalent */
    } cases[] = {
        { "matmul 1024x1024x1024", gs_bench_record_matmul, { { 1024, 1024 }, { 1024, 1024 }, { 1024, 1024 } },
          { 2, 2, 2, 0 }, 2.0 * 1024 * 1024 * 1024, 1024, 1024, 1024, 1 },
        { "conv2d 64->64 3x3 on 64x64", gs_bench_record_conv,
          { { 1, 64, 64, 64 }, { 1, 64, 64, 64 }, { 64, 64, 3, 3 } }, { 4, 4, 4, 0 }, 2.0 * 4096 * 64 * 576, 4096, 64,
          576, 1 },
        { "attention seq 1024 head 64", gs_bench_record_attention,
          { { 1, 1024, 64 }, { 1, 1024, 64 }, { 1, 1024, 64 }, { 1, 1024, 64 } }, { 3, 3, 3, 3 },
          4.0 * 1024 * 1024 * 64, 1024, 1024, 64, 2 },
    };
    int status = 0;
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        gs_bench_operands o = { { NULL } };
        bool ok = true;
        for (int i = 0; i < 4 && cases[c].ndims[i]; i++)
            ok = ok && (o.t[i] = gs_bench_filled(ctx, cases[c].ndims[i], cases[c].shapes[i])) != NULL;
        double ours = ok ? gs_bench_time_ours(ctx, cases[c].record, &o, GS_BENCH_REPEATS) : -1;
        if (ours > 0)
            gs_bench_report(cases[c].what, cases[c].flops, ours,
                            gs_bench_time_openblas(cases[c].m, cases[c].n, cases[c].k, cases[c].gemms, GS_BENCH_REPEATS));
        else
            status = 1;
        for (int i = 0; i < 4; i++)
            gs_tensor_free(o.t[i]);
    }
    return gs_bench_sd_ops(ctx) || status;
}
