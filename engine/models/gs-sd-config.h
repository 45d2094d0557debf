/* The shape of a Stable-Diffusion-style model (text encoder + UNet + noise
 * schedule), read from the safetensors metadata "genstudio.config".
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "genstudio-engine.h"

#define GS_SD_MAX_LEVELS 4

typedef struct {
    /* UNet, ldm naming: model.diffusion_model.* */
    int image_size, in_channels, out_channels;
    int model_channels, levels, num_res_blocks;
    int channel_mult[GS_SD_MAX_LEVELS];
    bool attention[GS_SD_MAX_LEVELS]; /* spatial transformer at this level */
    int head_channels, context_dim, norm_groups;
    float resnet_eps, transformer_norm_eps, layer_norm_eps;

    /* Text encoder, CLIP naming: cond_stage_model.transformer.text_model.* */
    int text_width, text_layers, text_heads, text_tokens, vocab_size;
    float text_eps;

    /* DDPM training schedule. */
    int train_timesteps;
    float beta_start, beta_end;
    bool scaled_linear; /* betas linear in sqrt space, as SD; else linear */
    /* The UNet predicts v = √ᾱ·ε − √(1−ᾱ)·x0 (SD 2.x "-v" models, ldm
     * parameterization "v"); else ε. */
    bool v_prediction;
    /* Clamp each step's clean-image prediction to [-1, 1] (pixel-space
     * models, as DDPM); optional, false for latent models such as SD. */
    bool clip_denoised;
} gs_sd_config;

/* Fills `config` from the metadata JSON; GS_ERR_FORMAT with a message in
 * the context when a field is missing or out of range. */
gs_status gs_sd_config_parse(gs_context *ctx, const char *json, gs_sd_config *config);
