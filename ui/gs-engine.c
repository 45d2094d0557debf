/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-engine.h"

struct _GsEngine {
    GObject parent_instance;
    GMutex lock; /* one generation at a time owns ctx and model */
    gs_context *ctx;
    gs_diffusion *model;
    char *model_path;
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

static void
gs_engine_finalize(GObject *object)
{
    GsEngine *self = GS_ENGINE(object);
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
gs_engine_new(void)
{
    return g_object_new(GS_TYPE_ENGINE, NULL);
}
