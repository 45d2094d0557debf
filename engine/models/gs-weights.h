/* A model's weights on the device, uploaded from a safetensors file on first
 * use and kept by name. Matrices (linear and conv weights) go to fp16 where
 * the device has 16-bit storage; everything else stays fp32.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-graph.h"
#include "gs-tensor-map.h"

typedef struct gs_weights gs_weights;

/* Names as they are in `file`. */
gs_weights *gs_weights_new(gs_context *ctx, const gs_safetensors *file);
/* Names through `map`, which must outlive the weights. */
gs_weights *gs_weights_new_mapped(gs_context *ctx, const gs_tensor_map *map);
void gs_weights_free(gs_weights *w);
/* Frees the device copies of every loaded weight whose name starts with
 * `prefix` (the text encoder's, once the prompt is encoded); they are
 * uploaded again on next use. */
void gs_weights_unload(gs_weights *w, const char *prefix);
/* Dim d of a weight as mapped (before any transposition), -1 when it is
 * absent or has no dim d: for reading a model's shape from its weights. */
int64_t gs_weights_dim(gs_weights *w, const char *name, int d);
const gs_tensor_map *gs_weights_map(gs_weights *w);

/* `name` formatted printf-style. When the file lacks the tensor: NULL, the
 * context's error names it, and the graph's status turns to failure. */
const gs_tensor *gs_weights_matrix(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A torch Conv2d weight [O, C, k, k], stored taps-major [O, k, k, C] where
 * the device takes the implicit-GEMM conv (gs_conv2d_taps_major), as is
 * elsewhere; gs_graph_conv2d takes either. */
const gs_tensor *gs_weights_conv(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A torch Linear weight [out, in] (or Conv1d weight [out, in, K], seen as
 * [out, in·K]), stored transposed as [in, out] so that matmul reads it
 * row-major (the fast path). */
const gs_tensor *gs_weights_linear(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const gs_tensor *gs_weights_vector(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* gs_weights_linear and gs_weights_vector with the out features padded with
 * zeros to a multiple of GS_WEIGHTS_PAD: matmul's fast kernels need N % 4 ==
 * 0 (a 513-wide vocoder head ran 9× slower than a 512-wide one on lavapipe).
 * The caller crops the product's extra columns. */
#define GS_WEIGHTS_PAD 4
const gs_tensor *gs_weights_linear_padded(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const gs_tensor *gs_weights_vector_padded(gs_weights *w, gs_graph *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when the file has the tensor (optional layers such as skip convs). */
bool gs_weights_has(gs_weights *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Called after each weight's upload with its size in the file; returning
 * false cancels (the load fails with GS_ERR_CANCELLED). NULL to stop. */
void gs_weights_set_upload_callback(gs_weights *w, bool (*callback)(uint64_t bytes, void *user_data),
                                    void *user_data);
