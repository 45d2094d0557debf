/* The .gsvoice reader (app/voice/gs-voice.c): a cloned voice someone
 * shared. What loads is saved again and must load the same.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <glib.h>

#include "fuzz-support.h"
#include "gs-voice.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".gsvoice");
    if (!path)
        return 0;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsVoice) voice = gs_voice_load(path, &error);
    if (!voice && !error)
        __builtin_trap(); /* every refusal says why */
    if (!voice)
        return 0;
    g_autofree char *again = g_strconcat(path, ".again", NULL);
    g_autoptr(GsVoice) back = gs_voice_save(voice, again, &error) ? gs_voice_load(again, &error) : NULL;
    if (!back || strcmp(back->name, voice->name) != 0 ||
        g_strv_length(back->model_voices) != g_strv_length(voice->model_voices))
        __builtin_trap(); /* a voice that loads survives a save */
    g_free(gs_voice_describe_consent(voice));
    return 0;
}
