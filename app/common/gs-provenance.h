/* What every GenStudio image says about itself: IPTC's digital source type,
 * the software, the model and its SHA-256 in an XMP packet (written and read
 * with gexiv2), and the invisible watermark (gs-image-mark.h) when the image
 * is large enough to carry one. Provenance cannot be switched off.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gs-image-params.h"
#include "gs-mark-code.h"
#include "gs-png.h"

#define GS_IPTC_SOURCE_PREFIX "http://cv.iptc.org/newscodes/digitalsourcetype/"
#define GS_IPTC_GENERATED GS_IPTC_SOURCE_PREFIX "trainedAlgorithmicMedia"
#define GS_IPTC_COMPOSITE GS_IPTC_SOURCE_PREFIX "compositeWithTrainedAlgorithmicMedia"

typedef enum {
    GS_SOURCE_GENERATED, /* text to image */
    GS_SOURCE_COMPOSITE, /* img2img, inpainting, or an upscale of someone's image */
} GsSourceType;

typedef struct {
    GsSourceType source;
    const char *model;      /* the model's name */
    const char *model_path; /* its file, for the SHA-256 */
    const char *model_sha256; /* already known, when model_path is NULL */
} GsProvenance;

/* The provenance of an image made with `params`: a composite when a start
 * image was repainted (strength > 0); the model's file looked up by name
 * in the models folder. Free `*path_out` with g_free. */
GsProvenance gs_provenance_for_params(const GsImageParams *params, char **path_out);

/* Where a model was loaded, in a worker thread: remembers its file for
 * gs_provenance_for_params and hashes it, so image saves on the main
 * thread neither scan the models folder nor read the model. */
void gs_provenance_note_model(const char *name, const char *path);

/* Lower-case hex SHA-256 of a file (a folder: of its file names and sizes),
 * remembered per path, size and modification time. NULL if unreadable. */
char *gs_provenance_model_sha256(const char *path);

/* Writes the XMP packet into an existing PNG, JPEG or WebP file. `watermark`
 * says what the pixels carry ("48-bit mark …" or why none). */
gboolean gs_provenance_write_xmp(const char *path, const GsProvenance *p, const char *watermark, GError **error);

typedef struct {
    char *source_type; /* IPTC digital source type URI */
    char *software;
    char *model;
    char *model_sha256;
    char *watermark;
} GsProvenanceInfo;

/* What the file's XMP says; fields are NULL when absent. NULL with an error
 * when the file cannot be read as an image with metadata. */
GsProvenanceInfo *gs_provenance_read_xmp(const char *path, GError **error);
void gs_provenance_info_free(GsProvenanceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsProvenanceInfo, gs_provenance_info_free)

/* gs_png_save, plus the watermark (images of at least 256² on both sides;
 * `rgb` is not changed) and the XMP packet, all before the file appears at
 * `path`. Every image GenStudio writes goes through here. */
gboolean gs_png_save_marked(const char *path, const float *rgb, int width, int height, const GsPngText *texts,
                            int text_count, const GsProvenance *p, GError **error);
