/* AUTOMATIC1111's `parameters` text: parsed, written back, parsed again;
 * whatever parses once must survive its own round trip.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include <glib.h>

#include "fuzz-support.h"
#include "gs-image-params.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    GsImageParams p;
    gs_image_params_init(&p);
    g_autoptr(GError) error = NULL;
    if (gs_image_params_parse(text, &p, &error)) {
        g_autofree char *again = gs_image_params_to_text(&p);
        GsImageParams q;
        gs_image_params_init(&q);
        g_autoptr(GError) again_error = NULL;
        if (!gs_image_params_parse(again, &q, &again_error))
            abort(); /* its own output must parse */
        gs_image_params_clear(&q);
    }
    gs_image_params_clear(&p);
    free(text);
    return 0;
}
