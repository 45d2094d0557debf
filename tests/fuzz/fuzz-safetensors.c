/* The safetensors header and tensor table (engine/io): open from memory,
 * then touch every name, shape, metadata value and tensor byte the reader
 * hands out, converting what it can to floats.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "genstudio-engine.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_safetensors *st = NULL;
    char *error = NULL;
    if (gs_safetensors_open_memory(data, size, "fuzz", &st, &error) != GS_OK) {
        if (!error || !*error)
            abort(); /* every refusal says why */
        free(error);
        return 0;
    }
    volatile size_t sink = 0;
    for (int i = 0; i < gs_safetensors_count(st); i++) {
        const char *name = gs_safetensors_name(st, i);
        sink += name[0];
        for (int d = 0; d < gs_safetensors_ndim(st, i); d++)
            sink += (size_t)gs_safetensors_dim(st, i, d);
        sink += gs_safetensors_dtype(st, i);
        int64_t n = gs_safetensors_numel(st, i);
        if (n > 0 && n <= 4096) {
            float *values = malloc((size_t)n * sizeof *values);
            if (gs_safetensors_read(st, i, values) == GS_OK)
                sink += values[n - 1] != 0;
            if (n > 2 && gs_safetensors_read_range(st, i, 1, n - 2, values) == GS_OK)
                sink += values[0] != 0;
            free(values);
        }
        if (gs_safetensors_find(st, name) < 0)
            abort(); /* a listed tensor is found by its name */
    }
    const char *config = gs_safetensors_metadata(st, "genstudio.config");
    sink += config ? (size_t)config[0] : 0;
    (void)sink;
    gs_safetensors_close(st);
    return 0;
}
