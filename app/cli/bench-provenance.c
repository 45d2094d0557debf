/* genstudio-cli bench provenance: how often the invisible watermarks are
 * found after everyday edits, and how often on things GenStudio did not
 * make. Images: 100 images of the default model (32², ESRGAN ×8 to 256²;
 * made once and kept unmarked in the cache folder), marked, then JPEG q75,
 * a 0.5× resize, a 10 % crop, brightness +10 % and all four chained; 100
 * crops of 20 photos for false positives. Audio: 20 s of our speech and
 * music, marked, through Opus 64 kb/s, MP3 128 kb/s, 16 kHz and +6 dB,
 * read from 5 s and from all of it; unmarked speech (ours, espeak-ng,
 * flite) and music for false positives.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "bench-photos.h"
#include "cli.h"
#include "gs-arranger.h"
#include "gs-audio-mark.h"
#include "gs-audio.h"
#include "gs-image-job.h"
#include "gs-image-mark.h"
#include "gs-music-prompt.h"
#include "gs-music-render.h"
#include "gs-png.h"
#include "gs-speech-job.h"
#include "gs-upscale.h"

#define IMAGES 100
#define CROPS_PER_PHOTO 5
#define CLIP_SECONDS 20
static const GsMarkPayload bench_payload = { GS_MARK_FORMAT_VERSION, 0x2b7, 0x600dcafe };

static const char *const prompts[] = {
    "red apple", "yellow banana", "green tree", "blue car", "smiling face", "red heart", "orange cat",
    "brown dog", "pink flower", "white cloud", "yellow sun", "black bird", "green frog", "purple grapes",
    "red rose", "blue fish", "orange carrot", "brown bear", "green leaf", "gray elephant",
};

/* ---- images ------------------------------------------------------------- */

typedef struct {
    float *rgb;
    int w, h;
} Picture;

static GdkPixbuf *
to_pixbuf(const Picture *p)
{
    GdkPixbuf *pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, p->w, p->h);
    int stride = gdk_pixbuf_get_rowstride(pixbuf);
    guchar *px = gdk_pixbuf_get_pixels(pixbuf);
    for (int y = 0; y < p->h; y++)
        for (int x = 0; x < p->w * 3; x++)
            px[y * stride + x] = (guchar)lrintf(CLAMP(p->rgb[(gsize)y * p->w * 3 + x], 0, 1) * 255);
    return pixbuf;
}

static Picture
from_pixbuf(GdkPixbuf *pixbuf)
{
    Picture p = { NULL, gdk_pixbuf_get_width(pixbuf), gdk_pixbuf_get_height(pixbuf) };
    int stride = gdk_pixbuf_get_rowstride(pixbuf), n = gdk_pixbuf_get_n_channels(pixbuf);
    const guchar *px = gdk_pixbuf_read_pixels(pixbuf);
    p.rgb = g_new(float, (gsize)p.w * p.h * 3);
    for (int y = 0; y < p.h; y++)
        for (int x = 0; x < p.w; x++)
            for (int c = 0; c < 3; c++)
                p.rgb[((gsize)y * p.w + x) * 3 + c] = px[(gsize)y * stride + x * n + c] / 255.0f;
    return p;
}

static Picture
jpeg75(const Picture *in, GRand *rand)
{
    g_autoptr(GdkPixbuf) pixbuf = to_pixbuf(in);
    g_autofree char *buffer = NULL;
    gsize size = 0;
    gdk_pixbuf_save_to_buffer(pixbuf, &buffer, &size, "jpeg", NULL, "quality", "75", NULL);
    g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new();
    gdk_pixbuf_loader_write(loader, (const guchar *)buffer, size, NULL);
    gdk_pixbuf_loader_close(loader, NULL);
    return from_pixbuf(gdk_pixbuf_loader_get_pixbuf(loader));
}

static Picture
half(const Picture *in, GRand *rand)
{
    g_autoptr(GdkPixbuf) pixbuf = to_pixbuf(in);
    g_autoptr(GdkPixbuf) small = gdk_pixbuf_scale_simple(pixbuf, in->w / 2, in->h / 2, GDK_INTERP_BILINEAR);
    return from_pixbuf(small);
}

/* 10 % off the width and the height, at a random place (19 % of the area). */
static Picture
crop10(const Picture *in, GRand *rand)
{
    Picture p = { NULL, in->w - in->w / 10, in->h - in->h / 10 };
    int x0 = g_rand_int_range(rand, 0, in->w - p.w + 1), y0 = g_rand_int_range(rand, 0, in->h - p.h + 1);
    p.rgb = g_new(float, (gsize)p.w * p.h * 3);
    for (int y = 0; y < p.h; y++)
        memcpy(p.rgb + (gsize)y * p.w * 3, in->rgb + ((gsize)(y + y0) * in->w + x0) * 3, sizeof(float) * p.w * 3);
    return p;
}

/* +10 % of full scale on every channel, clipped, on the 8-bit grid. */
static Picture
brighter(const Picture *in, GRand *rand)
{
    Picture p = { g_new(float, (gsize)in->w * in->h * 3), in->w, in->h };
    for (gsize i = 0; i < (gsize)in->w * in->h * 3; i++)
        p.rgb[i] = roundf(fminf(in->rgb[i] + 0.1f, 1.0f) * 255) / 255;
    return p;
}

static Picture
chained(const Picture *in, GRand *rand)
{
    Picture a = crop10(in, rand), b = half(&a, rand), c = brighter(&b, rand), d = jpeg75(&c, rand);
    g_free(a.rgb);
    g_free(b.rgb);
    g_free(c.rgb);
    return d;
}

static Picture
unchanged(const Picture *in, GRand *rand)
{
    return (Picture){ g_memdup2(in->rgb, sizeof(float) * in->w * in->h * 3), in->w, in->h };
}

static const struct {
    const char *name;
    Picture (*apply)(const Picture *in, GRand *rand);
} image_attacks[] = {
    { "none", unchanged },          { "JPEG q75", jpeg75 },        { "resize 0.5x", half },
    { "crop 10 %", crop10 },        { "brightness +10 %", brighter }, { "all chained", chained },
};
#define IMAGE_ATTACKS G_N_ELEMENTS(image_attacks)

/* Image i of the default model (prompt i % 20, seed i / 20 + 1), ×8 by
 * ESRGAN-slim: from the cache folder, or made now and kept there unmarked. */
static float *
generated_image(gs_context *ctx, gs_diffusion **model, const char *dir, int i, int *w, int *h, GError **error)
{
    g_autofree char *name = g_strdup_printf("img-%03d.png", i + 1);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return gs_png_load(path, w, h, error);
    g_autofree char *model_path = gs_default_model_path();
    if (!*model && !(*model = gs_load_diffusion(ctx, model_path, error)))
        return NULL;
    fprintf(stderr, "\rmaking image %d of %d (kept in %s)", i + 1, IMAGES, dir);
    GsImageRequest request;
    gs_image_request_init(&request);
    g_free(request.params.prompt);
    request.params.prompt = g_strdup(prompts[i % G_N_ELEMENTS(prompts)]);
    request.params.seed = (guint64)(i / G_N_ELEMENTS(prompts) + 1);
    const gs_model_info *info = gs_diffusion_info(*model);
    request.params.sampler = info->default_sampler;
    request.params.steps = info->default_steps;
    request.params.cfg_scale = info->default_cfg;
    g_autofree float *small = gs_image_job_run(ctx, *model, "emoji32", &request, NULL, NULL, error);
    int side = request.params.width;
    gs_image_request_clear(&request);
    g_autofree char *upscaler = gs_shipped_upscaler_path("slim", 8);
    float *rgb = small ? gs_upscale_run(ctx, upscaler, 8, small, side, side, NULL, NULL, error) : NULL;
    if (!rgb || !gs_png_save(path, rgb, side * 8, side * 8, NULL, 0, error)) {
        g_free(rgb);
        return NULL;
    }
    *w = *h = side * 8;
    return rgb;
}

typedef struct {
    int found, payload;
    double min_score;
} Tally;

static void
tally(Tally *t, const GsImageMarkResult *r)
{
    t->found += r->found;
    t->payload += r->payload_valid && r->payload.install_id == bench_payload.install_id;
    t->min_score = MIN(t->min_score, r->score);
}

static int
bench_images(gs_context *ctx)
{
    g_autofree char *dir = g_build_filename(g_get_user_cache_dir(), "genstudio", "bench-provenance", NULL);
    g_mkdir_with_parents(dir, 0755);
    gs_diffusion *model = NULL;
    Tally tallies[IMAGE_ATTACKS];
    for (gsize a = 0; a < IMAGE_ATTACKS; a++)
        tallies[a] = (Tally){ 0, 0, INFINITY };
    double psnr_sum = 0, psnr_min = INFINITY;
    GRand *rand = g_rand_new_with_seed(13);
    int done = 0;
    for (int i = 0; i < IMAGES; i++) {
        g_autoptr(GError) error = NULL;
        Picture p = { NULL, 0, 0 };
        if (!(p.rgb = generated_image(ctx, &model, dir, i, &p.w, &p.h, &error))) {
            fprintf(stderr, "\ngenstudio-cli bench provenance: %s\n", error->message);
            break;
        }
        double psnr = 0;
        gs_image_mark_embed(p.rgb, p.w, p.h, &bench_payload, &psnr);
        psnr_sum += psnr;
        psnr_min = MIN(psnr_min, psnr);
        for (gsize a = 0; a < IMAGE_ATTACKS; a++) {
            Picture attacked = image_attacks[a].apply(&p, rand);
            GsImageMarkResult r;
            gs_image_mark_detect(attacked.rgb, attacked.w, attacked.h, &r);
            tally(&tallies[a], &r);
            g_free(attacked.rgb);
        }
        g_free(p.rgb);
        done++;
    }
    gs_diffusion_free(model);
    if (done == 0)
        return 1;
    printf("Images: %d of the default model's (32², ESRGAN-slim ×8 → 256²), marked: PSNR %.2f dB mean, %.2f dB lowest\n\n",
           done, psnr_sum / done, psnr_min);
    printf("| attack | detected | payload read | lowest score |\n|---|---|---|---|\n");
    for (gsize a = 0; a < IMAGE_ATTACKS; a++)
        printf("| %s | %d/%d (%.0f %%) | %d/%d | %.1f |\n", image_attacks[a].name, tallies[a].found, done,
               100.0 * tallies[a].found / done, tallies[a].payload, done, tallies[a].min_score);
    printf("\n(detected: score ≥ %.1f; payload read: all 48 bits passed the CRC and match)\n\n",
           GS_IMAGE_MARK_THRESHOLD);

    /* False positives: five 512² crops of each photo (corners and centre
     * of the short-side-scaled photo), as they are and after JPEG q75. */
    int photos = 0, hits = 0, jpeg_hits = 0;
    double worst = -INFINITY;
    for (int i = 0; i < GS_BENCH_PHOTO_COUNT; i++) {
        g_autoptr(GdkPixbuf) full = gdk_pixbuf_new_from_file(gs_bench_photos[i].path, NULL);
        if (!full)
            continue;
        int w = gdk_pixbuf_get_width(full), h = gdk_pixbuf_get_height(full);
        double s = 1024.0 / MIN(w, h);
        g_autoptr(GdkPixbuf) scaled = gdk_pixbuf_scale_simple(full, (int)(w * s), (int)(h * s), GDK_INTERP_BILINEAR);
        Picture whole = from_pixbuf(scaled);
        const double at[CROPS_PER_PHOTO][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 }, { 0.5, 0.5 } };
        for (int c = 0; c < CROPS_PER_PHOTO; c++) {
            Picture crop = { g_new(float, 512 * 512 * 3), 512, 512 };
            int x0 = (int)(at[c][0] * (whole.w - 512)), y0 = (int)(at[c][1] * (whole.h - 512));
            for (int y = 0; y < 512; y++)
                memcpy(crop.rgb + (gsize)y * 512 * 3, whole.rgb + ((gsize)(y + y0) * whole.w + x0) * 3,
                       sizeof(float) * 512 * 3);
            GsImageMarkResult r;
            gs_image_mark_detect(crop.rgb, 512, 512, &r);
            hits += r.found;
            worst = MAX(worst, r.score);
            Picture jpeg = jpeg75(&crop, rand);
            gs_image_mark_detect(jpeg.rgb, 512, 512, &r);
            jpeg_hits += r.found;
            worst = MAX(worst, r.score);
            g_free(jpeg.rgb);
            g_free(crop.rgb);
            photos++;
        }
        g_free(whole.rgb);
    }
    g_rand_free(rand);
    printf("Unmarked photos: %d crops (512²) of the %d photographs of bench upscale (mate-backgrounds, "
           "plasma-workspace-wallpapers)\n\n", photos, photos / CROPS_PER_PHOTO);
    printf("| unmarked input | false positives | highest score |\n|---|---|---|\n");
    printf("| photo crops | %d/%d | %.1f |\n| the same after JPEG q75 | %d/%d | (included above) |\n\n", hits, photos,
           worst, jpeg_hits, photos);
    return 0;
}

/* ---- audio -------------------------------------------------------------- */

typedef struct {
    char *name;
    float *samples; /* interleaved */
    gsize frames;
    int channels, rate;
} Clip;

static void
clip_free(Clip *c)
{
    g_free(c->name);
    g_free(c->samples);
    g_free(c);
}

static gboolean
collect_speech(const gs_speech_chunk *chunk, gpointer user_data, GError **error)
{
    g_array_append_vals(user_data, chunk->samples, chunk->sample_count);
    return TRUE;
}

/* CLIP_SECONDS of our speech in `voice`: the bench sentences, from `first`. */
static Clip *
speech_clip(gs_context *ctx, gs_speech *model, const char *voice, char **sentences, int first, GError **error)
{
    int rate = gs_speech_sample_rate(model);
    g_autoptr(GArray) audio = g_array_new(FALSE, FALSE, sizeof(float));
    gs_speech_params params = gs_speech_default_params();
    params.voice = voice;
    for (int i = first; audio->len < (guint)(rate * CLIP_SECONDS); i++) {
        const char *sentence = sentences[i % g_strv_length(sentences)];
        if (*sentence && !gs_speech_job_run(ctx, model, sentence, &params, collect_speech, audio, NULL, error))
            return NULL;
    }
    Clip *c = g_new0(Clip, 1);
    c->name = g_strdup_printf("speech (%s)", voice);
    c->frames = (gsize)rate * CLIP_SECONDS;
    c->samples = g_memdup2(audio->data, sizeof(float) * c->frames);
    c->channels = 1;
    c->rate = rate;
    return c;
}

static Clip *
music_clip(const char *text, guint64 seed, const char *soundfont, GError **error)
{
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, error);
    g_autoptr(GsArrangement) arrangement = prompt ? gs_arrangement_new(prompt, seed) : NULL;
    g_autoptr(GsMusicAudio) audio = arrangement ? gs_music_render(arrangement, soundfont, NULL, NULL, error) : NULL;
    if (!audio)
        return NULL;
    Clip *c = g_new0(Clip, 1);
    c->name = g_strdup_printf("music (%s)", text);
    c->frames = MIN(audio->frames, (gsize)audio->rate * CLIP_SECONDS);
    c->samples = g_memdup2(audio->mix, sizeof(float) * 2 * c->frames);
    c->channels = 2;
    c->rate = audio->rate;
    return c;
}

/* A tool's speech (espeak-ng, flite) as a clip, or NULL when it is not installed. */
static Clip *
tool_clip(const char *label, const char *const *argv, const char *wav)
{
    int status = 0;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) || status != 0)
        return NULL;
    Clip *c = g_new0(Clip, 1);
    c->name = g_strdup(label);
    c->channels = 1;
    c->rate = 16000;
    if (!gs_audio_decode(wav, 1, c->rate, &c->samples, &c->frames, NULL)) {
        clip_free(c);
        return NULL;
    }
    return c;
}

/* The detector's view: mono at 16 kHz, the first `seconds` (0: all). */
static void
detect_clip(const float *samples, gsize frames, int channels, int rate, double seconds, GsAudioMarkResult *r)
{
    g_autofree float *mono = NULL;
    gsize n = 0;
    memset(r, 0, sizeof *r);
    if (!gs_audio_convert(samples, frames, channels, rate, 1, GS_AUDIO_MARK_RATE, &mono, &n, NULL))
        return;
    if (seconds > 0)
        n = MIN(n, (gsize)(seconds * GS_AUDIO_MARK_RATE));
    gs_audio_mark_detect(mono, n, r);
}

static const struct {
    const char *name;
    const char *encoder; /* NULL: resample or gain, below */
} audio_attacks[] = {
    { "none", NULL },
    { "Opus 64 kb/s", "opusenc bitrate=64000 ! oggmux" },
    { "MP3 128 kb/s", "lamemp3enc target=bitrate bitrate=128 cbr=true" },
    { "resample to 16 kHz", NULL },
    { "+6 dB gain", NULL },
};
#define AUDIO_ATTACKS G_N_ELEMENTS(audio_attacks)

/* The clip after attack `a`, at its own rate and channels; NULL when the
 * encoder is missing. */
static float *
attack_audio(const Clip *c, gsize a, gsize *frames)
{
    if (a == 0 || a == 4) {
        float *out = g_memdup2(c->samples, sizeof(float) * c->frames * c->channels);
        for (gsize i = 0; a == 4 && i < c->frames * c->channels; i++)
            out[i] = CLAMP(out[i] * 2.0f, -1.0f, 1.0f);
        *frames = c->frames;
        return out;
    }
    float *out = NULL;
    if (a == 3) {
        g_autofree float *low = NULL;
        gsize n = 0;
        if (!gs_audio_convert(c->samples, c->frames, c->channels, c->rate, c->channels, 16000, &low, &n, NULL) ||
            !gs_audio_convert(low, n, c->channels, 16000, c->channels, c->rate, &out, frames, NULL))
            return NULL;
        return out;
    }
    if (!gs_audio_round_trip(c->samples, c->frames, c->channels, c->rate, audio_attacks[a].encoder, &out, frames, NULL))
        return NULL;
    return out;
}

static int
bench_audio(gs_context *ctx)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *sentences_path = g_build_filename(GS_SOURCE_DATA_DIR, "bench", "speech-sentences.txt", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(sentences_path, &text, NULL, &error)) {
        fprintf(stderr, "genstudio-cli bench provenance: %s\n", error->message);
        return 1;
    }
    g_auto(GStrv) sentences = g_strsplit(g_strstrip(text), "\n", -1);
    g_autofree char *speech_path = gs_default_speech_model_path();
    gs_speech *speech = gs_load_speech(ctx, speech_path, &error);
    g_autofree char *soundfont = speech ? gs_music_find_soundfont(&error) : NULL;
    if (!soundfont) {
        fprintf(stderr, "genstudio-cli bench provenance: %s\n", error->message);
        gs_speech_free(speech);
        return 1;
    }
    g_autoptr(GPtrArray) clips = g_ptr_array_new_with_free_func((GDestroyNotify)clip_free);
    const char *voices[] = { "awb", "slt", "rms" };
    for (gsize v = 0; v < G_N_ELEMENTS(voices) && !error; v++) {
        Clip *c = speech_clip(ctx, speech, voices[v], sentences, (int)v * 7, &error);
        if (c)
            g_ptr_array_add(clips, c);
    }
    const char *pieces[] = { "calm bossa nova in D minor, 100 bpm, 22 seconds",
                             "energetic rock with drums and guitar, 130 bpm, 22 seconds",
                             "sad piano ballad in A minor, 70 bpm, 22 seconds" };
    for (gsize m = 0; m < G_N_ELEMENTS(pieces) && !error; m++) {
        Clip *c = music_clip(pieces[m], m + 1, soundfont, &error);
        if (c)
            g_ptr_array_add(clips, c);
    }
    gs_speech_free(speech);
    if (error) {
        fprintf(stderr, "genstudio-cli bench provenance: %s\n", error->message);
        return 1;
    }

    /* Unmarked first: the same clips before marking, and other voices. */
    g_autoptr(GPtrArray) unmarked = g_ptr_array_new();
    for (guint i = 0; i < clips->len; i++)
        g_ptr_array_add(unmarked, clips->pdata[i]);
    g_autofree char *dir = g_dir_make_tmp("genstudio-bench-XXXXXX", NULL);
    g_autofree char *espeak_wav = g_build_filename(dir, "espeak.wav", NULL);
    g_autofree char *flite_wav = g_build_filename(dir, "flite.wav", NULL);
    const char *espeak[] = { "espeak-ng", "-v", "en-us", "-f", sentences_path, "-w", espeak_wav, NULL };
    const char *flite[] = { "flite", "-voice", "slt", "-f", sentences_path, "-o", flite_wav, NULL };
    g_autoptr(GPtrArray) tools = g_ptr_array_new_with_free_func((GDestroyNotify)clip_free);
    Clip *tool;
    if ((tool = tool_clip("espeak-ng", espeak, espeak_wav)))
        g_ptr_array_add(tools, tool);
    if ((tool = tool_clip("flite slt", flite, flite_wav)))
        g_ptr_array_add(tools, tool);
    g_unlink(espeak_wav);
    g_unlink(flite_wav);
    g_rmdir(dir);
    for (guint i = 0; i < tools->len; i++)
        g_ptr_array_add(unmarked, tools->pdata[i]);
    printf("Audio, unmarked: %u recordings (our speech and music before marking; espeak-ng and flite when "
           "installed: %s)\n\n| recording | seconds | score (all) | score (5 s) | false positive |\n|---|---|---|---|---|\n",
           unmarked->len, tools->len == 2 ? "both were" : "not both were");
    int false_positives = 0;
    for (guint i = 0; i < unmarked->len; i++) {
        const Clip *c = unmarked->pdata[i];
        GsAudioMarkResult all, five;
        detect_clip(c->samples, c->frames, c->channels, c->rate, 0, &all);
        detect_clip(c->samples, c->frames, c->channels, c->rate, 5, &five);
        false_positives += all.found || five.found;
        printf("| %s | %.1f | %.1f | %.1f | %s |\n", c->name, (double)c->frames / c->rate, all.score, five.score,
               all.found || five.found ? "yes" : "no");
    }
    printf("\nFalse positives: %d/%u\n\n", false_positives, unmarked->len);

    /* Marked as an export marks them, then attacked. */
    int detected[AUDIO_ATTACKS][2] = { { 0 } }, payloads[AUDIO_ATTACKS][2] = { { 0 } }, tried[AUDIO_ATTACKS] = { 0 };
    double lowest[AUDIO_ATTACKS][2];
    for (gsize a = 0; a < AUDIO_ATTACKS; a++)
        lowest[a][0] = lowest[a][1] = INFINITY;
    printf("Audio, marked (%d s clips; SNR is signal to watermark):\n\n| clip | SNR |\n|---|---|\n", CLIP_SECONDS);
    for (guint i = 0; i < clips->len; i++) {
        Clip *c = clips->pdata[i];
        GsAudioMarker *marker = gs_audio_marker_new(c->rate, c->channels, &bench_payload);
        gs_audio_marker_apply(marker, c->samples, c->frames);
        printf("| %s | %.1f dB |\n", c->name, gs_audio_marker_snr(marker));
        gs_audio_marker_free(marker);
        for (gsize a = 0; a < AUDIO_ATTACKS; a++) {
            gsize frames = 0;
            g_autofree float *attacked = attack_audio(c, a, &frames);
            if (!attacked)
                continue;
            tried[a]++;
            for (int part = 0; part < 2; part++) {
                GsAudioMarkResult r;
                detect_clip(attacked, frames, c->channels, c->rate, part ? 5 : 0, &r);
                detected[a][part] += r.found;
                payloads[a][part] += r.payload_valid && r.payload.install_id == (bench_payload.install_id & 0xFFFFF);
                lowest[a][part] = MIN(lowest[a][part], r.score);
            }
        }
    }
    printf("\n| attack | detected (20 s) | detected (first 5 s) | payload read (5 s) | lowest score (5 s) |\n"
           "|---|---|---|---|---|\n");
    for (gsize a = 0; a < AUDIO_ATTACKS; a++) {
        if (!tried[a]) {
            printf("| %s | encoder not installed | | | |\n", audio_attacks[a].name);
            continue;
        }
        printf("| %s | %d/%d (%.0f %%) | %d/%d (%.0f %%) | %d/%d | %.1f |\n", audio_attacks[a].name, detected[a][0],
               tried[a], 100.0 * detected[a][0] / tried[a], detected[a][1], tried[a],
               100.0 * detected[a][1] / tried[a], payloads[a][1], tried[a], lowest[a][1]);
    }
    printf("\n(detected: score ≥ %.1f)\n", GS_AUDIO_MARK_THRESHOLD);
    return 0;
}

int
gs_cli_bench_provenance(gs_context *ctx)
{
    int status = bench_images(ctx);
    return bench_audio(ctx) || status;
}
