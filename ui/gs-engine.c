/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <string.h>

#include "gs-engine.h"
#include "gs-speech-job.h"

struct _GsEngine {
    GObject parent_instance;
    GMutex lock; /* one job at a time owns ctx and the models */
    gs_context *ctx;
    gs_diffusion *model;
    char *model_path;
    gs_speech *speech; /* the default speech model, loaded on first use */
};

G_DEFINE_FINAL_TYPE(GsEngine, gs_engine, G_TYPE_OBJECT)

typedef struct {
    GsImageRequest request;
    char *model_path;
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
    g_free(job->model_path);
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

static gboolean
ensure_model(GsEngine *self, const char *path, GError **error)
{
    if (!self->ctx && !(self->ctx = gs_open_engine(error)))
        return FALSE;
    if (self->model && g_strcmp0(self->model_path, path) == 0)
        return TRUE;
    g_clear_pointer(&self->model, gs_diffusion_free);
    g_clear_pointer(&self->model_path, g_free);
    if (!(self->model = gs_load_diffusion(self->ctx, path, error)))
        return FALSE;
    self->model_path = g_strdup(path);
    return TRUE;
}

static void
generate_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    Job *job = data;
    g_autoptr(GError) error = NULL;
    g_autofree char *path = job->model_path ? g_strdup(job->model_path) : gs_default_model_path();
    g_autofree char *name = g_path_get_basename(path);
    char *dot = strrchr(name, '.');
    if (dot)
        *dot = '\0';

    g_mutex_lock(&self->lock);
    g_autofree float *rgb = NULL;
    if (ensure_model(self, path, &error))
        rgb = gs_image_job_run(self->ctx, self->model, name, &job->request, on_engine_step, job, &error);
    g_mutex_unlock(&self->lock);

    if (!rgb) {
        g_task_return_error(task, g_steal_pointer(&error));
        return;
    }
    GsImageParams *params = g_new0(GsImageParams, 1);
    *params = job->request.params;
    job->request.params = (GsImageParams){ 0 };
    g_object_set_data_full(G_OBJECT(task), "params", params, (GDestroyNotify)gs_image_params_free);
    g_task_return_pointer(task, gs_texture_from_rgb(rgb, params->width, params->height), g_object_unref);
}

void
gs_engine_generate_async(GsEngine *self, GsImageRequest *request, const char *model_path, GsEngineStepFunc on_step,
                         gpointer step_data, GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
    Job *job = g_new0(Job, 1);
    job->request = *request;
    *request = (GsImageRequest){ 0 };
    job->model_path = g_strdup(model_path);
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

static void
list_voices_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    GsEngine *self = source;
    g_autoptr(GError) error = NULL;
    g_autoptr(GStrvBuilder) names = g_strv_builder_new();
    g_mutex_lock(&self->lock);
    gboolean loaded = ensure_speech(self, &error);
    for (int i = 0; loaded && i < gs_speech_voice_count(self->speech); i++)
        g_strv_builder_add(names, gs_speech_voice_name(self->speech, i));
    g_mutex_unlock(&self->lock);
    if (loaded)
        g_task_return_pointer(task, g_strv_builder_end(names), (GDestroyNotify)g_strfreev);
    else
        g_task_return_error(task, g_steal_pointer(&error));
}

void
gs_engine_list_voices_async(GsEngine *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_list_voices_async);
    g_task_run_in_thread(task, list_voices_thread);
}

char **
gs_engine_list_voices_finish(GsEngine *self, GAsyncResult *result, GError **error)
{
    g_return_val_if_fail(g_task_is_valid(result, self), NULL);
    return g_task_propagate_pointer(G_TASK(result), error);
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
            job->params.voice = job->voice = g_strdup(gs_speech_voice_name(self->speech, 0));
        job->sample_rate = gs_speech_sample_rate(self->speech);
        spoken = gs_speech_job_run(self->ctx, self->speech, job->text, &job->params, collect_sentence, job,
                                   job->cancellable, &error);
    }
    g_mutex_unlock(&self->lock);
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

void
gs_engine_speak_async(GsEngine *self, const char *text, const gs_speech_params *params,
                      GsEngineProgressFunc on_progress, gpointer progress_data, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
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
    g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
    g_task_set_source_tag(task, gs_engine_speak_async);
    g_task_set_task_data(task, job, (GDestroyNotify)speech_job_free);
    g_task_run_in_thread(task, speak_thread);
}

GsTake *
gs_engine_speak_finish(GsEngine *self, GAsyncResult *result, GError **error)
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
    g_clear_pointer(&self->model, gs_diffusion_free);
    g_clear_pointer(&self->ctx, gs_context_free);
    g_clear_pointer(&self->model_path, g_free);
    g_mutex_clear(&self->lock);
    G_OBJECT_CLASS(gs_engine_parent_class)->finalize(object);
}

static void
gs_engine_class_init(GsEngineClass *klass)
{
    G_OBJECT_CLASS(klass)->finalize = gs_engine_finalize;
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
