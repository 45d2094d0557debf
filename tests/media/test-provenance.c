/* Provenance: payload coding, the image and audio watermarks (clean, after
 * JPEG q75, a 0.5× resize, Opus 64 kb/s; unmarked inputs not detected) and
 * the XMP metadata round trip through gexiv2.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "gs-audio-mark.h"
#include "gs-audio.h"
#include "gs-image-mark.h"
#include "gs-mark-install.h"
#include "gs-provenance.h"
#include "gs-verify.h"

static const GsMarkPayload test_payload = { GS_MARK_FORMAT_VERSION, 0x5a3, 0xc0ffee42 };

static void
test_payload_coding(void)
{
    for (int bits = 32; bits <= 48; bits += 16) {
        uint64_t word = gs_mark_payload_pack(&test_payload, bits);
        GsMarkPayload back;
        g_assert_true(gs_mark_payload_unpack(word, bits, &back));
        g_assert_cmpuint(back.version, ==, test_payload.version);
        g_assert_cmpuint(back.model_id, ==, test_payload.model_id & (bits == 48 ? 0xFFF : 0xFF));
        g_assert_cmpuint(back.install_id, ==, test_payload.install_id & (bits == 48 ? 0xFFFFFFFFu : 0xFFFFFu));
        for (int flip = 0; flip < bits + 16; flip++) /* the CRC catches any one wrong bit */
            g_assert_false(gs_mark_payload_unpack(word ^ (1ull << flip), bits, &back));
    }
}

/* A seeded stand-in for a picture: smooth shading, soft blobs of colour and
 * a little grain, on the 8-bit grid. */
static float *
picture_new(int w, int h, guint32 seed)
{
    GRand *rand = g_rand_new_with_seed(seed);
    float *rgb = g_new(float, (gsize)w * h * 3);
    double cx[6], cy[6], radius[6], colour[6][3];
    for (int b = 0; b < 6; b++) {
        cx[b] = g_rand_double(rand) * w;
        cy[b] = g_rand_double(rand) * h;
        radius[b] = (0.1 + 0.2 * g_rand_double(rand)) * w;
        for (int c = 0; c < 3; c++)
            colour[b][c] = g_rand_double(rand);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                double v = 0.3 + 0.3 * (double)(x + y) / (w + h);
                for (int b = 0; b < 6; b++) {
                    double d = hypot(x - cx[b], y - cy[b]) / radius[b];
                    v += d < 1 ? 0.3 * (colour[b][c] - 0.5) * (1 - d * d) : 0;
                }
                v += 0.02 * (g_rand_double(rand) - 0.5);
                rgb[((gsize)y * w + x) * 3 + c] = roundf((float)CLAMP(v, 0, 1) * 255) / 255;
            }
    g_rand_free(rand);
    return rgb;
}

static GdkPixbuf *
pixbuf_from_rgb(const float *rgb, int w, int h)
{
    GdkPixbuf *pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, w, h);
    int stride = gdk_pixbuf_get_rowstride(pixbuf);
    guchar *pixels = gdk_pixbuf_get_pixels(pixbuf);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * 3; x++)
            pixels[y * stride + x] = (guchar)lrintf(CLAMP(rgb[(gsize)y * w * 3 + x], 0, 1) * 255);
    return pixbuf;
}

static float *
rgb_from_pixbuf(GdkPixbuf *pixbuf, int *w, int *h)
{
    *w = gdk_pixbuf_get_width(pixbuf);
    *h = gdk_pixbuf_get_height(pixbuf);
    int stride = gdk_pixbuf_get_rowstride(pixbuf), n = gdk_pixbuf_get_n_channels(pixbuf);
    const guchar *pixels = gdk_pixbuf_read_pixels(pixbuf);
    float *rgb = g_new(float, (gsize)*w * *h * 3);
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++)
            for (int c = 0; c < 3; c++)
                rgb[((gsize)y * *w + x) * 3 + c] = pixels[y * stride + x * n + c] / 255.0f;
    return rgb;
}

/* Through JPEG at quality 75 and back, as gdk-pixbuf (libjpeg) does it. */
static float *
through_jpeg(const float *rgb, int w, int h)
{
    g_autoptr(GdkPixbuf) pixbuf = pixbuf_from_rgb(rgb, w, h);
    g_autofree char *buffer = NULL;
    gsize size = 0;
    g_assert_true(gdk_pixbuf_save_to_buffer(pixbuf, &buffer, &size, "jpeg", NULL, "quality", "75", NULL));
    g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new();
    g_assert_true(gdk_pixbuf_loader_write(loader, (const guchar *)buffer, size, NULL));
    g_assert_true(gdk_pixbuf_loader_close(loader, NULL));
    int jw, jh;
    return rgb_from_pixbuf(gdk_pixbuf_loader_get_pixbuf(loader), &jw, &jh);
}

static float *
half_size(const float *rgb, int w, int h)
{
    g_autoptr(GdkPixbuf) pixbuf = pixbuf_from_rgb(rgb, w, h);
    g_autoptr(GdkPixbuf) small = gdk_pixbuf_scale_simple(pixbuf, w / 2, h / 2, GDK_INTERP_BILINEAR);
    int sw, sh;
    return rgb_from_pixbuf(small, &sw, &sh);
}

static void
assert_image_mark(const float *rgb, int w, int h, gboolean want)
{
    GsImageMarkResult r;
    gs_image_mark_detect(rgb, w, h, &r);
    g_test_message("%d×%d: score %.1f, payload %s", w, h, r.score, r.payload_valid ? "valid" : "not read");
    g_assert_cmpint(r.found, ==, want);
    if (want) {
        g_assert_true(r.payload_valid);
        g_assert_cmpuint(r.payload.model_id, ==, test_payload.model_id);
        g_assert_cmpuint(r.payload.install_id, ==, test_payload.install_id);
    }
}

static void
test_image_mark(void)
{
    const int side = 256;
    for (guint32 seed = 1; seed <= 3; seed++) {
        g_autofree float *original = picture_new(side, side, seed);
        g_autofree float *marked = g_memdup2(original, sizeof(float) * side * side * 3);
        double psnr = 0;
        g_assert_true(gs_image_mark_embed(marked, side, side, &test_payload, &psnr));
        double mse = 0;
        for (int i = 0; i < side * side * 3; i++)
            mse += pow((marked[i] - original[i]) * 255.0, 2);
        double measured = 10 * log10(255.0 * 255.0 / (mse / (side * side * 3)));
        g_test_message("seed %u: PSNR %.2f dB (reported %.2f)", seed, measured, psnr);
        g_assert_cmpfloat(measured, >=, 38.0);
        g_assert_cmpfloat(fabs(measured - psnr), <, 0.01);

        assert_image_mark(marked, side, side, TRUE);
        g_autofree float *jpeg = through_jpeg(marked, side, side);
        assert_image_mark(jpeg, side, side, TRUE);
        g_autofree float *half = half_size(marked, side, side);
        assert_image_mark(half, side / 2, side / 2, TRUE);
        assert_image_mark(original, side, side, FALSE);
        g_autofree float *original_jpeg = through_jpeg(original, side, side);
        assert_image_mark(original_jpeg, side, side, FALSE);
    }
    /* Under 256² nothing is embedded. */
    g_autofree float *small = picture_new(128, 128, 9);
    g_autofree float *copy = g_memdup2(small, sizeof(float) * 128 * 128 * 3);
    g_assert_false(gs_image_mark_embed(copy, 128, 128, &test_payload, NULL));
    g_assert_cmpmem(copy, sizeof(float) * 128 * 128 * 3, small, sizeof(float) * 128 * 128 * 3);
}

static void
test_metadata_round_trip(void)
{
    g_autofree char *dir = g_dir_make_tmp("gs-provenance-XXXXXX", NULL);
    g_autofree char *model_path = g_build_filename(dir, "model.safetensors", NULL);
    g_assert_true(g_file_set_contents(model_path, "abc", 3, NULL));
    const int sizes[] = { 256, 64 };
    for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++) {
        int side = sizes[i];
        g_autofree char *path = g_strdup_printf("%s/image-%d.png", dir, side);
        g_autofree float *rgb = picture_new(side, side, 4);
        GsPngText texts[] = { { "parameters", "red apple\nSteps: 20, Seed: 42" } };
        GsProvenance p = { i ? GS_SOURCE_COMPOSITE : GS_SOURCE_GENERATED, "emoji32", model_path, NULL };
        g_autoptr(GError) error = NULL;
        g_assert_true(gs_png_save_marked(path, rgb, side, side, texts, 1, &p, &error));
        g_assert_no_error(error);
        g_autoptr(GsProvenanceInfo) info = gs_provenance_read_xmp(path, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(info->source_type, ==, i ? GS_IPTC_COMPOSITE : GS_IPTC_GENERATED);
        g_assert_cmpstr(info->software, ==, "GenStudio " GS_VERSION);
        g_assert_cmpstr(info->model, ==, "emoji32");
        /* SHA-256 of "abc" */
        g_assert_cmpstr(info->model_sha256, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        g_assert_true(g_str_has_prefix(info->watermark, side >= GS_IMAGE_MARK_MIN_SIDE ? "48-bit" : "none"));
        g_autofree char *parameters = gs_png_read_text(path, "parameters", &error);
        g_assert_cmpstr(parameters, ==, texts[0].text); /* the A1111 chunk survives gexiv2 */
        g_assert_false(g_file_test(g_strdup_printf("%s.part", path), G_FILE_TEST_EXISTS));
        g_remove(path);
    }
    /* Not an image: a clear error. */
    g_autoptr(GError) error = NULL;
    g_assert_null(gs_provenance_read_xmp(model_path, &error));
    g_assert_nonnull(error);
    g_remove(model_path);
    g_rmdir(dir);
}

/* Six seconds of something like a voice: a buzzing source at a wandering
 * pitch through a resonance, in syllables with pauses. */
static float *
voice_new(int rate, gsize *frames)
{
    *frames = (gsize)rate * 6;
    float *out = g_new(float, *frames);
    double phase = 0, y1 = 0, y2 = 0;
    for (gsize i = 0; i < *frames; i++) {
        double t = (double)i / rate;
        double pitch = 120 + 30 * sin(2 * M_PI * 0.7 * t);
        phase += pitch / rate;
        double source = phase - floor(phase) - 0.5;
        double syllable = fmax(0, sin(2 * M_PI * 3 * t));
        double f = 700 + 400 * sin(2 * M_PI * 0.5 * t), r = 0.97;
        double y = source + 2 * r * cos(2 * M_PI * f / rate) * y1 - r * r * y2;
        y2 = y1;
        y1 = y;
        out[i] = (float)(0.05 * y * syllable);
    }
    return out;
}

static void
assert_audio_mark(const char *path, gboolean want)
{
    g_autofree float *decoded = NULL;
    gsize frames = 0;
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_audio_decode(path, 1, GS_AUDIO_MARK_RATE, &decoded, &frames, &error));
    g_assert_no_error(error);
    GsAudioMarkResult r;
    gs_audio_mark_detect(decoded, frames, &r);
    g_test_message("%s: score %.1f", path, r.score);
    g_assert_cmpint(r.found, ==, want);
    if (want) {
        GsMarkPayload expected = gs_mark_payload_for("test voice");
        g_assert_true(r.payload_valid);
        g_assert_cmpuint(r.payload.model_id, ==, expected.model_id & 0xFF);
        g_assert_cmpuint(r.payload.install_id, ==, expected.install_id & 0xFFFFF);
    }
}

static void
test_audio_mark(void)
{
    const int rate = 22050;
    gsize frames;
    g_autofree float *voice = voice_new(rate, &frames);
    g_autofree float *copy = g_memdup2(voice, sizeof(float) * frames);
    GsMarkPayload payload = gs_mark_payload_for("test voice");
    GsAudioMarker *marker = gs_audio_marker_new(rate, 1, &payload);
    gs_audio_marker_apply(marker, copy, frames / 2); /* in two pushes, as a stream */
    gs_audio_marker_apply(marker, copy + frames / 2, frames - frames / 2);
    double snr = gs_audio_marker_snr(marker);
    gs_audio_marker_free(marker);
    g_test_message("SNR %.1f dB", snr);
    g_assert_cmpfloat(snr, >, 24);
    g_assert_cmpfloat(snr, <, 34);

    g_autofree char *dir = g_dir_make_tmp("gs-audio-mark-XXXXXX", NULL);
    const char *formats[] = { "take.wav", "take.flac", "take.ogg", "take.opus" };
    GsAudioTags tags = { .title = "a test", .model = "test voice" };
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
        g_autofree char *path = g_build_filename(dir, formats[i], NULL);
        g_autoptr(GError) error = NULL;
        g_assert_true(gs_audio_export(path, voice, frames, 1, rate, &tags, NULL, NULL, NULL, &error));
        g_assert_no_error(error);
        assert_audio_mark(path, TRUE); /* Ogg Opus is 64 kb/s for mono at 48 kHz */
        g_autofree char *read = gs_audio_read_tags(path);
        g_assert_nonnull(strstr(read, "AI-generated with GenStudio"));
        g_assert_nonnull(strstr(read, "test voice"));
        g_remove(path);
    }
    /* The project's working copy is not marked; unmarked audio is not found. */
    g_autofree char *plain = g_build_filename(dir, "plain.wav", NULL);
    GsAudioTags working = { .working_copy = TRUE };
    g_assert_true(gs_audio_export(plain, voice, frames, 1, rate, &working, NULL, NULL, NULL, NULL));
    assert_audio_mark(plain, FALSE);
    g_remove(plain);
    g_rmdir(dir);
}

/* verify reads JPEG and WebP (webp-pixbuf-loader) as well as PNG. */
static void
test_verify_formats(void)
{
    g_autofree char *dir = g_dir_make_tmp("gs-verify-XXXXXX", NULL);
    g_autofree char *png = g_build_filename(dir, "marked.png", NULL);
    g_autofree float *rgb = picture_new(256, 256, 5);
    GsProvenance p = { GS_SOURCE_GENERATED, "emoji32", NULL, NULL };
    g_assert_true(gs_png_save_marked(png, rgb, 256, 256, NULL, 0, &p, NULL));
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file(png, NULL);
    g_assert_nonnull(pixbuf);
    const char *formats[][3] = { { "jpeg", "quality", "75" }, { "webp", "quality", "80" } };
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
        g_autofree char *name = g_strdup_printf("copy.%s", formats[i][0]);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autoptr(GError) error = NULL;
        g_assert_true(gdk_pixbuf_save(pixbuf, path, formats[i][0], &error, formats[i][1], formats[i][2], NULL));
        g_assert_no_error(error);
        g_autoptr(GString) report = g_string_new(NULL);
        g_assert_cmpint(gs_verify_file(path, report), ==, GS_VERIFY_FOUND); /* the metadata is gone: the mark */
        g_test_message("%s", report->str);
        g_assert_nonnull(strstr(report->str, "watermark: found"));
        g_remove(path);
    }
    g_autoptr(GString) report = g_string_new(NULL);
    g_assert_cmpint(gs_verify_file(png, report), ==, GS_VERIFY_FOUND);
    g_remove(png);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_setenv("GENSTUDIO_INSTALL_ID", "5eed1d", TRUE); /* before any thread */
    gst_init(&argc, &argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/provenance/payload", test_payload_coding);
    g_test_add_func("/provenance/image-mark", test_image_mark);
    g_test_add_func("/provenance/metadata", test_metadata_round_trip);
    g_test_add_func("/provenance/audio-mark", test_audio_mark);
    g_test_add_func("/provenance/verify-formats", test_verify_formats);
    return g_test_run();
}
