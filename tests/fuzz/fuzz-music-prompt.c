/* The music prompt parser (style, tempo, key, mood, length, instruments).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "fuzz-support.h"
#include "gs-music-prompt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, &error);
    if (!prompt && !error)
        abort();
    free(text);
    return 0;
}
