/* Forwards of the Stable-Diffusion-shaped model, recorded into a graph.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-graph.h"
#include "gs-sd-config.h"
#include "gs-weights.h"

#define GS_TEXT_PREFIX "cond_stage_model.transformer.text_model."
#define GS_UNET_PREFIX "model.diffusion_model."

/* ids [batch, text_tokens] → hidden state [batch, text_tokens, width] after
 * layer (layers − skip + 1), through the final LayerNorm; skip 1 = last.
 * The token embedding is gathered on the host from the mapped file: a table
 * lookup, no arithmetic. */
gs_tensor *gs_text_encoder_forward(gs_graph *g, gs_weights *w, const gs_sd_config *cfg, const int32_t *ids,
                                   int batch, int skip);

/* x [B,C,H,W], t [B] (timesteps as floats), context [B,L,context_dim] →
 * the model's prediction, shaped like x. */
gs_tensor *gs_unet_forward(gs_graph *g, gs_weights *w, const gs_sd_config *cfg, const gs_tensor *x,
                           const gs_tensor *t, const gs_tensor *context);
