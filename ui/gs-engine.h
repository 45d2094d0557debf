/* The engine as the window sees it: one Vulkan context and the loaded
 * models, used from one worker thread at a time (image and speech jobs
 * queue for it); results, step previews and progress come back on the main
 * thread.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-arranger.h"
#include "gs-image-job.h"
#include "gs-model-library.h"
#include "gs-take.h"
#include "gs-voice.h"

G_BEGIN_DECLS

#define GS_TYPE_ENGINE (gs_engine_get_type())
G_DECLARE_FINAL_TYPE(GsEngine, gs_engine, GS, ENGINE, GObject)

/* The engine the workspaces share, so that they share one Vulkan context;
 * it goes away with its last user. Main thread only. */
GsEngine *gs_engine_dup_default(void);

/* Called on the main thread for every denoising step. */
typedef void (*GsEngineStepFunc)(int step, int steps, GdkTexture *preview, gpointer user_data);

/* While a job loads an image model, the engine emits
 *   "load-progress" (const char *model_name, double fraction)
 * on the main thread. One model is kept loaded: the last one used. */

/* Loads `model` (of `library`; NULL: its built-in model) so that the next
 * image starts warm. Cancelling stops the loader between tensors; a model
 * the library refuses, or that fails to load, fails with the reason
 * (gs_model_error_is_tokenizer tells when tokenizer files would help). */
void gs_engine_load_model_async(GsEngine *self, GsModelLibrary *library, GsModelEntry *model,
                                GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean gs_engine_load_model_finish(GsEngine *self, GAsyncResult *result, GError **error);

/* Takes ownership of `request`. `model` NULL means the library's built-in
 * model; it is loaded first if it is not the one loaded. With
 * request->upscale_scale set, the image is upscaled in the same job and the
 * parameters record it. */
void gs_engine_generate_async(GsEngine *self, GsImageRequest *request, GsModelLibrary *library, GsModelEntry *model,
                              GsEngineStepFunc on_step, gpointer step_data, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
/* The image, and the parameters it was made with (free with gs_image_params_clear + g_free). */
GdkTexture *gs_engine_generate_finish(GsEngine *self, GAsyncResult *result, GsImageParams **params, GError **error);

/* While a job upscales (on its own or right after diffusion), the engine
 * emits "upscale-progress" (double fraction) on the main thread.
 *
 * Upscales `texture` ×`scale` (2, 4 or 8) with the shipped ESRGAN `variant`
 * ("slim", "medium", "thick") in the worker. A variant whose file is not
 * there fails with G_IO_ERROR_NOT_FOUND; cancelling fails with
 * GS_ENGINE_ERROR/GS_ERR_CANCELLED. */
void gs_engine_upscale_async(GsEngine *self, GdkTexture *texture, int scale, const char *variant,
                             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GdkTexture *gs_engine_upscale_finish(GsEngine *self, GAsyncResult *result, GError **error);
/* Whether the shipped upscaler `variant` ×`scale` is installed. */
gboolean gs_engine_has_upscaler(const char *variant, int scale);

/* Images of one prompt for the GAN-vs-diffusion comparison: `count` square
 * size×size RGB images in [0,1], one after the other, and the seconds
 * their generation took (loading the model not counted). */
typedef struct {
    int count, size;
    float *rgb;
    double seconds;
} GsImageBatch;

void gs_image_batch_free(GsImageBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsImageBatch, gs_image_batch_free)

/* `count` (1..64) images of `prompt` from the shipped GAN (gan-emoji32) in
 * one forward pass, image i from seeds[i]. A missing model file fails with
 * G_IO_ERROR_NOT_FOUND. */
void gs_engine_gan_async(GsEngine *self, const char *prompt, const guint64 *seeds, int count,
                         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GsImageBatch *gs_engine_gan_finish(GsEngine *self, GAsyncResult *result, GError **error);

/* Called on the main thread during a batch: the fraction done, and after
 * each image its index and the image (NULL in between). */
typedef void (*GsEngineBatchFunc)(double fraction, int index, GdkTexture *image, gpointer user_data);

/* `count` images of `request` (taken; its seed is replaced by seeds[i] for
 * image i) from the library's built-in model, one after the other.
 * Cancelling stops at the next denoising step and fails with
 * GS_ENGINE_ERROR/GS_ERR_CANCELLED or G_IO_ERROR_CANCELLED. */
void gs_engine_diffuse_batch_async(GsEngine *self, GsImageRequest *request, GsModelLibrary *library,
                                   const guint64 *seeds, int count, GsEngineBatchFunc on_progress,
                                   gpointer progress_data, GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
GsImageBatch *gs_engine_diffuse_batch_finish(GsEngine *self, GAsyncResult *result, GError **error);

/* Loads the default speech model (so that the first take starts warm) and
 * gives its voice names, a NULL-terminated array (g_strfreev), and which of
 * the espeak-ng `languages` it was trained on. */
void gs_engine_list_voices_async(GsEngine *self, const char *const *languages, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* The voices; in *voice_languages the espeak-ng language each voice
 * learned, and in *trained the codes among `languages` that the model was
 * trained on (free all three with g_strfreev; either pointer may be NULL). */
char **gs_engine_list_voices_finish(GsEngine *self, GAsyncResult *result, char ***voice_languages, char ***trained,
                                    GError **error);

/* Called on the main thread after every sentence, with the fraction of the text done. */
typedef void (*GsEngineProgressFunc)(double fraction, gpointer user_data);

/* Speaks `text` with the default speech model; `params` is copied (voice
 * NULL means the model's first). A cancelled job fails with
 * G_IO_ERROR_CANCELLED. */
void gs_engine_speak_async(GsEngine *self, const char *text, const gs_speech_params *params,
                           GsEngineProgressFunc on_progress, gpointer progress_data, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
GsTake *gs_engine_speak_finish(GsEngine *self, GAsyncResult *result, GError **error);

/* As gs_engine_speak_async, in a cloned voice: `voice` (copied) is applied
 * to the params in the worker (gs_voice_apply: its blend in place of
 * params->voice, its pitch added to params->pitch), and the take records
 * `label` as its voice. A voice fitted to another speech model fails with
 * the reason. Finish with gs_engine_speak_finish. */
void gs_engine_speak_cloned_async(GsEngine *self, const char *text, const gs_speech_params *params,
                                  const GsVoice *voice, const char *label, GsEngineProgressFunc on_progress,
                                  gpointer progress_data, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);

/* A song's vocal line (gs-music-vocals.h): plans `lyrics` over
 * `arrangement` for `voice` of the default speech model (NULL: its first),
 * or for the cloned voice `clone` when given (which must fit the model),
 * and sings it → interleaved stereo at GS_MUSIC_SAMPLE_RATE, `frames` long
 * (g_free); `*syllables`, if given, gets how many notes it sang. Blocking:
 * called from a worker thread (never the main one), it queues for the
 * engine like the jobs above and takes tens of seconds. Cancelled before
 * it starts, it fails with G_IO_ERROR_CANCELLED; bad lyrics fail with
 * G_IO_ERROR_INVALID_ARGUMENT. */
float *gs_engine_sing(GsEngine *self, const GsArrangement *arrangement, const char *lyrics, const char *voice,
                      const GsVoice *clone, gsize frames, int *syllables, GCancellable *cancellable, GError **error);

/* Voice cloning (gs-consent.h, gs-voice-clone.h), all in the worker: looks
 * up `consent_id` in the ledger at `ledger_path`, checks `recording` (mono
 * floats at GS_CONSENT_RATE) against its sentence, fits a voice to it with
 * the default speech model, spends the id and saves the voice in
 * `voices_dir` (made if missing) as "NAME.gsvoice", or "NAME 2.gsvoice"…
 * when that is taken. A refused id or recording fails with
 * GS_CONSENT_ERROR and leaves the id usable. `on_progress` gets 0 once the
 * recording has passed the check, then the fraction of the fit.
 * Cancelling stops the fit with G_IO_ERROR_CANCELLED. */
void gs_engine_clone_voice_async(GsEngine *self, const char *ledger_path, const char *consent_id, GBytes *recording,
                                 const char *voices_dir, GsEngineProgressFunc on_progress, gpointer progress_data,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
/* The path of the new .gsvoice file (g_free). */
char *gs_engine_clone_voice_finish(GsEngine *self, GAsyncResult *result, GError **error);

/* RGB floats in [0,1] → an 8-bit texture. */
GdkTexture *gs_texture_from_rgb(const float *rgb, int width, int height);
/* A texture's pixels as RGB floats in [0,1] (alpha dropped; g_free). Any thread. */
float *gs_rgb_from_texture(GdkTexture *texture, int *width, int *height);

G_END_DECLS
