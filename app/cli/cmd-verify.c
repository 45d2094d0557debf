/* genstudio-cli verify FILE…: does a file say, in its metadata or its
 * signal, that GenStudio made it?
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>

#include "cli.h"
#include "gs-audio-mark.h"
#include "gs-audio.h"
#include "gs-image-mark.h"
#include "gs-provenance.h"

enum { FOUND = 0, NONE = 1, UNREADABLE = 2 };

/* H×W×3 floats, alpha over white, like gs_png_load. */
static float *
pixbuf_rgb(GdkPixbuf *pixbuf, int *w, int *h)
{
    *w = gdk_pixbuf_get_width(pixbuf);
    *h = gdk_pixbuf_get_height(pixbuf);
    int stride = gdk_pixbuf_get_rowstride(pixbuf), channels = gdk_pixbuf_get_n_channels(pixbuf);
    gboolean alpha = gdk_pixbuf_get_has_alpha(pixbuf);
    const guchar *pixels = gdk_pixbuf_read_pixels(pixbuf);
    float *rgb = g_new(float, (gsize)*w * *h * 3);
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++) {
            const guchar *p = pixels + (gsize)y * stride + (gsize)x * channels;
            float a = alpha ? p[3] / 255.0f : 1.0f;
            for (int c = 0; c < 3; c++)
                rgb[((gsize)y * *w + x) * 3 + c] = p[c] / 255.0f * a + (1 - a);
        }
    return rgb;
}

static gboolean
print_metadata(const GsProvenanceInfo *info)
{
    gboolean ours = info && (info->model || (info->software && g_str_has_prefix(info->software, "GenStudio")));
    if (!ours) {
        printf("  metadata:  no GenStudio provenance\n");
        return FALSE;
    }
    const char *type = info->source_type && g_str_has_prefix(info->source_type, GS_IPTC_SOURCE_PREFIX)
                           ? info->source_type + strlen(GS_IPTC_SOURCE_PREFIX) : info->source_type;
    printf("  metadata:  %s; %s; model %s (SHA-256 %s)\n", type ? type : "no source type",
           info->software ? info->software : "no software", info->model ? info->model : "unknown",
           info->model_sha256 ? info->model_sha256 : "unknown");
    if (info->watermark)
        printf("  embedded:  %s\n", info->watermark);
    return TRUE;
}

static void
print_payload(gboolean valid, const GsMarkPayload *p, int install_digits)
{
    if (valid)
        printf(", payload v%u model id %0*x install %0*x", p->version, install_digits == 8 ? 3 : 2, p->model_id,
               install_digits, p->install_id);
    else
        printf(", payload unreadable (too damaged to pass its CRC)");
}

static int
verify_image(const char *path, GdkPixbuf *pixbuf)
{
    g_autoptr(GsProvenanceInfo) info = gs_provenance_read_xmp(path, NULL);
    gboolean meta = print_metadata(info);
    int w, h;
    g_autofree float *rgb = pixbuf_rgb(pixbuf, &w, &h);
    GsImageMarkResult r;
    gs_image_mark_detect(rgb, w, h, &r);
    printf("  watermark: %s (score %.1f, threshold %.1f)", r.found ? "found" : "not found", r.score,
           GS_IMAGE_MARK_THRESHOLD);
    if (r.found)
        print_payload(r.payload_valid, &r.payload, 8);
    printf("\n");
    if (!r.found && info && info->watermark && g_str_has_prefix(info->watermark, "none"))
        printf("  (this image is under %d² and carries its provenance in metadata only)\n", GS_IMAGE_MARK_MIN_SIDE);
    return meta || r.found ? FOUND : NONE;
}

static int
verify_audio(const char *path, float *samples, gsize frames)
{
    g_autofree char *tags = gs_audio_read_tags(path);
    gboolean meta = tags && strstr(tags, "GenStudio");
    printf("  metadata:  %s\n", meta ? tags : "no GenStudio tags");
    GsAudioMarkResult r;
    gs_audio_mark_detect(samples, frames, &r);
    printf("  watermark: %s (score %.1f, threshold %.1f)", r.found ? "found" : "not found", r.score,
           GS_AUDIO_MARK_THRESHOLD);
    if (r.found)
        print_payload(r.payload_valid, &r.payload, 5);
    printf("\n");
    return meta || r.found ? FOUND : NONE;
}

static int
verify_file(const char *path)
{
    printf("%s\n", path);
    g_autoptr(GError) image_error = NULL, audio_error = NULL;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        printf("  unreadable: no such file\n");
        return UNREADABLE;
    }
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_get_file_info(path, NULL, NULL)
                                      ? gdk_pixbuf_new_from_file(path, &image_error) : NULL;
    if (pixbuf)
        return verify_image(path, pixbuf);
    g_autofree float *samples = NULL;
    gsize frames = 0;
    if (!image_error && gs_audio_decode(path, 1, GS_AUDIO_MARK_RATE, &samples, &frames, &audio_error))
        return verify_audio(path, samples, frames);
    printf("  unreadable: %s\n", image_error ? image_error->message : audio_error->message);
    return UNREADABLE;
}

int
gs_cli_verify(int argc, char **argv)
{
    g_auto(GStrv) files = NULL;
    GOptionEntry entries[] = {
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE…" },
        { NULL },
    };
    g_autoptr(GOptionContext) oc = g_option_context_new("FILE…");
    g_option_context_set_summary(oc, "Looks for GenStudio's provenance in images (PNG, JPEG, WebP) and anything "
                                     "GStreamer decodes: the metadata and the invisible watermark.\nExit status: 0 "
                                     "when every file has a GenStudio mark, 1 when one has none, 2 when one cannot "
                                     "be read.");
    g_option_context_add_main_entries(oc, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(oc, &argc, &argv, &error) || !files || !files[0]) {
        fprintf(stderr, "genstudio-cli verify: %s\n", error ? error->message : "give one or more files");
        return UNREADABLE;
    }
    /* Line by line: GStreamer's plugin scanner is a forked child, which must
     * not inherit half a buffer to print again. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    int status = FOUND;
    for (int i = 0; files[i]; i++)
        status = MAX(status, verify_file(files[i]));
    return status;
}
