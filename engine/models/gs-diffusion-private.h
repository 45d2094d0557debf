/* Inside the engine (and its tests): the diffusion model's parts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-clip-tokenizer.h"
#include "gs-sd-loader.h"
#include "gs-sd-model.h"
#include "gs-tokenizer.h"
#include "sampling/gs-schedule.h"

struct gs_diffusion {
    gs_context *ctx;
    gs_sd_source src;
    const gs_sd_config *cfg; /* &src.cfg */
    gs_weights *weights;
    gs_tokenizer *words;         /* the project's own models */
    gs_clip_tokenizer *bpe;      /* SD */
    int pad_id;
    gs_schedule schedule;
    gs_stream *stream;
    double unet_gflop;
    int unet_dispatches, unet_barriers; /* recorded by the last UNet call */
};

/* gs_diffusion_generate with the initial noise given (C×h×w at the model's
 * working resolution, unit normal) instead of drawn from the seed; the seed
 * still drives ancestral noise. */
gs_status gs_diffusion_generate_from_noise(gs_diffusion *m, const gs_image_params *p, const float *initial_noise,
                                           float *rgb);

/* The same with the conditioning given ([uncond, cond] with guidance, else
 * [cond]; see gs_diffusion_encode_prompts). */
gs_status gs_diffusion_generate_with_context(gs_diffusion *m, const gs_image_params *p, const float *initial_noise,
                                             const gs_tensor *context, float *rgb);

/* Conditioning for a batch of prompts: [count, 77·chunks, width] on the
 * device, every prompt padded to the same number of 77-token chunks. For
 * SD the A1111 prompt syntax applies (weights, BREAK, 75-token chunks). */
gs_status gs_diffusion_encode_prompts(gs_diffusion *m, const char *const *prompts, int count, int clip_skip,
                                      gs_tensor **out);

/* One UNet call: x [B,C,h,w] host floats → out (same size, or the UNet's
 * output channels); t per batch item. */
gs_status gs_diffusion_unet(gs_diffusion *m, const float *x, const float *t, int batch, int channels, int h, int w,
                            const gs_tensor *context, float *out);

/* Latent models: RGB H×W×3 in [0,1] ↔ latents C×(H/8)×(W/8) (scaled by the
 * family's factor), through the VAE in tiles. */
gs_status gs_diffusion_decode(gs_diffusion *m, const float *latent, int h, int w, float *rgb);
gs_status gs_diffusion_encode(gs_diffusion *m, const float *rgb, int height, int width, float *latent);
/* A cheap look at a latent (a fixed 4 → 3 projection), H×W×3 in [0,1]. */
void gs_diffusion_preview(const gs_diffusion *m, const float *latent, int h, int w, float scale, float *rgb,
                          int height, int width);
