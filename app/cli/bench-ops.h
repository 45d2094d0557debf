/* Timing helpers shared by bench-ops.c and bench-ops-sd.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "cli.h"

#define GS_BENCH_REPEATS 5

typedef struct {
    gs_tensor *t[4];
} gs_bench_operands;

typedef gs_status (*gs_bench_record_func)(gs_stream *s, gs_bench_operands *o);

/* t[0] = op(t[1], t[2]) (conv: stride 1, padding 1; no bias), and
 * attention t[0] = attention(t[1], t[2], t[3]) with one head. */
gs_status gs_bench_record_matmul(gs_stream *s, gs_bench_operands *o);
gs_status gs_bench_record_conv(gs_stream *s, gs_bench_operands *o);
gs_status gs_bench_record_attention(gs_stream *s, gs_bench_operands *o);

/* Seconds, best of `repeats` submits after a warm-up; -1 on failure. */
double gs_bench_time_ours(gs_context *ctx, gs_bench_record_func record, gs_bench_operands *o, int repeats);
/* Seconds, best of `repeats` runs of `count` sgemms of M×N×K; -1 without OpenBLAS. */
double gs_bench_time_openblas(int m, int n, int k, int count, int repeats);
/* A new fp32 tensor filled with normal noise, or NULL. */
gs_tensor *gs_bench_filled(gs_context *ctx, int ndim, const int64_t *shape);
/* Prints "what: ours GFLOP/s, OpenBLAS …, ratio …" from seconds. */
void gs_bench_report(const char *what, double flops, double ours, double blas);

/* The SD-sized lines (bench-ops-sd.c); nonzero if one failed. */
int gs_bench_sd_ops(gs_context *ctx);
