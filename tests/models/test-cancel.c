/* Cancel at every step: an image (emoji32) cancelled after each of its
 * steps, a speech take after each of its sentences, a music render before
 * each of its parts. Each ends in GS_ERR_CANCELLED (G_IO_ERROR_CANCELLED
 * for music) with the device memory back where it was, and the next run
 * completes. Leaks beyond device memory are the sanitizer build's to find.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include <gio/gio.h>

#include "gs-arranger.h"
#include "gs-music-render.h"
#include "gs-test.h"

typedef struct {
    int stop_at, seen;
} Stop;

static bool
stop_image(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    Stop *s = user_data;
    s->seen++;
    return step < s->stop_at;
}

static bool
stop_speech(const gs_speech_chunk *chunk, void *user_data)
{
    Stop *s = user_data;
    return ++s->seen < s->stop_at;
}

static gboolean
stop_music(int part, gpointer user_data)
{
    Stop *s = user_data;
    s->seen++;
    return part < s->stop_at;
}

static uint64_t
device_bytes(gs_context *ctx)
{
    uint64_t now = 0;
    gs_context_memory_stats(ctx, &now, NULL);
    return now;
}

static void
test_image(gs_context *ctx)
{
    gs_diffusion *model = NULL;
    GS_CHECK_OK(ctx, gs_diffusion_load(ctx, GS_MODEL_PATH, &model));
    if (!model)
        return;
    float *rgb = malloc((size_t)gs_diffusion_width(model) * gs_diffusion_height(model) * 3 * sizeof *rgb);
    gs_image_params p = gs_image_default_params();
    p.prompt = "red apple";
    p.steps = 6;
    GS_CHECK_OK(ctx, gs_diffusion_generate(model, &p, rgb)); /* weights and plans in place */
    uint64_t before = device_bytes(ctx);
    for (int k = 1; k <= p.steps; k++) {
        Stop stop = { k, 0 };
        p.callback = stop_image;
        p.user_data = &stop;
        gs_status st = gs_diffusion_generate(model, &p, rgb);
        /* After the last step there is nothing left to cancel: either answer. */
        GS_CHECK((st == GS_ERR_CANCELLED || (k == p.steps && st == GS_OK)) && stop.seen == k);
        GS_CHECK(device_bytes(ctx) == before);
    }
    printf("image: cancelled after each of %d steps\n", p.steps);
    p.callback = NULL;
    GS_CHECK_OK(ctx, gs_diffusion_generate(model, &p, rgb));
    free(rgb);
    gs_diffusion_free(model);
}

static void
test_speech(gs_context *ctx)
{
    gs_speech *m = NULL;
    GS_CHECK_OK(ctx, gs_speech_load(ctx, GS_SPEECH_MODEL_PATH, &m));
    if (!m)
        return;
    const char *text = "One. Two. Three. Four.";
    gs_speech_params p = gs_speech_default_params();
    p.vocoder = GS_VOCODER_GRIFFIN_LIM;
    Stop all = { 1000, 0 };
    GS_CHECK_OK(ctx, gs_speech_synthesize(m, text, &p, stop_speech, &all));
    uint64_t before = device_bytes(ctx);
    for (int k = 1; k < all.seen; k++) {
        Stop stop = { k, 0 };
        GS_CHECK(gs_speech_synthesize(m, text, &p, stop_speech, &stop) == GS_ERR_CANCELLED && stop.seen == k);
        GS_CHECK(device_bytes(ctx) == before);
    }
    printf("speech: cancelled after each of %d sentences\n", all.seen - 1);
    Stop again = { 1000, 0 };
    GS_CHECK_OK(ctx, gs_speech_synthesize(m, text, &p, stop_speech, &again));
    GS_CHECK(again.seen == all.seen);
    gs_speech_free(m);
}

static void
test_music(void)
{
    g_autofree char *soundfont = gs_music_find_soundfont(NULL);
    if (!soundfont) {
        printf("music: skipped, no soundfont\n");
        return;
    }
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse("calm bossa nova, 100 bpm, 10 seconds", NULL);
    g_autoptr(GsArrangement) arrangement = gs_arrangement_new(prompt, 7);
    for (int k = 0; k < GS_MUSIC_PART_COUNT; k++) {
        Stop stop = { k, 0 };
        g_autoptr(GError) error = NULL;
        g_autoptr(GsMusicAudio) audio = gs_music_render(arrangement, soundfont, stop_music, &stop, &error);
        GS_CHECK(!audio && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && stop.seen == k + 1);
    }
    printf("music: cancelled before each of %d parts\n", GS_MUSIC_PART_COUNT);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicAudio) audio = gs_music_render(arrangement, soundfont, NULL, NULL, &error);
    GS_CHECK(audio != NULL);
}

int
main(void)
{
    gs_context *ctx = gs_test_context();
    test_image(ctx);
    test_speech(ctx);
    test_music();
    gs_context_free(ctx);
    printf("%d failures\n", gs_test_failures);
    return gs_test_failures != 0;
}
