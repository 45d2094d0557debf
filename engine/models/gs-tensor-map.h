/* Canonical tensor names → tensors in one or more safetensors files.
 * Checkpoints come in several layouts (single file, diffusers folder,
 * OpenCLIP's fused attention projections); the loader maps each onto the
 * names the graph code uses, so graphs never see a layout. An entry may be a
 * run of rows (along dim 0) of a file tensor: q, k and v are row thirds of
 * OpenCLIP's in_proj_weight.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "genstudio-engine.h"

#define GS_TENSOR_MAP_MAX_DIMS 8

typedef struct {
    const gs_safetensors *file;
    int index;
    int64_t first_row, rows; /* rows of dim 0 */
    int ndim;
    int64_t shape[GS_TENSOR_MAP_MAX_DIMS]; /* of the entry (dim 0 = rows) */
} gs_tensor_ref;

typedef struct gs_tensor_map gs_tensor_map;

gs_tensor_map *gs_tensor_map_new(void);
void gs_tensor_map_free(gs_tensor_map *m);
/* The map closes `file` when freed. */
void gs_tensor_map_own(gs_tensor_map *m, gs_safetensors *file);
/* `name` → all of file tensor `index`. */
void gs_tensor_map_add(gs_tensor_map *m, const char *name, const gs_safetensors *file, int index);
/* `name` → rows [first, first + rows) of file tensor `index`. */
void gs_tensor_map_add_rows(gs_tensor_map *m, const char *name, const gs_safetensors *file, int index,
                            int64_t first, int64_t rows);
/* Every tensor of `file` under its own name with `prefix` prepended. */
void gs_tensor_map_add_file(gs_tensor_map *m, const gs_safetensors *file, const char *prefix);

const gs_tensor_ref *gs_tensor_map_find(const gs_tensor_map *m, const char *name);
bool gs_tensor_map_has(const gs_tensor_map *m, const char *name);
/* Dim d of the entry, -1 when absent; ndim, 0 when absent. */
int64_t gs_tensor_map_dim(const gs_tensor_map *m, const char *name, int d);
int gs_tensor_map_ndim(const gs_tensor_map *m, const char *name);
int64_t gs_tensor_ref_numel(const gs_tensor_ref *r);
/* The entry's elements as floats (f32, f16 or bf16 in the file). */
gs_status gs_tensor_ref_read(const gs_tensor_ref *r, float *dst);
/* The entry's halves as the file stores them when it holds f16, else NULL
 * (in the file's memory: not necessarily 2-byte aligned). */
const void *gs_tensor_ref_halves(const gs_tensor_ref *r);
/* A file's __metadata__ value from any file of the map, or NULL. */
const char *gs_tensor_map_metadata(const gs_tensor_map *m, const char *key);
/* Names in insertion order (for listing what a file lacks). */
int gs_tensor_map_count(const gs_tensor_map *m);
