/* The models folder: where the user's image models live, next to the one
 * GenStudio ships.
 *
 *   $GS_MODELS_DIR, else $XDG_DATA_HOME/genstudio/models
 *   (~/.local/share/genstudio/models), holding
 *     NAME.safetensors            a single-file checkpoint (copied or linked)
 *     NAME/model_index.json …     a diffusers folder (copied or linked)
 *     tokenizers/clip/            CLIP's BPE vocabulary for single-file SD
 *                                 checkpoints: vocab.json + merges.txt, or
 *                                 bpe_simple_vocab_16e6.txt.gz
 *
 * The CLI (`genstudio-cli models …`, `image --model NAME`) and the window
 * use the same functions. Every model is probed with gs_model_probe (headers
 * and config files only); one the probe refuses is still listed, with the
 * probe's message, so that the user sees why it is not offered. Adding
 * copies atomically (a hidden temporary, fsync, rename) or links; removing
 * deletes the copy or only the link, never what a link points to.
 *
 * A library holds only its folder and its probe: after set_probe it may be
 * used from any thread, and its blocking calls belong in a worker thread
 * (adding copies gigabytes; listing reads every model's header).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "gs-model-entry.h"

G_BEGIN_DECLS

#define GS_MODEL_LIBRARY_ERROR (gs_model_library_error_quark())
GQuark gs_model_library_error_quark(void);

typedef enum {
    GS_MODEL_LIBRARY_ERROR_NOT_FOUND,       /* no model of that name, no such path */
    GS_MODEL_LIBRARY_ERROR_REFUSED,         /* the probe refused it; the message is the probe's */
    GS_MODEL_LIBRARY_ERROR_EXISTS,          /* adding under a name already taken */
    GS_MODEL_LIBRARY_ERROR_BUILTIN,         /* removing the shipped model */
    GS_MODEL_LIBRARY_ERROR_NEEDS_TOKENIZER, /* single-file SD without tokenizers/clip/ */
    GS_MODEL_LIBRARY_ERROR_INVALID,         /* not a model file or folder, not tokenizer files */
} GsModelLibraryError;

#define GS_TYPE_MODEL_LIBRARY (gs_model_library_get_type())
G_DECLARE_FINAL_TYPE(GsModelLibrary, gs_model_library, GS, MODEL_LIBRARY, GObject)

/* $GS_MODELS_DIR when set and not empty, else $XDG_DATA_HOME/genstudio/models. */
char *gs_model_library_default_dir(void);

/* `dir` NULL means gs_model_library_default_dir(); it need not exist yet. */
GsModelLibrary *gs_model_library_new(const char *dir);
const char *gs_model_library_get_dir(GsModelLibrary *self);

typedef gs_status (*GsModelProbeFunc)(const char *path, gs_model_info *info, char **error);
/* gs_model_probe unless set (unit tests set a mock). Call before sharing. */
void gs_model_library_set_probe(GsModelLibrary *self, GsModelProbeFunc probe);

/* Probes one file or folder (not necessarily in the models folder). */
GsModelEntry *gs_model_library_probe(GsModelLibrary *self, const char *name, const char *path, GsModelKind kind);

/* The built-in model first, then the folder's *.safetensors files, diffusers
 * folders (with model_index.json) and pickles (.ckpt, .pt, .pth, .bin:
 * listed so the probe can say why not) by name; refused ones included.
 * Hidden names (temporaries of an add in progress) are skipped. A missing
 * folder is not an error. GsModelEntry array, owned. */
GPtrArray *gs_model_library_list(GsModelLibrary *self, GError **error);

/* A model by name (as listed; NULL or "" is the built-in one), else a path
 * to a file or folder. A name that looks like a path (has a '/' or ends in
 * .safetensors) is taken as one. The entry may be refused: check usable. */
GsModelEntry *gs_model_library_resolve(GsModelLibrary *self, const char *name_or_path, GError **error);

/* Copies (or with `link`, symlinks) a .safetensors file or a diffusers
 * folder into the folder under its own name, after probing it: a refused
 * model is not copied (GS_MODEL_LIBRARY_ERROR_REFUSED, the probe's message).
 * Of a diffusers folder only what GenStudio reads is copied: model_index.json
 * and the .json, .txt and .safetensors files of unet/, vae/, text_encoder/,
 * tokenizer/ and scheduler/ (not pickled .bin weights, not safety_checker/).
 * `progress` (may be NULL) gets bytes copied and total; cancelling leaves
 * nothing behind. Returns the new entry. */
GsModelEntry *gs_model_library_add(GsModelLibrary *self, const char *path, gboolean link,
                                   GFileProgressCallback progress, gpointer progress_data,
                                   GCancellable *cancellable, GError **error);

/* Deletes the model `name` from the folder: a copy is deleted, a link is
 * unlinked (what it points to stays). The built-in model cannot be removed. */
gboolean gs_model_library_remove(GsModelLibrary *self, const char *name, GError **error);

/* <dir>/tokenizers/clip, whether or not it exists. */
char *gs_model_library_dup_tokenizer_dir(GsModelLibrary *self);
/* It holds vocab.json + merges.txt or bpe_simple_vocab_16e6.txt.gz. */
gboolean gs_model_library_has_tokenizer(GsModelLibrary *self);
/* Copies CLIP tokenizer files into tokenizers/clip/ (atomically, replacing
 * what was there): from a diffusers SD folder (its tokenizer/vocab.json and
 * merges.txt), a tokenizer folder itself, or a file in the format of CLIP's
 * bpe_simple_vocab_16e6.txt.gz (stored under that name). The files are
 * checked to be what they claim before anything is written. */
gboolean gs_model_library_add_tokenizer(GsModelLibrary *self, const char *path, GError **error);

/* Loads `entry` with gs_diffusion_load_with_params: `params` (NULL:
 * defaults) with tokenizer_dir set to the library's when it has one and the
 * params name none. A refused entry fails with REFUSED, a single-file SD
 * checkpoint without tokenizer files with NEEDS_TOKENIZER (before reading
 * any weights), the engine's failures with GS_ENGINE_ERROR. */
gs_diffusion *gs_model_library_load(GsModelLibrary *self, gs_context *ctx, GsModelEntry *entry,
                                    const gs_diffusion_load_params *params, GError **error);

/* The failure is about missing CLIP tokenizer files (ours, or the loader's
 * message naming the tokenizer): offer "Add tokenizer files…". */
gboolean gs_model_error_is_tokenizer(const GError *error);

G_END_DECLS
