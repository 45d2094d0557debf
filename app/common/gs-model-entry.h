/* One image model as the models folder lists it: a name, where it is, and
 * what gs_model_probe made of it — its family and defaults, or why GenStudio
 * cannot use it. Immutable once made, so it may cross threads.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "genstudio-engine.h"

G_BEGIN_DECLS

typedef enum {
    GS_MODEL_BUILTIN,  /* shipped with GenStudio (emoji32) */
    GS_MODEL_COPY,     /* a file or folder copied into the models folder */
    GS_MODEL_LINK,     /* a symbolic link in the models folder to the user's file or folder */
    GS_MODEL_EXTERNAL, /* a path given directly, outside the models folder */
} GsModelKind;

#define GS_TYPE_MODEL_ENTRY (gs_model_entry_get_type())
G_DECLARE_FINAL_TYPE(GsModelEntry, gs_model_entry, GS, MODEL_ENTRY, GObject)

/* `info` when the probe accepted the model, else NULL and `refusal` says why. */
GsModelEntry *gs_model_entry_new(const char *name, const char *path, GsModelKind kind, guint64 size_bytes,
                                 const gs_model_info *info, const char *refusal);

/* The file or folder name without ".safetensors". */
const char *gs_model_entry_get_name(GsModelEntry *self);
/* Absolute path of the file or folder (a link's own path, not its target). */
const char *gs_model_entry_get_path(GsModelEntry *self);
GsModelKind gs_model_entry_get_kind(GsModelEntry *self);
/* Bytes on disk: the file, or all files of a folder (a link's target). */
guint64 gs_model_entry_get_size(GsModelEntry *self);
gboolean gs_model_entry_get_usable(GsModelEntry *self);
/* NULL when refused. */
const gs_model_info *gs_model_entry_get_info(GsModelEntry *self);
/* "SD 1.x", "GenStudio"…; "" when refused. */
const char *gs_model_entry_get_family_name(GsModelEntry *self);
/* The probe's message; NULL when usable. */
const char *gs_model_entry_get_refusal(GsModelEntry *self);
/* "dreamshaper — SD 1.x"; a refused model has only its name. */
char *gs_model_entry_dup_label(GsModelEntry *self);

G_END_DECLS
