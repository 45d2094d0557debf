/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gs-engine.h"
#include "gs-gan-job.h"
#include "gs-music-vocals.h"
#include "gs-provenance.h"
#include "gs-speech-job.h"
#include "gs-voice-clone.h"

struct _GsEngine {
    GObject parent_instance;
    GMutex lock; /* one job at a time owns ctx and the models */
    gs_context *ctx;
    gs_diffusion *model;
    char *model_key; /* which file, and which version of it, `model` is */
    gs_speech *speech; /* the default speech model, loaded on first use */
    gs_speaker_encoder *speaker_encoder; /* cloning's, loaded on first use */
    gs_upscaler *upscaler; /* the last upscaler used (small: kept) */
    char *upscaler_path;
    gs_gan *gan; /* the shipped GAN, loaded on first use (small: kept) */
    char *gan_key;
};

G_DEFINE_FINAL_TYPE(GsEngine, gs_engine, G_TYPE_OBJECT)

enum { LOAD_PROGRESS, UPSCALE_PROGRESS, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct {
    GsImageRequest request;
    GsModelLibrary *library;
    GsModelEntry *model; /* NULL: the library's built-in model */
    GsEngineStepFunc on_step;
    gpointer step_data;
    GCancellable *cancellable;
} Job;

typedef struct {
    GsEngineStepFunc on_step;
    gpointer step_data;
    int step, steps;
    GdkTexture *texture;
} StepUpdate;

static void
job_free(Job *job)
{
    gs_image_request_clear(&job->request);
    g_clear_object(&job->library);
    g_clear_object(&job->model);
    g_clear_object(&job->cancellable);
    g_free(job);
}

GdkTexture *
gs_texture_from_rgb(const float *rgb, int width, int height)
{
    gsize n = (gsize)width * height * 3;
    guint8 *bytes = g_malloc(n);
    for (gsize i = 0; i < n; i++)
        bytes[i] = (guint8)lrintf(CLAMP(rgb[i], 0.0f, 1.0f) * 255.0f);
    g_autoptr(GBytes) data = g_bytes_new_take(bytes, n);
    return gdk_memory_texture_new(width, height, GDK_MEMORY_R8G8B8, data, (gsize)width * 3);
}

float *
gs_rgb_from_texture(GdkTexture *texture, int *width, int *height)
{
    int w = gdk_texture_get_width(texture), h = gdk_texture_get_height(texture);
    g_autofree guchar *bgra = g_malloc((gsize)w * h * 4);
    gdk_texture_download(texture, bgra, (gsize)w * 4); /* GDK_MEMORY_DEFAULT: B, G, R, A premultiplied */
    float *rgb = g_new(float, (gsize)w * h * 3);
    for (gsize i = 0; i < (gsize)w * h; i++)
        for (int c = 0; c < 3; c++)
            rgb[i * 3 + c] = bgra[i * 4 + 2 - c] / 255.0f;
    *width = w;
    *height = h;
    return rgb;
}

static gboolean
deliver_step(gpointer data)
{
    StepUpdate *u = data;
    u->on_step(u->step, u->steps, u->texture, u->step_data);
    g_object_unref(u->texture);
    g_free(u);
    return G_SOURCE_REMOVE;
}

static bool
on_engine_step(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    Job *job = user_data;
    if (job->on_step) {
        StepUpdate *u = g_new0(StepUpdate, 1);
        *u = (StepUpdate){ job->on_step, job->step_data, step, steps, gs_texture_from_rgb(rgb, width, height) };
        g_main_context_invoke(NULL, deliver_step, u);
    }
    return !g_cancellable_is_cancelled(job->cancellable);
}

/* With the lock held: a lost device stays lost, so after one the models
 * and the context go, and the next job opens the device again. */
static void
unlock_after_job(GsEngine *self, const GError *error)
{
    if (error && g_error_matches(error, GS_ENGINE_ERROR, GS_ERR_DEVICE_LOST)) {
        g_warning("The Vulkan device was lost; it is opened again for the next job");
        g_clear_pointer(&self->speech, gs_speech_free);
        g_clear_pointer(&self->speaker_encoder, gs_speaker_encoder_free);
        g_clear_pointer(&self->model, gs_diffusion_free);
        g_clear_pointer(&self->model_key, g_free);
        g_clear_pointer(&self->upscaler, gs_upscaler_free);
        g_clear_pointer(&self->upscaler_path, g_free);
        g_clear_pointer(&self->gan, gs_gan_free);
        g_clear_pointer(&self->gan_key, g_free);
        g_clear_pointer(&self->ctx, gs_context_free);
    }
    g_mutex_unlock(&self->lock);
}

/* ---- image models ---------------------------------------------------------- */

typedef struct {
    GsEngine *engine;
    char *name;
    double fraction;
} LoadUpdate;

static gboolean
deliver_load_progress(gpointer data)
{
    LoadUpdate *u = data;
    g_signal_emit(u->engine, signals[LOAD_PROGRESS], 0, u->name, u->fraction);
    g_object_unref(u->engine);
    g_free(u->name);
    g_free(u);
    return G_SOURCE_REMOVE;
}

typedef struct {
    GsEngine *engine;
    const char *name;
    GCancellable *cancellable;
    gint64 last_us;
} LoadState;

/* On the worker, maybe once per tensor: passed on at most every 50 ms. */
static bool
on_load_progress(double fraction, void *user_data)
{
    LoadState *state = user_data;
    gint64 now = g_get_monotonic_time();
    if (fraction >= 1.0 || fraction == 0.0 || now - state->last_us >= 50000) {
        state->last_us = now;
        LoadUpdate *u = g_new(LoadUpdate, 1);
        *u = (LoadUpdate){ g_object_ref(state->engine), g_strdup(state->name), fraction };
        g_main_context_invoke(NULL, deliver_load_progress, u);
    }
    return !g_cancellable_is_cancelled(state->cancellable);
}

/* The path and what stat says of it: a model removed and added again under
 * the same name, or replaced by newer weights, is loaded again. */
static char *
file_key(const char *path)
{
    GStatBuf st;
    if (g_stat(path, &st) != 0)
        return g_strdup(path);
    return g_strdup_printf("%s|%llu|%lld|%lld", path, (unsigned long long)st.st_ino, (long long)st.st_mtime,
                           (long long)st.st_size);
}

/* With the lock held. */
static gboolean
ensure_model(GsEngine *self, GsModelLibrary *library, GsModelEntry *entry, GCancellable *cancellable,
             GError **error)
{
    if (g_cancellable_set_error_if_cancelled(cancellable, error))
        return FALSE;
    if (!self->ctx && !(self->ctx = gs_open_engine(error)))
        return FALSE;
    g_autofree char *key = file_key(gs_model_entry_get_path(entry));
    if (self->model && g_strcmp0(self->model_key, key) == 0)
        return TRUE;
    /* Only one model in memory: an SD checkpoint takes gigabytes. */
    g_clear_pointer(&self->model, gs_diffusion_free);
    g_clear_pointer(&self->model_key, g_free);
    LoadState state = { self, gs_model_entry_get_name(entry), cancellable, 0 };
    gs_diffusion_load_params params = gs_diffusion_load_default_params();
    params.progress = on_load_progress;
    params.user_data = &state;
    if (!(self->model = gs_model_library_load(library, self->ctx, entry, &params, error)))
        return FALSE;
    self->model_key = g_steal_pointer(&key);
    /* Hashed here, in the worker, for the provenance of the images to come. */
    gs_provenance_note_model(gs_model_entry_get_name(entry), gs_model_entry_get_path(entry));
    return TRUE;
}

static GsModelEntry *
job_model(GsModelLibrary *library, GsModelEntry *model, GError **error)
{
    return model ? g_object_ref(model) : gs_model_library_resolve(library, NULL, error);
}

typedef struct {
    GsModelLibrary *library;
    GsModelEntry *model;
} LoadJob;

static void
load_job_free(LoadJob *job)
{
    g_clear_object(&job->library);
    g_clear_object(&job->model);
    g_free(job);
}

static void
load_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    LoadJob *job = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsModelEntry) entry = job_model(job->library, job->model, &error);
    g_mutex_lock(&self->lock);
    gboolean loaded = entry && ensure_model(self, job->library, entry, cancellable, &error);
    unlock_after_job(self, error);
    if (loaded)
        g_task_return_boolean(task, TRUE);
    else
        g_task_return_error(task, g_steal_pointer(&error));
}

void
gs_engine_load_model_async(GsEngine *self, GsModelLibrary *library, GsModelEntry *model, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_ENGINE(self) && GS_IS_MODEL_LIBRARY(library));
    LoadJob *job = g_new0(LoadJob, 1);
    job->library = g_object_ref(library);
    job->model = model ? g_object_ref(model) : NULL;
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_load_model_async);
    g_task_set_task_data(task, job, (GDestroyNotify)load_job_free);
    g_task_run_in_thread(task, load_thread);
}

gboolean
gs_engine_load_model_finish(GsEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
    return g_task_propagate_boolean(G_TASK(result), error);
}

/* ---- upscaling ------------------------------------------------------------ */

gboolean
gs_engine_has_upscaler(const char *variant, int scale)
{
    g_autofree char *path = gs_shipped_upscaler_path(variant, scale);
    return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

typedef struct {
    GsEngine *engine;
    GCancellable *cancellable;
    gint64 last_us;
} UpscaleState;

typedef struct {
    GsEngine *engine;
    double fraction;
} UpscaleUpdate;

static gboolean
deliver_upscale_progress(gpointer data)
{
    UpscaleUpdate *u = data;
    g_signal_emit(u->engine, signals[UPSCALE_PROGRESS], 0, u->fraction);
    g_object_unref(u->engine);
    g_free(u);
    return G_SOURCE_REMOVE;
}

/* On the worker, once per tile: passed on at most every 50 ms. */
static bool
on_upscale_progress(double fraction, void *user_data)
{
    UpscaleState *state = user_data;
    gint64 now = g_get_monotonic_time();
    if (fraction >= 1.0 || now - state->last_us >= 50000) {
        state->last_us = now;
        UpscaleUpdate *u = g_new(UpscaleUpdate, 1);
        *u = (UpscaleUpdate){ g_object_ref(state->engine), fraction };
        g_main_context_invoke(NULL, deliver_upscale_progress, u);
    }
    return !g_cancellable_is_cancelled(state->cancellable);
}

/* With the lock held: `rgb` (w×h) ×scale, or NULL with an error. */
static float *
upscale_locked(GsEngine *self, const float *rgb, int w, int h, int scale, const char *variant,
               GCancellable *cancellable, GError **error)
{
    if (g_cancellable_set_error_if_cancelled(cancellable, error))
        return NULL;
    if (!self->ctx && !(self->ctx = gs_open_engine(error)))
        return NULL;
    g_autofree char *path = gs_shipped_upscaler_path(variant, scale);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No upscaler at %s", path);
        return NULL;
    }
    if (!self->upscaler || g_strcmp0(self->upscaler_path, path) != 0) {
        g_clear_pointer(&self->upscaler, gs_upscaler_free);
        g_clear_pointer(&self->upscaler_path, g_free);
        gs_status st = gs_upscaler_load(self->ctx, path, &self->upscaler);
        if (st != GS_OK) {
            self->upscaler = NULL;
            gs_set_engine_error(error, self->ctx, st, "Cannot load the upscaler");
            return NULL;
        }
        self->upscaler_path = g_strdup(path);
    }
    float *out = g_try_malloc((gsize)w * h * scale * scale * 3 * sizeof *out);
    if (!out) {
        g_set_error(error, GS_ENGINE_ERROR, GS_ERR_OUT_OF_MEMORY, "Out of memory for a %d×%d image", w * scale,
                    h * scale);
        return NULL;
    }
    UpscaleState state = { self, cancellable, 0 };
    gs_upscaler_params params = gs_upscaler_default_params();
    params.progress = on_upscale_progress;
    params.user_data = &state;
    gs_status st = gs_upscaler_run(self->upscaler, rgb, w, h, out, &params);
    if (st != GS_OK) {
        gs_set_engine_error(error, self->ctx, st, "Cannot upscale");
        g_free(out);
        return NULL;
    }
    return out;
}

typedef struct {
    GdkTexture *texture;
    int scale;
    char *variant;
} UpscaleJob;

static void
upscale_job_free(UpscaleJob *job)
{
    g_clear_object(&job->texture);
    g_free(job->variant);
    g_free(job);
}

static void
upscale_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    UpscaleJob *job = data;
    g_autoptr(GError) error = NULL;
    int w, h;
    g_autofree float *rgb = gs_rgb_from_texture(job->texture, &w, &h);
    g_mutex_lock(&self->lock);
    g_autofree float *out = upscale_locked(self, rgb, w, h, job->scale, job->variant, cancellable, &error);
    unlock_after_job(self, error);
    if (!out)
        g_task_return_error(task, g_steal_pointer(&error));
    else
        g_task_return_pointer(task, gs_texture_from_rgb(out, w * job->scale, h * job->scale), g_object_unref);
}

void
gs_engine_upscale_async(GsEngine *self, GdkTexture *texture, int scale, const char *variant,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_ENGINE(self) && GDK_IS_TEXTURE(texture) && variant);
    UpscaleJob *job = g_new0(UpscaleJob, 1);
    job->texture = g_object_ref(texture);
    job->scale = scale;
    job->variant = g_strdup(variant);
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_upscale_async);
    g_task_set_task_data(task, job, (GDestroyNotify)upscale_job_free);
    g_task_run_in_thread(task, upscale_thread);
}

GdkTexture *
gs_engine_upscale_finish(GsEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- generating ------------------------------------------------------------ */

static void
generate_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    Job *job = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsModelEntry) entry = job_model(job->library, job->model, &error);

    g_mutex_lock(&self->lock);
    g_autofree float *rgb = NULL;
    if (entry && ensure_model(self, job->library, entry, job->cancellable, &error))
        rgb = gs_image_job_run(self->ctx, self->model, gs_model_entry_get_name(entry), &job->request, on_engine_step,
                               job, &error);
    /* The size the model drew at; the upscale pass, if any, multiplies it. */
    int scale = 1, w = job->request.params.width, h = job->request.params.height;
    if (rgb && job->request.upscale_scale > 1) {
        scale = job->request.upscale_scale;
        const char *variant = job->request.upscale_variant ? job->request.upscale_variant : "slim";
        float *big = upscale_locked(self, rgb, w, h, scale, variant, job->cancellable, &error);
        g_free(rgb);
        rgb = big;
        if (rgb) {
            g_autofree char *entry_text = gs_upscale_entry(scale, variant);
            gs_image_params_add_upscale(&job->request.params, entry_text);
        }
    }
    unlock_after_job(self, error);

    if (!rgb) {
        g_task_return_error(task, g_steal_pointer(&error));
        return;
    }
    GsImageParams *params = g_new0(GsImageParams, 1);
    *params = job->request.params;
    job->request.params = (GsImageParams){ 0 };
    g_object_set_data_full(G_OBJECT(task), "params", params, (GDestroyNotify)gs_image_params_free);
    g_task_return_pointer(task, gs_texture_from_rgb(rgb, w * scale, h * scale), g_object_unref);
}

void
gs_engine_generate_async(GsEngine *self, GsImageRequest *request, GsModelLibrary *library, GsModelEntry *model,
                         GsEngineStepFunc on_step, gpointer step_data, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_ENGINE(self) && GS_IS_MODEL_LIBRARY(library));
    Job *job = g_new0(Job, 1);
    job->request = *request;
    *request = (GsImageRequest){ 0 };
    job->library = g_object_ref(library);
    job->model = model ? g_object_ref(model) : NULL;
    job->on_step = on_step;
    job->step_data = step_data;
    job->cancellable = cancellable ? g_object_ref(cancellable) : g_cancellable_new();
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_generate_async);
    g_task_set_task_data(task, job, (GDestroyNotify)job_free);
    g_task_run_in_thread(task, generate_thread);
}

GdkTexture *
gs_engine_generate_finish(GsEngine *self, GAsyncResult *result, GsImageParams **params, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    GdkTexture *texture = g_task_propagate_pointer(G_TASK(result), error);
    if (texture && params)
        *params = g_object_steal_data(G_OBJECT(result), "params");
    return texture;
}

/* ---- batches for the GAN-vs-diffusion comparison ------------------------- */

void
gs_image_batch_free(GsImageBatch *batch)
{
    g_free(batch->rgb);
    g_free(batch);
}

static GsImageBatch *
image_batch_new(int count, int size, float *rgb, double seconds)
{
    GsImageBatch *batch = g_new(GsImageBatch, 1);
    *batch = (GsImageBatch){ count, size, rgb, seconds };
    return batch;
}

typedef struct {
    char *prompt;
    guint64 *seeds;
    int count;
} GanJob;

static void
gan_job_free(GanJob *job)
{
    g_free(job->prompt);
    g_free(job->seeds);
    g_free(job);
}

/* With the lock held. */
static gboolean
ensure_gan(GsEngine *self, GError **error)
{
    if (!self->ctx && !(self->ctx = gs_open_engine(error)))
        return FALSE;
    g_autofree char *path = gs_gan_model_path(GS_GAN_BUILTIN_NAME);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No GAN at %s", path);
        return FALSE;
    }
    g_autofree char *key = file_key(path);
    if (self->gan && g_strcmp0(self->gan_key, key) == 0)
        return TRUE;
    g_clear_pointer(&self->gan, gs_gan_free);
    g_clear_pointer(&self->gan_key, g_free);
    if (!(self->gan = gs_load_gan(self->ctx, path, error)))
        return FALSE;
    self->gan_key = g_steal_pointer(&key);
    return TRUE;
}

static void
gan_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    GanJob *job = data;
    g_autoptr(GError) error = NULL;
    g_autofree float *rgb = NULL;
    int size = 0;
    gint64 start = 0, end = 0;
    g_mutex_lock(&self->lock);
    if (!g_cancellable_set_error_if_cancelled(cancellable, &error) && ensure_gan(self, &error)) {
        start = g_get_monotonic_time();
        rgb = gs_gan_job_run(self->ctx, self->gan, job->prompt, job->seeds, job->count, &size, &error);
        end = g_get_monotonic_time();
    }
    unlock_after_job(self, error);
    if (!rgb)
        g_task_return_error(task, g_steal_pointer(&error));
    else
        g_task_return_pointer(task, image_batch_new(job->count, size, g_steal_pointer(&rgb), (end - start) / 1e6),
                              (GDestroyNotify)gs_image_batch_free);
}

void
gs_engine_gan_async(GsEngine *self, const char *prompt, const guint64 *seeds, int count, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_ENGINE(self) && prompt && seeds && count > 0);
    GanJob *job = g_new0(GanJob, 1);
    job->prompt = g_strdup(prompt);
    job->seeds = g_memdup2(seeds, sizeof *seeds * count);
    job->count = count;
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_gan_async);
    g_task_set_task_data(task, job, (GDestroyNotify)gan_job_free);
    g_task_run_in_thread(task, gan_thread);
}

GsImageBatch *
gs_engine_gan_finish(GsEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

typedef struct {
    GsImageRequest request;
    GsModelLibrary *library;
    guint64 *seeds;
    int count;
    int index; /* the image being made */
    GsEngineBatchFunc on_progress;
    gpointer progress_data;
    GCancellable *cancellable;
} BatchJob;

typedef struct {
    GsEngineBatchFunc on_progress;
    gpointer progress_data;
    double fraction;
    int index;
    GdkTexture *image;
} BatchUpdate;

static void
batch_job_free(BatchJob *job)
{
    gs_image_request_clear(&job->request);
    g_clear_object(&job->library);
    g_free(job->seeds);
    g_clear_object(&job->cancellable);
    g_free(job);
}

static gboolean
deliver_batch_progress(gpointer data)
{
    BatchUpdate *u = data;
    u->on_progress(u->fraction, u->index, u->image, u->progress_data);
    g_clear_object(&u->image);
    g_free(u);
    return G_SOURCE_REMOVE;
}

/* Takes `image`. */
static void
post_batch_progress(BatchJob *job, double fraction, GdkTexture *image)
{
    if (!job->on_progress) {
        g_clear_object(&image);
        return;
    }
    BatchUpdate *u = g_new(BatchUpdate, 1);
    *u = (BatchUpdate){ job->on_progress, job->progress_data, fraction, job->index, image };
    g_main_context_invoke(NULL, deliver_batch_progress, u);
}

static bool
on_batch_step(int step, int steps, const float *rgb, int width, int height, void *user_data)
{
    BatchJob *job = user_data;
    post_batch_progress(job, (job->index + (double)step / steps) / job->count, NULL);
    return !g_cancellable_is_cancelled(job->cancellable);
}

/* With the lock held: the images one after the other, or NULL. */
static float *
diffuse_batch_locked(GsEngine *self, BatchJob *job, const char *model_name, int *size, double *seconds,
                     GError **error)
{
    g_autofree float *all = NULL;
    for (job->index = 0; job->index < job->count; job->index++) {
        if (g_cancellable_set_error_if_cancelled(job->cancellable, error))
            return NULL;
        job->request.params.seed = job->seeds[job->index];
        gint64 start = g_get_monotonic_time();
        g_autofree float *rgb =
            gs_image_job_run(self->ctx, self->model, model_name, &job->request, on_batch_step, job, error);
        *seconds += (g_get_monotonic_time() - start) / 1e6;
        if (!rgb)
            return NULL;
        int w = job->request.params.width, h = job->request.params.height;
        if (w != h) { /* the figures compare square thumbnails */
            g_set_error(error, GS_ENGINE_ERROR, GS_ERR_INVALID_ARGUMENT, "%s draws %d×%d images, not square ones",
                        model_name, w, h);
            return NULL;
        }
        gsize floats = (gsize)w * h * 3;
        if (!all)
            all = g_new(float, floats * job->count);
        memcpy(all + floats * job->index, rgb, floats * sizeof *rgb);
        *size = w;
        post_batch_progress(job, (job->index + 1.0) / job->count, gs_texture_from_rgb(rgb, w, h));
    }
    return g_steal_pointer(&all);
}

static void
diffuse_batch_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    BatchJob *job = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsModelEntry) entry = gs_model_library_resolve(job->library, NULL, &error);
    g_autofree float *rgb = NULL;
    int size = 0;
    double seconds = 0;
    g_mutex_lock(&self->lock);
    if (entry && ensure_model(self, job->library, entry, job->cancellable, &error))
        rgb = diffuse_batch_locked(self, job, gs_model_entry_get_name(entry), &size, &seconds, &error);
    unlock_after_job(self, error);
    if (!rgb)
        g_task_return_error(task, g_steal_pointer(&error));
    else
        g_task_return_pointer(task, image_batch_new(job->count, size, g_steal_pointer(&rgb), seconds),
                              (GDestroyNotify)gs_image_batch_free);
}

void
gs_engine_diffuse_batch_async(GsEngine *self, GsImageRequest *request, GsModelLibrary *library, const guint64 *seeds,
                              int count, GsEngineBatchFunc on_progress, gpointer progress_data,
                              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_ENGINE(self) && GS_IS_MODEL_LIBRARY(library) && seeds && count > 0);
    BatchJob *job = g_new0(BatchJob, 1);
    job->request = *request;
    *request = (GsImageRequest){ 0 };
    job->library = g_object_ref(library);
    job->seeds = g_memdup2(seeds, sizeof *seeds * count);
    job->count = count;
    job->on_progress = on_progress;
    job->progress_data = progress_data;
    job->cancellable = cancellable ? g_object_ref(cancellable) : g_cancellable_new();
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_diffuse_batch_async);
    g_task_set_task_data(task, job, (GDestroyNotify)batch_job_free);
    g_task_run_in_thread(task, diffuse_batch_thread);
}

GsImageBatch *
gs_engine_diffuse_batch_finish(GsEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- speech ------------------------------------------------------------- */

typedef struct {
    char *text, *voice, *lang;
    gs_speech_params params; /* voice and lang point at the strings above */
    GsEngineProgressFunc on_progress;
    gpointer progress_data;
    GCancellable *cancellable;
    /* what the worker collects, sentence by sentence */
    int sample_rate;
    GArray *samples; /* floats */
    GPtrArray *mels; /* GBytes, one [mel_bins, frames] block per sentence */
    int mel_bins, mel_frames;
    GsVoice *clone; /* a cloned voice in place of params.voice, or NULL */
    float *clone_blend; /* its blend over the model's voices, which params.voice_blend points at */
    char *clone_label; /* the take's voice then */
} SpeechJob;

typedef struct {
    GsEngineProgressFunc on_progress;
    gpointer progress_data;
    double fraction;
} ProgressUpdate;

static void
speech_job_free(SpeechJob *job)
{
    g_free(job->text);
    g_free(job->voice);
    g_free(job->lang);
    g_clear_object(&job->cancellable);
    g_clear_pointer(&job->samples, g_array_unref);
    g_ptr_array_unref(job->mels);
    g_clear_pointer(&job->clone, gs_voice_free);
    g_free(job->clone_blend);
    g_free(job->clone_label);
    g_free(job);
}

static gboolean
ensure_speech(GsEngine *self, GError **error)
{
    if (!self->ctx && !(self->ctx = gs_open_engine(error)))
        return FALSE;
    if (self->speech)
        return TRUE;
    g_autofree char *path = gs_default_speech_model_path();
    self->speech = gs_load_speech(self->ctx, path, error);
    return self->speech != NULL;
}

/* The task's result: [0] the voices, [1] the trained languages. */
static void
free_voice_lists(gpointer data)
{
    char ***lists = data;
    for (int i = 0; i < 3; i++)
        g_strfreev(lists[i]);
    g_free(lists);
}

static void
list_voices_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    const char *const *languages = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GStrvBuilder) names = g_strv_builder_new();
    g_autoptr(GStrvBuilder) voice_languages = g_strv_builder_new();
    g_autoptr(GStrvBuilder) trained = g_strv_builder_new();
    g_mutex_lock(&self->lock);
    gboolean loaded = ensure_speech(self, &error);
    for (int i = 0; loaded && i < gs_speech_voice_count(self->speech); i++) {
        g_strv_builder_add(names, gs_speech_voice_name(self->speech, i));
        g_strv_builder_add(voice_languages, gs_speech_voice_language(self->speech, i));
    }
    for (gsize i = 0; loaded && languages && languages[i]; i++)
        if (gs_speech_knows_language(self->speech, languages[i]))
            g_strv_builder_add(trained, languages[i]);
    unlock_after_job(self, error);
    if (!loaded) {
        g_task_return_error(task, g_steal_pointer(&error));
        return;
    }
    char ***lists = g_new(char **, 3);
    lists[0] = g_strv_builder_end(names);
    lists[1] = g_strv_builder_end(voice_languages);
    lists[2] = g_strv_builder_end(trained);
    g_task_return_pointer(task, lists, free_voice_lists);
}

void
gs_engine_list_voices_async(GsEngine *self, const char *const *languages, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_list_voices_async);
    g_task_set_task_data(task, g_strdupv((char **)languages), (GDestroyNotify)g_strfreev);
    g_task_run_in_thread(task, list_voices_thread);
}

char **
gs_engine_list_voices_finish(GsEngine *self, GAsyncResult *result, char ***voice_languages, char ***trained,
                             GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    char ***lists = g_task_propagate_pointer(G_TASK(result), error);
    if (!lists)
        return NULL;
    char **voices = lists[0];
    char ***wanted[] = { NULL, voice_languages, trained };
    for (int i = 1; i < 3; i++) {
        if (wanted[i])
            *wanted[i] = lists[i];
        else
            g_strfreev(lists[i]);
    }
    g_free(lists);
    return voices;
}

static gboolean
deliver_progress(gpointer data)
{
    ProgressUpdate *u = data;
    u->on_progress(u->fraction, u->progress_data);
    g_free(u);
    return G_SOURCE_REMOVE;
}

/* On the worker: the engine's buffers are only valid during the call. */
static gboolean
collect_sentence(const gs_speech_chunk *chunk, gpointer user_data, GError **error)
{
    SpeechJob *job = user_data;
    g_array_append_vals(job->samples, chunk->samples, (guint)chunk->sample_count);
    if (chunk->mel_frames > 0 && (job->mel_bins == 0 || job->mel_bins == chunk->mel_bins)) {
        job->mel_bins = chunk->mel_bins;
        job->mel_frames += chunk->mel_frames;
        g_ptr_array_add(job->mels,
                        g_bytes_new(chunk->mel, (gsize)chunk->mel_bins * chunk->mel_frames * sizeof(float)));
    }
    if (job->on_progress) {
        ProgressUpdate *u = g_new(ProgressUpdate, 1);
        *u = (ProgressUpdate){ job->on_progress, job->progress_data, chunk->progress };
        g_main_context_invoke(NULL, deliver_progress, u);
    }
    return TRUE;
}

/* The sentences' spectrograms side by side, still [bins, frames] row-major. */
static GBytes *
join_mels(SpeechJob *job)
{
    gsize total = job->mel_frames;
    float *mel = g_new(float, (gsize)job->mel_bins * total);
    gsize first_frame = 0;
    for (guint i = 0; i < job->mels->len; i++) {
        gsize size;
        const float *block = g_bytes_get_data(g_ptr_array_index(job->mels, i), &size);
        gsize frames = size / sizeof(float) / job->mel_bins;
        for (int bin = 0; bin < job->mel_bins; bin++)
            memcpy(mel + bin * total + first_frame, block + bin * frames, frames * sizeof(float));
        first_frame += frames;
    }
    return g_bytes_new_take(mel, (gsize)job->mel_bins * total * sizeof(float));
}

static void
speak_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    SpeechJob *job = data;
    g_autoptr(GError) error = NULL;
    g_mutex_lock(&self->lock);
    /* A job cancelled while it queued for the engine stops before it starts. */
    gboolean spoken = !g_cancellable_set_error_if_cancelled(job->cancellable, &error) && ensure_speech(self, &error);
    if (spoken) {
        if (!job->params.voice) /* the take records the voice it was said in */
            job->params.voice = job->voice = g_strdup(gs_speech_default_voice(self->speech, job->params.lang));
        float pitch = job->params.pitch;
        spoken = !job->clone ||
                 (job->clone_blend = gs_voice_apply(job->clone, self->speech, &job->params, &error)) != NULL;
        job->sample_rate = gs_speech_sample_rate(self->speech);
        spoken = spoken && gs_speech_job_run(self->ctx, self->speech, job->text, &job->params, collect_sentence,
                                             job, job->cancellable, &error);
        if (job->clone) { /* the take records the clone, and the pitch asked for on top of its own */
            job->params.voice = job->clone_label;
            job->params.voice_blend = NULL;
            job->params.pitch = pitch;
        }
    }
    unlock_after_job(self, error);
    if (!spoken) {
        g_task_return_error(task, g_steal_pointer(&error));
        return;
    }
    gsize sample_bytes = job->samples->len * sizeof(float);
    g_autoptr(GBytes) samples = g_bytes_new_take(g_array_free(g_steal_pointer(&job->samples), FALSE), sample_bytes);
    g_autoptr(GBytes) mel = join_mels(job);
    g_task_return_pointer(task,
                          gs_take_new(job->text, &job->params, samples, job->sample_rate, mel, job->mel_bins,
                                      job->mel_frames),
                          g_object_unref);
}

static SpeechJob *
speech_job_new(const char *text, const gs_speech_params *params, GsEngineProgressFunc on_progress,
               gpointer progress_data, GCancellable *cancellable)
{
    SpeechJob *job = g_new0(SpeechJob, 1);
    job->text = g_strdup(text);
    job->voice = g_strdup(params->voice);
    job->lang = g_strdup(params->lang);
    job->params = *params;
    job->params.voice = job->voice;
    job->params.lang = job->lang;
    job->on_progress = on_progress;
    job->progress_data = progress_data;
    job->cancellable = cancellable ? g_object_ref(cancellable) : g_cancellable_new();
    job->samples = g_array_new(FALSE, FALSE, sizeof(float));
    job->mels = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    return job;
}

static void
speech_job_run(GsEngine *self, SpeechJob *job, GCancellable *cancellable, GAsyncReadyCallback callback,
               gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_speak_async);
    g_task_set_task_data(task, job, (GDestroyNotify)speech_job_free);
    g_task_run_in_thread(task, speak_thread);
}

void
gs_engine_speak_async(GsEngine *self, const char *text, const gs_speech_params *params,
                      GsEngineProgressFunc on_progress, gpointer progress_data, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
    speech_job_run(self, speech_job_new(text, params, on_progress, progress_data, cancellable), cancellable,
                   callback, user_data);
}

/* The job speaks with its own copy of the voice: the page's list may change meanwhile. */
void
gs_engine_speak_cloned_async(GsEngine *self, const char *text, const gs_speech_params *params, const GsVoice *voice,
                             const char *label, GsEngineProgressFunc on_progress, gpointer progress_data,
                             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_ENGINE(self) && voice && label);
    SpeechJob *job = speech_job_new(text, params, on_progress, progress_data, cancellable);
    job->clone = gs_voice_copy(voice);
    job->clone_label = g_strdup(label);
    speech_job_run(self, job, cancellable, callback, user_data);
}

GsTake *
gs_engine_speak_finish(GsEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- singing -------------------------------------------------------------- */

float *
gs_engine_sing(GsEngine *self, const GsArrangement *arrangement, const char *lyrics, const char *voice,
               const GsVoice *clone, gsize frames, int *syllables, GCancellable *cancellable, GError **error)
{
    g_return_val_if_fail(GS_IS_ENGINE(self) && arrangement && lyrics, NULL);
    g_return_val_if_fail(!g_main_context_is_owner(g_main_context_default()), NULL);
    g_autoptr(GError) local = NULL;
    float *stem = NULL;
    g_mutex_lock(&self->lock);
    GsSinger singer = { .voice = voice };
    gs_speech_params fitted = gs_speech_default_params();
    g_autofree float *blend = NULL;
    if (!g_cancellable_set_error_if_cancelled(cancellable, &local) && ensure_speech(self, &local) &&
        (!clone || (blend = gs_voice_apply(clone, self->speech, &fitted, &local)))) {
        if (clone)
            singer = (GsSinger){ .blend = fitted.voice_blend, .pitch = clone->pitch };
        g_autoptr(GsVocalLine) line = gs_vocal_line_plan(self->ctx, self->speech, &singer, arrangement, lyrics, &local);
        stem = line ? gs_vocal_line_render(self->ctx, self->speech, &singer, line, frames, &local) : NULL;
        if (stem && syllables)
            *syllables = line->n_notes;
    }
    unlock_after_job(self, local);
    if (!stem)
        g_propagate_error(error, g_steal_pointer(&local));
    return stem;
}

/* ---- voice cloning -------------------------------------------------------- */

typedef struct {
    char *ledger_path, *consent_id, *voices_dir;
    GBytes *recording; /* floats at GS_CONSENT_RATE */
    GsEngineProgressFunc on_progress;
    gpointer progress_data;
    GCancellable *cancellable;
} CloneJob;

static void
clone_job_free(CloneJob *job)
{
    g_free(job->ledger_path);
    g_free(job->consent_id);
    g_free(job->voices_dir);
    g_bytes_unref(job->recording);
    g_clear_object(&job->cancellable);
    g_free(job);
}

static void
post_clone_progress(CloneJob *job, double fraction)
{
    if (!job->on_progress)
        return;
    ProgressUpdate *u = g_new(ProgressUpdate, 1);
    *u = (ProgressUpdate){ job->on_progress, job->progress_data, fraction };
    g_main_context_invoke(NULL, deliver_progress, u);
}

/* On the worker, during the fit. */
static gboolean
on_clone_progress(double fraction, gpointer user_data)
{
    CloneJob *job = user_data;
    post_clone_progress(job, fraction);
    return !g_cancellable_is_cancelled(job->cancellable);
}

/* Saves `voice` in `dir` under the first free name of "NAME.gsvoice",
 * "NAME 2.gsvoice"…: the name is claimed with an exclusive create, then
 * replaced atomically by the voice. */
static char *
save_voice_uniquely(const GsVoice *voice, const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        int saved = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "Cannot make the voices folder %s: %s", dir,
                    g_strerror(saved));
        return NULL;
    }
    for (int n = 1; n < 1000; n++) {
        g_autofree char *base = n == 1 ? g_strdup_printf("%s%s", voice->name, GS_VOICE_EXTENSION)
                                       : g_strdup_printf("%s %d%s", voice->name, n, GS_VOICE_EXTENSION);
        g_autofree char *path = g_build_filename(dir, base, NULL);
        int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0) {
            int saved = errno;
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "Cannot write %s: %s", path,
                        g_strerror(saved));
            return NULL;
        }
        close(fd);
        if (!gs_voice_save(voice, path, error)) {
            g_remove(path);
            return NULL;
        }
        return g_steal_pointer(&path);
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "There are too many voices called “%s” in %s", voice->name,
                dir);
    return NULL;
}

static void
clone_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    CloneJob *job = data;
    g_autoptr(GError) error = NULL;
    gsize size = 0;
    const float *samples = g_bytes_get_data(job->recording, &size);
    gsize count = size / sizeof(float);
    g_autoptr(GsConsentRequest) request =
        gs_consent_lookup(job->ledger_path, job->consent_id, g_get_real_time() / G_USEC_PER_SEC, &error);
    /* The check needs no engine: it runs before queueing for it. */
    g_autoptr(GsConsentCheck) check = request ? gs_consent_check_recording(request, samples, count, &error) : NULL;
    g_autoptr(GsVoice) voice = NULL;
    if (check) {
        post_clone_progress(job, 0.0);
        g_mutex_lock(&self->lock);
        if (!g_cancellable_set_error_if_cancelled(job->cancellable, &error) && ensure_speech(self, &error) &&
            (self->speaker_encoder || (self->speaker_encoder = gs_load_default_speaker_encoder(self->ctx, &error))))
            voice = gs_voice_clone(self->ctx, self->speech, self->speaker_encoder, request, check, samples, count,
                                   on_clone_progress, job, &error);
        unlock_after_job(self, error);
    }
    /* As the CLI does: the id is spent only once the voice exists, and if
     * another process spent it meanwhile, nothing is written. */
    g_autofree char *path = NULL;
    if (voice && gs_consent_spend(job->ledger_path, job->consent_id, g_get_real_time() / G_USEC_PER_SEC, &error))
        path = save_voice_uniquely(voice, job->voices_dir, &error);
    if (!path)
        g_task_return_error(task, g_steal_pointer(&error));
    else
        g_task_return_pointer(task, g_steal_pointer(&path), g_free);
}

void
gs_engine_clone_voice_async(GsEngine *self, const char *ledger_path, const char *consent_id, GBytes *recording,
                            const char *voices_dir, GsEngineProgressFunc on_progress, gpointer progress_data,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
    g_return_if_fail(GS_IS_ENGINE(self) && ledger_path && consent_id && recording && voices_dir);
    CloneJob *job = g_new0(CloneJob, 1);
    job->ledger_path = g_strdup(ledger_path);
    job->consent_id = g_strdup(consent_id);
    job->voices_dir = g_strdup(voices_dir);
    job->recording = g_bytes_ref(recording);
    job->on_progress = on_progress;
    job->progress_data = progress_data;
    job->cancellable = cancellable ? g_object_ref(cancellable) : g_cancellable_new();
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_clone_voice_async);
    g_task_set_task_data(task, job, (GDestroyNotify)clone_job_free);
    g_task_run_in_thread(task, clone_thread);
}

char *
gs_engine_clone_voice_finish(GsEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_engine_finalize(GObject *object)
{
    GsEngine *self = GS_ENGINE(object);
    g_clear_pointer(&self->speech, gs_speech_free);
    g_clear_pointer(&self->speaker_encoder, gs_speaker_encoder_free);
    g_clear_pointer(&self->model, gs_diffusion_free);
    g_clear_pointer(&self->upscaler, gs_upscaler_free);
    g_clear_pointer(&self->upscaler_path, g_free);
    g_clear_pointer(&self->gan, gs_gan_free);
    g_clear_pointer(&self->gan_key, g_free);
    g_clear_pointer(&self->ctx, gs_context_free);
    g_clear_pointer(&self->model_key, g_free);
    g_mutex_clear(&self->lock);
    G_OBJECT_CLASS(gs_engine_parent_class)->finalize(object);
}

static void
gs_engine_class_init(GsEngineClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = gs_engine_finalize;
    signals[LOAD_PROGRESS] = g_signal_new("load-progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_DOUBLE);
    signals[UPSCALE_PROGRESS] = g_signal_new("upscale-progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                             NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

static void
gs_engine_init(GsEngine *self)
{
    g_mutex_init(&self->lock);
}

GsEngine *
gs_engine_dup_default(void)
{
    static GsEngine *shared; /* weak: cleared when the last user lets go */
    if (shared)
        return g_object_ref(shared);
    shared = g_object_new(GS_TYPE_ENGINE, NULL);
    g_object_add_weak_pointer(G_OBJECT(shared), (gpointer *)&shared);
    return shared;
}
