/* A model's weights on the device, uploaded from a safetensors file on first
 * use and kept by name. Matrices (linear and conv weights) go to fp16 where
 * the device has 16-bit storage; everything else stays fp32.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-graph.h"

typedef struct gs_weights gs_weights;

gs_weights *gs_weights_new(gs_context *ctx, const gs_safetensors *file);
void gs_weights_free(gs_weights *w);

/* `name` formatted printf-style. When the file lacks the tensor: NULL, the
 * context's error names it, and the graph's status turns to failure. */
const gs_tensor *gs_weights_matrix(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A torch Linear weight [out, in] (or Conv1d weight [out, in, K], seen as
 * [out, in·K]), stored transposed as [in, out] so that matmul reads it
 * row-major (the fast path). */
const gs_tensor *gs_weights_linear(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const gs_tensor *gs_weights_vector(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when the file has the tensor (optional layers such as skip convs). */
bool gs_weights_has(gs_weights *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Dim d of the file's tensor `name` (as stored, before any transposition):
 * -1 when the tensor is absent or has no dim d. For reading a model's
 * shape from its weights. */
int64_t gs_weights_dim(gs_weights *w, const char *name, int d);
