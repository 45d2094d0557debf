/* The photographs the benchmarks use: openly licensed, shipped by Debian
 * packages (mate-backgrounds, plasma-workspace-wallpapers).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

typedef struct {
    const char *name, *path, *author;
} GsBenchPhoto;

#define GS_BENCH_PHOTO_COUNT 20
extern const GsBenchPhoto gs_bench_photos[GS_BENCH_PHOTO_COUNT];
