/* genstudio-cli subcommands.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "genstudio-engine.h"

/* Each returns the process exit status. */
int gs_cli_info(int argc, char **argv);
int gs_cli_bench(int argc, char **argv);
int gs_cli_image(int argc, char **argv);
int gs_cli_speak(int argc, char **argv);
int gs_cli_clone(int argc, char **argv);
int gs_cli_music(int argc, char **argv);
int gs_cli_mix(int argc, char **argv);
int gs_cli_models(int argc, char **argv);
int gs_cli_upscale(int argc, char **argv);
int gs_cli_verify(int argc, char **argv);

/* Benchmark targets of `genstudio-cli bench`. */
int gs_cli_bench_ops(gs_context *ctx);
int gs_cli_bench_image(gs_context *ctx);
int gs_cli_bench_speech(gs_context *ctx, int argc, char **argv);
int gs_cli_bench_clone(gs_context *ctx);
int gs_cli_bench_music(gs_context *ctx);
int gs_cli_bench_upscale(gs_context *ctx);
int gs_cli_bench_gan(gs_context *ctx);
int gs_cli_bench_provenance(gs_context *ctx);
/* bench sd takes options (--model PATH …). */
int gs_cli_bench_sd(gs_context *ctx, int argc, char **argv);
/* OpenBLAS sgemm GFLOP/s for M×N×K now, -1 without OpenBLAS. */
double gs_cli_openblas_gflops(int m, int n, int k);

/* Opens the engine on the device GS_DEVICE names (or the best one); prints
 * the engine's message and returns NULL on failure. */
gs_context *gs_cli_open_context(void);
