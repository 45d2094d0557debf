/* The SD loader's parts (gs-sd-loader.c: families and the entry point;
 * gs-sd-layouts.c: refusals, single-file and diffusers names; gs-sd-checks.c:
 * the architecture from shapes and every tensor's presence and shape).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-sd-loader.h"
#include "gs-sd-model.h"

#define TEXT GS_TEXT_PREFIX
#define UNET GS_UNET_PREFIX
#define VAE GS_VAE_PREFIX


/* Numbers from a diffusers config that shapes cannot tell. */
typedef struct {
    int unet_heads[GS_SD_MAX_LEVELS]; /* 0 = the family's rule */
    int unet_num_heads, unet_head_channels; /* downsized files: the rule they follow */
    int text_heads;
    int text_quick_gelu;              /* -1 unknown */
    gs_prediction prediction;
    bool turbo;
} side_info;

gs_status gs_sd_refuse_pickle(const char *path, char **error);
bool gs_sd_looks_like_pickle(const char *path);
bool gs_sd_any_name(const gs_safetensors *st, const char *needle);
/* SDXL, SD 3, Flux, LoRA-only files: GS_ERR_UNSUPPORTED naming them. */
gs_status gs_sd_refuse_known_kinds(const gs_safetensors *st, const char *path, char **error);
/* Canonical names for a single file's tensors (OpenCLIP's split by rows). */
void gs_sd_map_single_file(gs_tensor_map *m, const gs_safetensors *st);
/* Opens a diffusers folder's parts into `m` under canonical names, reads
 * what its config files say into `side`, finds its tokenizer/. */
gs_status gs_sd_map_diffusers(gs_tensor_map *m, const char *dir, char **tokenizer_dir, side_info *side, char **error);

gs_status gs_sd_detect_unet(const gs_tensor_map *m, gs_sd_config *c, char **error);
gs_status gs_sd_detect_text(const gs_tensor_map *m, gs_sd_config *c, char **error);
/* Every tensor the UNet, text encoder and VAE graphs read, with its shape;
 * fills the VAE's part of `c`. */
gs_status gs_sd_check_tensors(const gs_tensor_map *m, gs_sd_config *c, const char *path, char **error);
