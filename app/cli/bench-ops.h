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

/* OpenBLAS's equivalent of an op: `count` sgemms of M×N×K. */
typedef struct {
    int m, n, k, count;
} gs_bench_sgemm;

/* Seconds, best of `repeats` after a warm-up; -1: failed, or no OpenBLAS. */
typedef struct {
    double ours, blas;
} gs_bench_times;

/* Times `record` submitted alone and, taking turns with it, `blas` (NULL:
 * none). */
gs_bench_times gs_bench_time(gs_context *ctx, gs_bench_record_func record, gs_bench_operands *o,
                             const gs_bench_sgemm *blas, int repeats);
/* A new fp32 tensor filled with normal noise, or NULL. */
gs_tensor *gs_bench_filled(gs_context *ctx, int ndim, const int64_t *shape);
/* Prints "what: ours GFLOP/s, OpenBLAS …, ratio …". */
void gs_bench_report(const char *what, double flops, gs_bench_times t);

/* The SD-sized lines (bench-ops-sd.c); nonzero if one failed. */
int gs_bench_sd_ops(gs_context *ctx);
