/* The shape of a Stable-Diffusion-style model (text encoder + UNet + noise
 * schedule), read from the safetensors metadata "genstudio.config".
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "genstudio-engine.h"
#include "gs-vae.h"

#define GS_SD_MAX_LEVELS 4

typedef struct {
    /* UNet, ldm naming: model.diffusion_model.* */
    int image_size, in_channels, out_channels;
    int model_channels, levels, num_res_blocks;
    int channel_mult[GS_SD_MAX_LEVELS];
    bool attention[GS_SD_MAX_LEVELS]; /* spatial transformer at this level */
    int head_channels, context_dim, norm_groups;
    /* Attention heads per level (the middle block uses the last level's):
     * SD 1 fixes the count (8), SD 2 the width (64); filled either way. */
    int heads[GS_SD_MAX_LEVELS];
    bool linear_proj; /* proj_in/proj_out are Linear (SD 2), else 1×1 conv */
    float resnet_eps, transformer_norm_eps, layer_norm_eps;

    /* Text encoder, CLIP naming: cond_stage_model.transformer.text_model.* */
    int text_width, text_layers, text_heads, text_tokens, vocab_size;
    float text_eps;
    bool text_quick_gelu;  /* CLIP ViT-L's x·σ(1.702x); else exact GELU */
    int text_skip;         /* clip skip by default (1 = last layer, SD 2: 2), counted on the full encoder */
    int text_cut;          /* layers the file already dropped (diffusers SD 2 folders: 1) */
    bool bpe;              /* CLIP BPE tokenizer; else the project's word tokenizer */
    int pad_id;            /* BPE padding after EOS (SD 1: EOS, SD 2: 0) */

    /* Latent models (SD): a VAE named first_stage_model.*; pixel-space
     * models (emoji32) have none. */
    bool latent;
    int latent_channels;
    float latent_scale;    /* latents are VAE means × this */
    gs_vae_config vae;

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
