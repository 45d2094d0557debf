/* The ldm AutoencoderKL of Stable Diffusion (1.x and 2.x share it): the
 * encoder (RGB → latent mean) and the decoder (latent → RGB), from engine
 * ops, reading the canonical weights under "first_stage_model.".
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-graph.h"
#include "gs-weights.h"

#define GS_VAE_PREFIX "first_stage_model."
#define GS_VAE_MAX_LEVELS 4

typedef struct {
    int ch;                        /* base channels: 128 in SD */
    int mult[GS_VAE_MAX_LEVELS];   /* channels of level i = ch · mult[i]: 1, 2, 4, 4 in SD */
    int levels;                    /* resolutions; the image is 2^(levels−1) × the latent */
    int num_res_blocks;            /* per encoder level; the decoder has one more */
    int z_channels;                /* latent channels: 4 (the encoder makes 2·z: mean, log-variance) */
    int in_channels;               /* image channels: 3 */
    int groups;                    /* GroupNorm groups: 32 */
    float eps;                     /* GroupNorm epsilon: 1e-6 */
    float scale_factor;            /* latent = scale_factor · encoder mean: 0.18215 */
    bool has_encoder, has_decoder;
    /* Floats in the mid-block attention's score buffer (its queries go
     * through in blocks of rows that fit); 0 = 4 Mi (16 MiB). */
    int64_t max_scores;
} gs_vae_config;

/* Fills `cfg` from the shapes and names of the weights present (conv_in,
 * conv_out and level/block names probed); groups, eps and scale_factor are
 * SD's (they are not in the weights). GS_ERR_FORMAT with a message in the
 * context when there is no VAE or its parts disagree. */
gs_status gs_vae_config_from_weights(gs_context *ctx, gs_weights *w, gs_vae_config *cfg);

/* The image is this many times the latent in each dimension: 8 for SD. */
int gs_vae_factor(const gs_vae_config *cfg);

/* z [N, z_channels, h, w], already divided by the scale factor → RGB
 * [N, in_channels, f·h, f·w] in about [-1, 1] (f = gs_vae_factor).
 * Records into `g` and flushes it (gs_graph_flush) after every block, so
 * that only one block's activations are alive at a time: anything the
 * caller recorded before is submitted, and its temporaries freed, then.
 * The result is tracked by `g` (gs_graph_keep it to own it); NULL once
 * g's status is a failure. */
gs_tensor *gs_vae_decode(gs_graph *g, gs_weights *w, const gs_vae_config *cfg, const gs_tensor *z);
/* RGB [N, in_channels, H, W] in [-1, 1], H and W multiples of f → the
 * latent distribution's mean [N, z_channels, H/f, W/f] (multiply by the
 * scale factor for the diffusion model). Flushes as gs_vae_decode. */
gs_tensor *gs_vae_encode(gs_graph *g, gs_weights *w, const gs_vae_config *cfg, const gs_tensor *rgb);

/* Decode and encode over host buffers, for images of any size in bounded
 * device memory. Three ways, chosen by `tiling`:
 * - an image whose biggest feature map fits in band_elements floats (4 Mi
 *   when 0) runs whole, as one graph;
 * - a bigger one runs layer by layer over whole-image feature maps kept in
 *   host memory, each layer in bands of rows of at most band_elements
 *   floats per device tensor (1 Mi when 0; a band reads the rows its
 *   kernels need above and below). GroupNorm statistics are taken over the
 *   whole map and the mid-block attention sees every position, so the
 *   result is the whole-image result but for the maps' storage in fp16
 *   between layers (fp32_maps keeps them fp32; a map beyond fp16's range
 *   makes the pass run again in fp32). Host memory: at most one and a half
 *   of the biggest map (SD's is 256 channels at full resolution: 128 MiB in
 *   fp16 at 512²);
 * - with tile > 0, independent overlapping tiles of `tile` latent pixels,
 *   each its own graph, blended with linear ramps across the overlaps:
 *   memory bounded by the tile whatever the image size, but each tile
 *   normalises with its own statistics and attends only to itself, so the
 *   result departs from the whole-image one (smoothly: no seams). */
typedef struct {
    int64_t band_elements; /* 0 = 1 Mi (4 MiB per device tensor); whole up to 4 Mi */
    int tile;              /* latent pixels per tile side; 0 = no tiles */
    int overlap;           /* latent pixels shared by neighbouring tiles; 0 = 16 */
    bool fp32_maps;        /* bands: keep the host maps in fp32 (twice the memory) */
    /* After each tile or layer; return false to cancel (GS_ERR_CANCELLED). */
    bool (*progress)(int done, int total, void *user_data);
    void *user_data;
} gs_vae_tiling;

/* z [z_channels, h, w] (divided by the scale factor) → rgb [in_channels,
 * f·h, f·w], planar floats. tiling may be NULL (defaults). */
gs_status gs_vae_decode_tiled(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, const float *z, int h,
                              int width, const gs_vae_tiling *tiling, float *rgb);
/* rgb [in_channels, height, width] in [-1, 1], planar, sizes multiples of
 * f → mean [z_channels, height/f, width/f]. */
gs_status gs_vae_encode_tiled(gs_context *ctx, gs_weights *w, const gs_vae_config *cfg, const float *rgb, int height,
                              int width, const gs_vae_tiling *tiling, float *mean);
