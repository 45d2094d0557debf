/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "gs-audio-mark.h"
#include "gs-audio.h"
#include "gs-image-mark.h"
#include "gs-provenance.h"
#include "gs-verify.h"

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
print_metadata(GString *out, const GsProvenanceInfo *info)
{
    gboolean ours = info && (info->model || (info->software && g_str_has_prefix(info->software, "GenStudio")));
    if (!ours) {
        g_string_append_printf(out, "  metadata:  no GenStudio provenance\n");
        return FALSE;
    }
    const char *type = info->source_type && g_str_has_prefix(info->source_type, GS_IPTC_SOURCE_PREFIX)
                           ? info->source_type + strlen(GS_IPTC_SOURCE_PREFIX) : info->source_type;
    g_string_append_printf(out, "  metadata:  %s; %s; model %s (SHA-256 %s)\n", type ? type : "no source type",
           info->software ? info->software : "no software", info->model ? info->model : "unknown",
           info->model_sha256 ? info->model_sha256 : "unknown");
    if (info->watermark)
        g_string_append_printf(out, "  embedded:  %s\n", info->watermark);
    return TRUE;
}

static void
print_payload(GString *out, gboolean valid, const GsMarkPayload *p, int install_digits)
{
    if (valid)
        g_string_append_printf(out, ", payload v%u model id %0*x install %0*x", p->version, install_digits == 8 ? 3 : 2, p->model_id,
               install_digits, p->install_id);
    else
        g_string_append_printf(out, ", payload unreadable (too damaged to pass its CRC)");
}

static GsVerifyResult
verify_image(GString *out, const char *path, GdkPixbuf *pixbuf)
{
    g_autoptr(GsProvenanceInfo) info = gs_provenance_read_xmp(path, NULL);
    gboolean meta = print_metadata(out, info);
    int w, h;
    g_autofree float *rgb = pixbuf_rgb(pixbuf, &w, &h);
    GsImageMarkResult r;
    gs_image_mark_detect(rgb, w, h, &r);
    g_string_append_printf(out, "  watermark: %s (score %.1f, threshold %.1f)", r.found ? "found" : "not found", r.score,
           GS_IMAGE_MARK_THRESHOLD);
    if (r.found)
        print_payload(out, r.payload_valid, &r.payload, 8);
    g_string_append_c(out, '\n');
    if (!r.found && info && info->watermark && g_str_has_prefix(info->watermark, "none"))
        g_string_append_printf(out, "  (this image is under %d² and carries its provenance in metadata only)\n", GS_IMAGE_MARK_MIN_SIDE);
    return meta || r.found ? GS_VERIFY_FOUND : GS_VERIFY_NONE;
}

static GsVerifyResult
verify_audio(GString *out, const char *path, float *samples, gsize frames)
{
    g_autofree char *tags = gs_audio_read_tags(path);
    gboolean meta = tags && strstr(tags, "GenStudio");
    g_string_append_printf(out, "  metadata:  %s\n", meta ? tags : "no GenStudio tags");
    GsAudioMarkResult r;
    gs_audio_mark_detect(samples, frames, &r);
    g_string_append_printf(out, "  watermark: %s (score %.1f, threshold %.1f)", r.found ? "found" : "not found", r.score,
           GS_AUDIO_MARK_THRESHOLD);
    if (r.found)
        print_payload(out, r.payload_valid, &r.payload, 5);
    g_string_append_c(out, '\n');
    return meta || r.found ? GS_VERIFY_FOUND : GS_VERIFY_NONE;
}

GsVerifyResult
gs_verify_file(const char *path, GString *out)
{
    g_string_append_printf(out, "%s\n", path);
    g_autoptr(GError) image_error = NULL, audio_error = NULL;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_string_append_printf(out, "  unreadable: no such file\n");
        return GS_VERIFY_UNREADABLE;
    }
    g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_get_file_info(path, NULL, NULL)
                                      ? gdk_pixbuf_new_from_file(path, &image_error) : NULL;
    if (pixbuf)
        return verify_image(out, path, pixbuf);
    g_autofree float *samples = NULL;
    gsize frames = 0;
    if (!image_error && gs_audio_decode(path, 1, GS_AUDIO_MARK_RATE, &samples, &frames, &audio_error))
        return verify_audio(out, path, samples, frames);
    g_string_append_printf(out, "  unreadable: %s\n", image_error ? image_error->message : audio_error->message);
    return GS_VERIFY_UNREADABLE;
}

