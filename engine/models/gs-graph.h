/* Building model forwards from engine ops: each helper allocates its output,
 * records the op into the graph's stream, and remembers the temporary so one
 * call frees them all after the submit. The first failure sticks: later
 * calls do nothing and return NULL, so a forward reads as straight-line code
 * with one status check at the end.
 *
 * Activation memory is planned when the forward is recorded in a
 * gs_graph_pass loop:
 *
 *   gs_graph g;
 *   gs_graph_init(&g, ctx, stream);
 *   while (gs_graph_pass(&g)) {
 *       x = gs_graph_tensor(&g, ...);  gs_tensor_upload(x, ...);
 *       out = gs_unet_forward(&g, ...);
 *       if (out)
 *           gs_graph_keep(&g, out);
 *   }
 *   st = gs_graph_finish(&g);           // then download `out`, free it
 *
 * Every temporary then lives in one arena, at an offset planned from the
 * temporaries' lifetimes (creation to last dispatch that touches it), so
 * memory is reused across ops within the one command buffer. The stream's
 * hazard tracking makes that safe (see gs-stream.c). The plan comes from
 * recording the forward once without memory or dispatches; it is kept with
 * the stream and reused while the forward records the same temporaries and
 * dispatches (a UNet called 20–40 times per image records once per call);
 * when it does not (new shapes), that pass is dropped before it runs and
 * the body runs again on a new plan. So the loop body:
 * - may run two or three times: it must record the same thing each time
 *   and change nothing outside the graph that a second run would see (no
 *   device-side initialisation done once and cached);
 * - records everything, keeps its outputs, and reads nothing back: results
 *   are there only after gs_graph_finish;
 * - assigns its outputs on every run (outputs kept in a dropped run are
 *   freed by the graph);
 * - may upload into temporaries (those are never shared with temporaries
 *   that died earlier in the step, as the upload happens at once).
 * Views (gs_graph_reshape, gs_tensor_view) share their parent's lifetime;
 * kept temporaries get memory of their own. Without the loop (or with
 * GS_GRAPH_PLANNING=0) a graph keeps every temporary until the submit.
 *
 * Why a planning pass rather than reference counts with explicit releases:
 * model code stays straight-line and unchanged (no release calls to forget
 * or to get wrong in five models), the plan is exact (it knows each
 * temporary's last reader), and placing by lifetime with the largest
 * temporaries first packs better than freeing into a free list online.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "genstudio-engine.h"

typedef struct gs_graph_planner gs_graph_planner;

typedef struct {
    gs_context *ctx;
    gs_stream *stream;
    gs_status status;
    gs_tensor **temps;
    int temp_count, temp_capacity;
    double flops; /* multiply-adds ×2 of the matmuls, convolutions and attentions recorded */
    /* Bytes of the temporaries made (each rounded up to the allocator's
     * alignment; kept ones too); after a planned pass, the arena that held
     * them (0 when unplanned) and the most bytes that were alive at once
     * (no arena can be smaller). */
    uint64_t temporary_bytes, arena_bytes, live_bound;
    /* Set after gs_graph_init: the loop records one pass without memory or
     * dispatches, only to learn the figures above. */
    bool dry_run;
    int pass;
    gs_graph_planner *planner;
} gs_graph;

void gs_graph_init(gs_graph *g, gs_context *ctx, gs_stream *stream);
/* Starts the next recording pass of a planned graph (see above); false when
 * the last pass is recorded, or after a failure. */
bool gs_graph_pass(gs_graph *g);
/* Submits what was recorded, frees every temporary, returns the first failure. */
gs_status gs_graph_finish(gs_graph *g);
/* Frees temporaries without submitting (after a failure). */
void gs_graph_clear(gs_graph *g);

gs_tensor *gs_graph_tensor(gs_graph *g, int ndim, const int64_t *shape);
gs_tensor *gs_graph_reshape(gs_graph *g, gs_tensor *x, int ndim, const int64_t *shape);
/* A contiguous window of x, `offset` elements in (gs_tensor_view), tracked. */
gs_tensor *gs_graph_view(gs_graph *g, const gs_tensor *x, int64_t offset, int ndim, const int64_t *shape);
/* Stops tracking `t`: the caller owns it from now on. */
gs_tensor *gs_graph_keep(gs_graph *g, gs_tensor *t);
/* Records a failure that did not come from an op (a missing weight, say). */
void gs_graph_fail(gs_graph *g, gs_status status);
/* Submits what was recorded so far and frees every temporary but `keep`,
 * which stays tracked: a forward whose activations would not all fit at
 * once calls it between stages. Returns `keep`, or NULL after a failure. */
gs_tensor *gs_graph_flush(gs_graph *g, gs_tensor *keep);

/* x [..., in] · w [in, out] + b: w as gs_weights_linear stores it. */
gs_tensor *gs_graph_linear(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b);
/* w [O,C,k,k] as torch stores it, or taps-major [O,k,k,C] as gs_weights_conv
 * stores it where the device takes the implicit GEMM (which it then does). */
gs_tensor *gs_graph_conv2d(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b, int stride,
                           int padding);
/* Stride-1 conv1d on token-major x [N,L,C] → [N,Lo,O], as unfold + one
 * matmul: w is the Conv1d weight as gs_weights_linear stores it ([C·K, O]). */
/* conv2d(group_norm(x)) with stride 1, plus image_bias [N, O] (or NULL) per
 * image and output channel; where w is taps-major, the norm writes the
 * implicit GEMM's padded channels-last input directly and the GEMM adds
 * image_bias. */
gs_tensor *gs_graph_group_norm_conv2d(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                                      int groups, float eps, bool silu, const gs_tensor *w, const gs_tensor *b,
                                      const gs_tensor *image_bias, int padding);
gs_tensor *gs_graph_conv1d_tokens(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b,
                                  int kernel, int padding, int dilation);
gs_tensor *gs_graph_exp(gs_graph *g, const gs_tensor *x);
gs_tensor *gs_graph_group_norm(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                               int groups, float eps, bool silu);
gs_tensor *gs_graph_layer_norm(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                               float eps);
gs_tensor *gs_graph_layer_norm_gelu(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                                    float eps);
gs_tensor *gs_graph_attention(gs_graph *g, const gs_tensor *q, const gs_tensor *k, const gs_tensor *v, int heads,
                              bool causal);
gs_tensor *gs_graph_gelu(gs_graph *g, const gs_tensor *x);
gs_tensor *gs_graph_silu(gs_graph *g, const gs_tensor *x);
gs_tensor *gs_graph_relu(gs_graph *g, const gs_tensor *x);
gs_tensor *gs_graph_geglu(gs_graph *g, const gs_tensor *x);
gs_tensor *gs_graph_quick_gelu(gs_graph *g, const gs_tensor *x);
gs_tensor *gs_graph_softmax(gs_graph *g, const gs_tensor *x);
/* a [..., K] · b [K, N] (or b [N, K] with transpose_b): b is any 2-D tensor,
 * an activation as well as a weight. */
gs_tensor *gs_graph_matmul(gs_graph *g, const gs_tensor *a, const gs_tensor *b, bool transpose_b);
/* x · factor (a one-element tensor uploaded now, broadcast by mul). */
gs_tensor *gs_graph_scale(gs_graph *g, const gs_tensor *x, float factor);
gs_tensor *gs_graph_pad2d(gs_graph *g, const gs_tensor *x, int top, int bottom, int left, int right);
gs_tensor *gs_graph_add(gs_graph *g, const gs_tensor *a, const gs_tensor *b);
gs_tensor *gs_graph_mul(gs_graph *g, const gs_tensor *a, const gs_tensor *b);
/* a += b in place (b broadcast over a). */
void gs_graph_add_into(gs_graph *g, gs_tensor *a, const gs_tensor *b);
gs_tensor *gs_graph_concat(gs_graph *g, const gs_tensor *a, const gs_tensor *b, int dim);
gs_tensor *gs_graph_transpose(gs_graph *g, const gs_tensor *x);
gs_tensor *gs_graph_upsample2x(gs_graph *g, const gs_tensor *x);
/* [N,C·r²,H,W] → [N,C,H·r,W·r] (gs_op_depth_to_space). */
gs_tensor *gs_graph_depth_to_space(gs_graph *g, const gs_tensor *x, int block);
gs_tensor *gs_graph_timestep_embedding(gs_graph *g, const gs_tensor *t, int dim);
