/* The parameters of one generated image, and their text form in a PNG's
 * `parameters` chunk, as AUTOMATIC1111's web UI writes it:
 *
 *   red apple
 *   Negative prompt: blurry
 *   Steps: 20, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 32x32, Model: emoji32
 *
 * then, when set, "Variation seed: N, Variation seed strength: S",
 * "Clip skip: N" (A1111's names) and "Prediction: v" (ours: SD 2 v-models
 * cannot be told from their weights), and last one "Upscale: 4x ESRGAN-slim"
 * per ESRGAN pass the image went through (Size stays the generated size).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "genstudio-engine.h"

typedef struct {
    char *prompt;
    char *negative_prompt;
    int steps;
    double cfg_scale;
    guint64 seed;
    gs_sampler sampler;
    gboolean karras;
    int width, height;
    char *model;          /* model name (file name without extension) */
    double strength;      /* img2img only; 0 when none */
    guint64 variation_seed;
    double variation_strength; /* 0 = no variation seed */
    int clip_skip;        /* 0 = the model's default */
    gs_prediction prediction; /* AUTO = what the model file says */
    char *upscale;        /* "Upscale: 4x ESRGAN-slim[, Upscale: …]", or NULL */
} GsImageParams;

void gs_image_params_init(GsImageParams *p);
void gs_image_params_clear(GsImageParams *p);
/* A deep copy into `dst` (not initialised before). */
void gs_image_params_copy(const GsImageParams *src, GsImageParams *dst);
/* Clears and frees a heap-allocated GsImageParams. */
void gs_image_params_free(GsImageParams *p);
char *gs_image_params_to_text(const GsImageParams *p);
/* Fills what the text carries; FALSE with an error when it is not in the format. */
gboolean gs_image_params_parse(const char *text, GsImageParams *p, GError **error);

/* "Upscale: 4x ESRGAN-slim": what one ESRGAN pass of `variant` adds. */
char *gs_upscale_entry(int scale, const char *variant);
/* Records an upscale pass (an entry from gs_upscale_entry) in `p`. */
void gs_image_params_add_upscale(GsImageParams *p, const char *entry);
/* Appends ", `entry`" to the settings line (the last line) of a parameters
 * text; a text with no settings line gets `entry` as a new line. NULL when
 * `parameters` is empty. */
char *gs_parameters_append_entry(const char *parameters, const char *entry);
