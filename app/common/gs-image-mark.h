/* The invisible image watermark: 48 bits (gs-mark-code.h) spread over a
 * 64×64 grid of smooth chips laid in the image's normalized coordinates, so
 * resizing leaves them in place, added to luma with a strength that follows
 * local texture. See README.md, "Provenance". Plain C.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdbool.h>

#include "gs-mark-code.h"

/* Smaller images are marked in their metadata only. */
#define GS_IMAGE_MARK_MIN_SIDE 256
/* The embedder spends this much of the distortion budget (the issue asks
 * for PSNR ≥ 38 dB). */
#define GS_IMAGE_MARK_TARGET_PSNR 38.4

/* Marks `rgb` (H×W×3 floats in [0,1]) in place and leaves it on the 8-bit
 * grid; *psnr (may be NULL) gets the PSNR in dB against the input rounded to
 * that grid. False, and `rgb` untouched, when a side is under
 * GS_IMAGE_MARK_MIN_SIDE. */
bool gs_image_mark_embed(float *rgb, int width, int height, const GsMarkPayload *payload, double *psnr);

typedef struct {
    bool found;         /* score ≥ GS_IMAGE_MARK_THRESHOLD */
    bool payload_valid; /* the 48 bits passed their CRC */
    GsMarkPayload payload;
    double score;       /* pilot correlation as a z-score, the best over the crop search */
    /* The part of the original image the input seems to be: x, y, width,
     * height as fractions. */
    double window[4];
} GsImageMarkResult;

/* Over the best of the crop hypotheses the z-score of an unmarked image
 * stays under this (README.md: the false-positive run on photos). */
#define GS_IMAGE_MARK_THRESHOLD 6.0

/* Any size ≥ 32 px a side; smaller inputs are reported as not found. */
void gs_image_mark_detect(const float *rgb, int width, int height, GsImageMarkResult *result);
