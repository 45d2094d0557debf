/* ESRGAN (RDN) upscalers from tools/esrgan/convert.py's safetensors: the
 * graph from the file's metadata, built from engine ops, run in tiles.
 * The public API is gs_upscaler_* in genstudio-engine.h; this header is for
 * the tests.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "genstudio-engine.h"

/* Pixels of edge replication added on every side before the network runs
 * (and cropped from its output); tools/esrgan/convert.py's reference pads
 * the same and records it in the fixtures as edge_pad. */
#define GS_UPSCALER_EDGE_PAD 8

/* Runs one tile of the network: in [3, h, w] RGB in 0..1, planar, → out
 * [3, s·h, s·w] (clamped to 0..1), no tiling: what every tile runs. */
gs_status gs_upscaler_run_tile(gs_upscaler *up, const float *planar_in, int w, int h, float *planar_out);
