/* Opening a diffusion model from any layout it comes in: the project's own
 * files (genstudio.config metadata), single-file SD checkpoints and
 * diffusers folders. The architecture is read from tensor names and shapes
 * (family constants are data in gs-sd-loader.c); every tensor the graphs
 * will ask for is checked, with its shape, before any weight is read.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gs-sd-config.h"
#include "gs-tensor-map.h"

typedef struct {
    gs_tensor_map *map;     /* canonical names; owns the files */
    gs_sd_config cfg;
    gs_model_info info;
    char *tokenizer_dir;    /* a diffusers folder's tokenizer/, else NULL */
} gs_sd_source;

/* Fills `out` (free with gs_sd_source_clear). `prediction` overrides what
 * the files say unless AUTO. On failure *error gets a malloc'd message. */
gs_status gs_sd_source_open(const char *path, gs_prediction prediction, gs_sd_source *out, char **error);
void gs_sd_source_clear(gs_sd_source *src);
