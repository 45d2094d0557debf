/* The studio's session as a `.genstudio` project: a JSON document and an
 * assets folder beside it ("<name>-assets/" for "<name>.genstudio").
 *
 *   { "format": "genstudio-project", "version": 1,
 *     "takes": [...], "images": [...], "music": [...], "timeline": ...,
 *     "timeline-sources": { "<source id>": "<name>-assets/source-….wav" } }
 *
 * Assets are named by a hash of their content, so a save never overwrites a
 * file the previous save refers to: the JSON's rename is the one moment the
 * project switches from the old version to the new, and a crash at any
 * other moment leaves one complete version. Paths in the JSON are relative
 * to the project's folder. Free of GTK.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "gs-take.h"
#include "gs-voice.h"

G_BEGIN_DECLS

#define GS_PROJECT_FORMAT "genstudio-project"
#define GS_PROJECT_VERSION 1
/* A project file is JSON (the media are files beside it): larger is not one. */
#define GS_PROJECT_MAX_BYTES ((gint64)1 << 30)
#define GS_PROJECT_EXTENSION ".genstudio"

/* A generated image: its PNG and the A1111 `parameters` text it was made with. */
typedef struct {
    char *png_path; /* absolute */
    char *parameters;
} GsProjectImage;

/* A piece of music: how it was asked for, the rendered mix and its stems. */
typedef struct {
    char *prompt;
    guint64 seed;
    char *audio_path;  /* absolute */
    char **stem_paths; /* absolute, NULL-terminated, may be empty */
    char **muted;      /* part names ("drums", …, "vocals"), NULL-terminated, may be empty */
    char *lyrics;      /* sung on the piece, one phrase a line; NULL: none */
    char *voice;       /* the speech model's voice that sings them; NULL: its default */
    char *vocals_path; /* absolute: the sung vocals, so that reopening need not sing again; NULL: none */
    GsVoice *cloned_voice; /* the cloned voice that sings them, with its consent record; NULL: the model's */
} GsProjectMusic;

/* Lyrics are at most this long (bytes), as the vocal line takes them
 * (GS_VOCALS_MAX_BYTES). */
#define GS_PROJECT_LYRICS_MAX_BYTES (64 * 1024)

#define GS_TYPE_PROJECT (gs_project_get_type())
G_DECLARE_FINAL_TYPE(GsProject, gs_project, GS, PROJECT, GObject)

/* Properties: "path" (string, read-only, NULL until saved or loaded) and
 * "dirty" (boolean, read-only, notifies): TRUE after any change, FALSE
 * after gs_project_save. */
GsProject *gs_project_new(void);

const char *gs_project_get_path(GsProject *self);
gboolean gs_project_get_dirty(GsProject *self);

/* The takes (GsTake), in order. Add, remove and reorder through the store
 * itself: every change marks the project dirty. */
GListStore *gs_project_get_takes(GsProject *self);

/* Files are copied into the assets folder on save; until then they must
 * stay where they are. */
void gs_project_add_image(GsProject *self, const char *png_path, const char *parameters);
guint gs_project_get_n_images(GsProject *self);
const GsProjectImage *gs_project_get_image(GsProject *self, guint index);
void gs_project_remove_image(GsProject *self, guint index);

void gs_project_add_music(GsProject *self, const char *prompt, guint64 seed, const char *audio_path,
                          const char *const *stem_paths);
guint gs_project_get_n_music(GsProject *self);
const GsProjectMusic *gs_project_get_music(GsProject *self, guint index);
void gs_project_remove_music(GsProject *self, guint index);
/* Which stems the piece plays without (NULL: none). */
void gs_project_set_music_muted(GsProject *self, guint index, const char *const *muted);
/* The lyrics sung on the piece and the voice that sings them (NULL or ""
 * lyrics: none; NULL voice: the model's default). */
void gs_project_set_music_lyrics(GsProject *self, guint index, const char *lyrics, const char *voice);
/* The audio file of the vocals sung on the piece (NULL: none), copied into
 * the assets folder on save like the mix. */
void gs_project_set_music_vocals(GsProject *self, guint index, const char *vocals_path);
/* The cloned voice that sings the lyrics (copied; NULL: a voice of the model). */
void gs_project_set_music_cloned_voice(GsProject *self, guint index, const GsVoice *voice);

/* The timeline as the timeline model writes it, kept verbatim. The getter
 * returns the project's own node (NULL when there is none); the setter
 * copies `timeline` (NULL clears it). */
JsonNode *gs_project_get_timeline(GsProject *self);
void gs_project_set_timeline(GsProject *self, JsonNode *timeline);

/* The audio of the timeline's sources: source id → interleaved stereo
 * floats at 44.1 kHz (GBytes), saved as WAV assets. The setter replaces
 * them all, keeping references to the GBytes (NULL clears them); the getter
 * returns the project's own GBytes, NULL for an unknown id. */
void gs_project_set_timeline_sources(GsProject *self, GHashTable *sources);
GBytes *gs_project_get_timeline_source(GsProject *self, const char *source_id);

/* Writes the project to `path` (the assets first, then the JSON, each
 * atomically and durably) and removes assets no longer referred to. On
 * success the project takes `path` as its own and is no longer dirty; on
 * failure the project on disk is the previous save, untouched. Blocking. */
gboolean gs_project_save(GsProject *self, const char *path, GError **error);

/* A new project read from `path`, or NULL with:
 *   G_IO_ERROR_NOT_SUPPORTED  made by a newer GenStudio (a higher version);
 *   G_IO_ERROR_INVALID_DATA   not JSON, not a GenStudio project, or a field
 *                             missing or of the wrong type;
 *   G_IO_ERROR_NOT_FOUND      the project or one of its assets is missing.
 * Loading never writes to disk. Blocking (decodes every take). A recovery
 * file loads as the project it recovers: its path, and dirty. */
GsProject *gs_project_load(const char *path, GError **error);

/* Where the project's autosave goes, under
 * $XDG_STATE_HOME/genstudio/recovery/: a file named after the project's
 * path, or one of its own for an untitled project, so that two untitled
 * projects never overwrite each other's. A project loaded from a recovery
 * file goes on in that file, whose assets it refers to. */
const char *gs_project_get_recovery_path(GsProject *self);

/* Saves to the recovery file, atomically, without touching the project's
 * own file, path or dirty flag. gs_project_save removes the recovery file,
 * then older than the save, and any of the path saved to. */
gboolean gs_project_autosave(GsProject *self, GError **error);

/* Every recovery file newer than the project it recovers (an untitled
 * project's, always) — what to offer after a crash — newest first. */
char **gs_project_find_recoveries(void);

/* Removes the recovery file `recovery` and its assets. Missing ones are
 * not an error. */
gboolean gs_project_discard_recovery(const char *recovery, GError **error);

/* Removes the files directly in `folder` that none of `projects` refers
 * to: the scratch files of items gone or since saved. Recovery files need
 * none of them: an autosave copies what it refers to into its own assets.
 * Failures are logged. */
void gs_project_remove_unreferenced_files(const char *folder, GsProject *const *projects, guint n_projects);

/* Every `seconds`, autosaves when something changed since the last save or
 * autosave. Replaces any earlier timer; 0 stops it. Failures are logged. */
void gs_project_start_autosave(GsProject *self, guint seconds);

G_END_DECLS
