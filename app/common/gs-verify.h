/* Does a file say, in its metadata or its signal, that GenStudio made it?
 * What `genstudio-cli verify` and the window's "Check a File…" run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

typedef enum {
    GS_VERIFY_FOUND = 0,      /* GenStudio metadata or watermark */
    GS_VERIFY_NONE = 1,       /* read, no mark */
    GS_VERIFY_UNREADABLE = 2, /* neither an image nor anything GStreamer decodes */
} GsVerifyResult;

/* Images (PNG, JPEG, WebP: gdk-pixbuf, XMP through gexiv2) and anything
 * GStreamer decodes. Appends a report, the path first, a line per finding. Blocking. */
GsVerifyResult gs_verify_file(const char *path, GString *out);
