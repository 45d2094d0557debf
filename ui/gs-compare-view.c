/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "gs-compare-view.h"
#include "gs-emoji-reference.h"
#include "gs-image-job.h"

#define GRID_SIDE 4
#define CELL_SIDE 96 /* a 32² sample enlarged ×3, nearest neighbour: crisp pixels */

typedef struct {
    GtkLabel *heading, *diversity, *adherence, *timing;
    GtkGrid *grid;
    GtkPicture *cells[GS_COMPARE_COUNT];
    GsImageBatch *batch; /* once all its images are made */
    double diversity_value, adherence_value;
} Side;

struct _GsCompareView {
    GtkWidget parent_instance;

    /* template */
    GtkWidget *scroller; /* bound so that dispose_template unparents it */
    GtkLabel *prompt_label, *seeds_label, *error_label;
    GtkProgressBar *progress;
    Side sides[2]; /* GsCompareSide */

    char *prompt;
    int steps;
    gs_sampler sampler; /* the built-in model's default, with its guidance */
    float cfg_scale;
    guint64 base_seed;
    GsEngine *engine;
    GsModelLibrary *library;
    GsEmojiReference *reference; /* loaded for the first comparison */
    char *reference_error;       /* why it could not be, then */

    /* the comparison running or shown */
    GCancellable *cancellable;
    char *run_prompt;
    guint64 seeds[GS_COMPARE_COUNT];
    int group;              /* the emoji group the prompt asks for, or -1 */
    double group_diversity; /* of that group's training images */
    gint64 started_us, diffusion_started_us;
};

G_DEFINE_FINAL_TYPE(GsCompareView, gs_compare_view, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_PROMPT, PROP_STEPS, PROP_BASE_SEED, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
update_actions(GsCompareView *self)
{
    gboolean running = self->cancellable != NULL;
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "compare.run", !running);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "compare.new-seeds", !running);
    gtk_widget_action_set_enabled(GTK_WIDGET(self), "compare.cancel", running);
}

static char *
seconds_text(double seconds)
{
    return seconds < 10 ? g_strdup_printf(_("%.2f s"), seconds) : g_strdup_printf(_("%.0f s"), seconds);
}

/* GtkPicture filters linearly when it scales (GTK 4.8 has no nearest
 * filter): the cell gets the sample already enlarged, shown at its size. */
static GdkTexture *
cell_texture(const float *rgb, int size)
{
    int factor = MAX(1, CELL_SIDE / size), side = size * factor;
    gsize stride = (gsize)side * 3;
    guint8 *bytes = g_malloc(stride * side);
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
            for (int c = 0; c < 3; c++) {
                float v = rgb[((gsize)(y / factor) * size + x / factor) * 3 + c];
                bytes[y * stride + x * 3 + c] = (guint8)lrintf(CLAMP(v, 0.0f, 1.0f) * 255.0f);
            }
    g_autoptr(GBytes) data = g_bytes_new_take(bytes, stride * side);
    return gdk_memory_texture_new(side, side, GDK_MEMORY_R8G8B8, data, stride);
}

static void
set_cell(GsCompareView *self, GsCompareSide which, int index, const float *rgb, int size)
{
    GtkPicture *cell = self->sides[which].cells[index];
    g_autoptr(GdkTexture) texture = cell_texture(rgb, size);
    gtk_picture_set_paintable(cell, GDK_PAINTABLE(texture));
    g_autofree char *tip = g_strdup_printf(_("Seed %" G_GUINT64_FORMAT), self->seeds[index]);
    gtk_widget_set_tooltip_text(GTK_WIDGET(cell), tip);
}

static void
clear_side(Side *side)
{
    g_clear_pointer(&side->batch, gs_image_batch_free);
    for (int i = 0; i < GS_COMPARE_COUNT; i++) {
        gtk_picture_set_paintable(side->cells[i], NULL);
        gtk_widget_set_tooltip_text(GTK_WIDGET(side->cells[i]), NULL);
    }
    gtk_label_set_label(side->diversity, _("Diversity —"));
    gtk_label_set_label(side->adherence, _("Adherence —"));
    gtk_label_set_label(side->timing, "");
}

static void
clear_sides(GsCompareView *self)
{
    for (int i = 0; i < 2; i++)
        clear_side(&self->sides[i]);
}

/* The figures under a finished grid; takes `batch`. */
static void
show_side(GsCompareView *self, GsCompareSide which, GsImageBatch *batch)
{
    Side *side = &self->sides[which];
    g_clear_pointer(&side->batch, gs_image_batch_free);
    side->batch = batch;
    gsize floats = (gsize)batch->size * batch->size * 3;
    for (int i = 0; i < batch->count && i < GS_COMPARE_COUNT; i++)
        set_cell(self, which, i, batch->rgb + floats * i, batch->size);

    side->diversity_value = gs_image_set_diversity(batch->rgb, batch->count, batch->size);
    g_autofree char *diversity =
        self->group >= 0 ? g_strdup_printf(_("Diversity %.2f (training images of this group: %.2f)"),
                                           side->diversity_value, self->group_diversity)
                         : g_strdup_printf(_("Diversity %.2f (no emoji group to compare with)"), side->diversity_value);
    gtk_label_set_label(side->diversity, diversity);

    g_autofree char *adherence = NULL;
    side->adherence_value = NAN;
    if (!self->reference) {
        adherence = g_strdup_printf(_("Adherence — %s"), self->reference_error);
    } else if (self->group < 0) {
        adherence =
            g_strdup(_("Adherence — the prompt shares no word with a training caption, so it names no emoji group"));
    } else {
        side->adherence_value =
            gs_emoji_reference_adherence(self->reference, batch->rgb, batch->count, batch->size, self->group);
        adherence = g_strdup_printf(_("Adherence %.0f %% land nearest to %s"), side->adherence_value * 100,
                                    gs_emoji_reference_group_name(self->reference, self->group));
    }
    gtk_label_set_label(side->adherence, adherence);

    g_autofree char *each = seconds_text(batch->seconds / batch->count);
    g_autofree char *all = seconds_text(batch->seconds);
    g_autofree char *timing = g_strdup_printf(_("%s per image, %s in all"), each, all);
    gtk_label_set_label(side->timing, timing);
}

static void
update_seeds_label(GsCompareView *self)
{
    g_autofree char *text = g_strdup_printf(_("Seeds %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT), self->base_seed,
                                            self->base_seed + GS_COMPARE_COUNT - 1);
    gtk_label_set_label(self->seeds_label, text);
}

static void
update_diffusion_heading(GsCompareView *self)
{
    GtkWidget *heading = GTK_WIDGET(self->sides[GS_COMPARE_DIFFUSION].heading);
    g_autofree char *text = g_strdup_printf(_("Diffusion (emoji32) — %d steps"), self->steps);
    gtk_label_set_label(GTK_LABEL(heading), text);
    g_autofree char *tip =
        g_strdup_printf(_("%s sampler, guidance (CFG) %g: the model’s defaults, as Generate uses them"),
                        gs_sampler_display_name(self->sampler, FALSE), self->cfg_scale);
    gtk_widget_set_tooltip_text(heading, tip);
}

static void
finish_run(GsCompareView *self, GError *error)
{
    g_clear_object(&self->cancellable);
    if (!error) {
        g_autofree char *took = seconds_text((g_get_monotonic_time() - self->started_us) / 1e6);
        g_autofree char *text = g_strdup_printf(_("Done in %s"), took);
        gtk_progress_bar_set_fraction(self->progress, 1.0);
        gtk_progress_bar_set_text(self->progress, text);
    } else {
        /* A comparison is all or nothing: half of one compares nothing. */
        clear_sides(self);
        gboolean cancelled = g_error_matches(error, GS_ENGINE_ERROR, GS_ERR_CANCELLED) ||
                             g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        gtk_progress_bar_set_fraction(self->progress, 0);
        gtk_progress_bar_set_text(self->progress, cancelled ? _("Cancelled") : _("Failed"));
        if (!cancelled) {
            gtk_label_set_label(self->error_label, error->message);
            gtk_widget_set_visible(GTK_WIDGET(self->error_label), TRUE);
        }
    }
    update_actions(self);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_RUNNING]);
}

static void
on_diffusion_progress(double fraction, int index, GdkTexture *image, gpointer user_data)
{
    GsCompareView *self = user_data;
    if (!self->cancellable || g_cancellable_is_cancelled(self->cancellable))
        return;
    if (image) {
        int w, h;
        g_autofree float *rgb = gs_rgb_from_texture(image, &w, &h);
        set_cell(self, GS_COMPARE_DIFFUSION, index, rgb, w);
    }
    double elapsed = (g_get_monotonic_time() - self->diffusion_started_us) / 1e6;
    g_autofree char *left = seconds_text(fraction > 0 ? elapsed / fraction * (1 - fraction) : 0);
    g_autofree char *text = g_strdup_printf(_("Diffusion: %d of %d images — %s left"), image ? index + 1 : index,
                                            GS_COMPARE_COUNT, left);
    gtk_progress_bar_set_fraction(self->progress, fraction);
    gtk_progress_bar_set_text(self->progress, text);
}

static void
on_diffusion_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsCompareView) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsImageBatch) batch = gs_engine_diffuse_batch_finish(GS_ENGINE(source), result, &error);
    if (!self->cancellable)
        return; /* the view went away while the engine worked */
    if (batch)
        show_side(self, GS_COMPARE_DIFFUSION, g_steal_pointer(&batch));
    finish_run(self, error);
}

static void
on_gan_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
    g_autoptr(GsCompareView) self = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GsImageBatch) batch = gs_engine_gan_finish(GS_ENGINE(source), result, &error);
    if (!self->cancellable)
        return;
    /* Cancelled while the GAN ran: diffusion does not start. */
    if (!batch || g_cancellable_set_error_if_cancelled(self->cancellable, &error)) {
        finish_run(self, error);
        return;
    }
    show_side(self, GS_COMPARE_GAN, g_steal_pointer(&batch));
    gtk_progress_bar_set_text(self->progress, _("Diffusion: starting…"));
    self->diffusion_started_us = g_get_monotonic_time();
    GsImageRequest request;
    gs_image_request_init(&request);
    g_free(request.params.prompt);
    request.params.prompt = g_strdup(self->run_prompt);
    request.params.steps = self->steps;
    request.params.sampler = self->sampler;
    request.params.cfg_scale = self->cfg_scale;
    gs_engine_diffuse_batch_async(self->engine, &request, self->library, self->seeds, GS_COMPARE_COUNT,
                                  on_diffusion_progress, self, self->cancellable, on_diffusion_done,
                                  g_object_ref(self));
}

/* The figures' reference set, loaded once; on failure the adherence
 * figures say why instead. */
static void
ensure_reference(GsCompareView *self)
{
    if (self->reference || self->reference_error)
        return;
    g_autoptr(GError) error = NULL;
    self->reference = gs_emoji_reference_load(NULL, &error);
    if (!self->reference)
        self->reference_error = g_strdup(error->message);
}

void
gs_compare_view_run(GsCompareView *self)
{
    g_return_if_fail(GS_IS_COMPARE_VIEW(self));
    if (self->cancellable)
        return;
    gtk_widget_set_visible(GTK_WIDGET(self->error_label), FALSE);
    g_autofree char *prompt = g_strstrip(g_strdup(self->prompt ? self->prompt : ""));
    if (!*prompt || !self->library) {
        gtk_label_set_label(self->error_label, !*prompt ? _("Write a prompt in the pane first")
                                                        : _("No model library to take the diffusion model from"));
        gtk_widget_set_visible(GTK_WIDGET(self->error_label), TRUE);
        return;
    }
    clear_sides(self);
    ensure_reference(self);
    g_free(self->run_prompt);
    self->run_prompt = g_steal_pointer(&prompt);
    self->group = self->reference ? gs_emoji_reference_prompt_group(self->reference, self->run_prompt) : -1;
    self->group_diversity =
        self->group >= 0 ? gs_emoji_reference_group_diversity(self->reference, self->group) : 0.0;
    for (int i = 0; i < GS_COMPARE_COUNT; i++)
        self->seeds[i] = self->base_seed + (guint64)i;

    self->cancellable = g_cancellable_new();
    self->started_us = g_get_monotonic_time();
    gtk_progress_bar_set_fraction(self->progress, 0);
    gtk_progress_bar_set_text(self->progress, _("GAN: sixteen images in one pass…"));
    update_actions(self);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_RUNNING]);
    gs_engine_gan_async(self->engine, self->run_prompt, self->seeds, GS_COMPARE_COUNT, self->cancellable,
                        on_gan_done, g_object_ref(self));
}

/* ---- actions ------------------------------------------------------------- */

static void
run_action(GtkWidget *widget, const char *action, GVariant *param)
{
    gs_compare_view_run(GS_COMPARE_VIEW(widget));
}

static void
cancel_action(GtkWidget *widget, const char *action, GVariant *param)
{
    GsCompareView *self = GS_COMPARE_VIEW(widget);
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
}

static void
new_seeds_action(GtkWidget *widget, const char *action, GVariant *param)
{
    GsCompareView *self = GS_COMPARE_VIEW(widget);
    gs_compare_view_set_base_seed(self, g_random_int());
    gs_compare_view_run(self);
}

/* ---- properties ------------------------------------------------------------ */

void
gs_compare_view_set_prompt(GsCompareView *self, const char *prompt)
{
    g_return_if_fail(GS_IS_COMPARE_VIEW(self));
    if (g_strcmp0(self->prompt, prompt) == 0)
        return;
    g_free(self->prompt);
    self->prompt = g_strdup(prompt);
    g_autofree char *text = g_strdup_printf(_("“%s”"), prompt ? prompt : "");
    gtk_label_set_label(self->prompt_label, text);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PROMPT]);
}

const char *gs_compare_view_get_prompt(GsCompareView *self) { return self->prompt; }

void
gs_compare_view_set_steps(GsCompareView *self, int steps)
{
    g_return_if_fail(GS_IS_COMPARE_VIEW(self) && steps > 0);
    if (self->steps == steps)
        return;
    self->steps = steps;
    update_diffusion_heading(self);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_STEPS]);
}

int gs_compare_view_get_steps(GsCompareView *self) { return self->steps; }

void
gs_compare_view_set_base_seed(GsCompareView *self, guint64 seed)
{
    g_return_if_fail(GS_IS_COMPARE_VIEW(self));
    if (self->base_seed == seed)
        return;
    self->base_seed = seed;
    update_seeds_label(self);
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_BASE_SEED]);
}

guint64 gs_compare_view_get_base_seed(GsCompareView *self) { return self->base_seed; }
gboolean gs_compare_view_get_running(GsCompareView *self) { return self->cancellable != NULL; }

void
gs_compare_view_set_library(GsCompareView *self, GsModelLibrary *library)
{
    g_return_if_fail(GS_IS_COMPARE_VIEW(self));
    g_set_object(&self->library, library);
}

const GsImageBatch *
gs_compare_view_get_batch(GsCompareView *self, GsCompareSide side)
{
    g_return_val_if_fail(GS_IS_COMPARE_VIEW(self) && (side == GS_COMPARE_GAN || side == GS_COMPARE_DIFFUSION), NULL);
    return self->sides[side].batch;
}

gboolean
gs_compare_view_get_figures(GsCompareView *self, GsCompareSide side, double *diversity, double *adherence)
{
    if (!gs_compare_view_get_batch(self, side))
        return FALSE;
    *diversity = self->sides[side].diversity_value;
    *adherence = self->sides[side].adherence_value;
    return TRUE;
}

char *
gs_compare_view_dup_summary(GsCompareView *self, GsCompareSide side)
{
    g_return_val_if_fail(GS_IS_COMPARE_VIEW(self) && (side == GS_COMPARE_GAN || side == GS_COMPARE_DIFFUSION), NULL);
    const Side *s = &self->sides[side];
    return g_strjoin("\n", gtk_label_get_label(s->diversity), gtk_label_get_label(s->adherence),
                     gtk_label_get_label(s->timing), NULL);
}

static void
gs_compare_view_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsCompareView *self = GS_COMPARE_VIEW(object);
    switch (prop_id) {
    case PROP_PROMPT:
        g_value_set_string(value, self->prompt);
        break;
    case PROP_STEPS:
        g_value_set_int(value, self->steps);
        break;
    case PROP_BASE_SEED:
        g_value_set_uint64(value, self->base_seed);
        break;
    case PROP_RUNNING:
        g_value_set_boolean(value, self->cancellable != NULL);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_compare_view_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    GsCompareView *self = GS_COMPARE_VIEW(object);
    switch (prop_id) {
    case PROP_PROMPT:
        gs_compare_view_set_prompt(self, g_value_get_string(value));
        break;
    case PROP_STEPS:
        gs_compare_view_set_steps(self, g_value_get_int(value));
        break;
    case PROP_BASE_SEED:
        gs_compare_view_set_base_seed(self, g_value_get_uint64(value));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

/* ---- lifetime ------------------------------------------------------------ */

static void
gs_compare_view_dispose(GObject *object)
{
    GsCompareView *self = GS_COMPARE_VIEW(object);
    /* The run's callbacks hold the view; they see no cancellable and stop. */
    if (self->cancellable)
        g_cancellable_cancel(self->cancellable);
    g_clear_object(&self->cancellable);
    gtk_widget_dispose_template(GTK_WIDGET(self), GS_TYPE_COMPARE_VIEW);
    for (int i = 0; i < 2; i++)
        g_clear_pointer(&self->sides[i].batch, gs_image_batch_free);
    g_clear_object(&self->engine);
    g_clear_object(&self->library);
    g_clear_pointer(&self->reference, gs_emoji_reference_free);
    g_clear_pointer(&self->reference_error, g_free);
    g_clear_pointer(&self->prompt, g_free);
    g_clear_pointer(&self->run_prompt, g_free);
    G_OBJECT_CLASS(gs_compare_view_parent_class)->dispose(object);
}

static void
gs_compare_view_class_init(GsCompareViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->dispose = gs_compare_view_dispose;
    object_class->get_property = gs_compare_view_get_property;
    object_class->set_property = gs_compare_view_set_property;

    properties[PROP_PROMPT] = g_param_spec_string("prompt", NULL, NULL, NULL,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    properties[PROP_STEPS] = g_param_spec_int("steps", NULL, NULL, 1, 150, 20,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    properties[PROP_BASE_SEED] = g_param_spec_uint64("base-seed", NULL, NULL, 0, G_MAXUINT64 - GS_COMPARE_COUNT, 42,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                         G_PARAM_STATIC_STRINGS);
    properties[PROP_RUNNING] = g_param_spec_boolean("running", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);

    gtk_widget_class_set_template_from_resource(widget_class, "/org/genstudio/GenStudio/gs-compare-view.ui");
    gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_bind_template_child(widget_class, GsCompareView, scroller);
    gtk_widget_class_bind_template_child(widget_class, GsCompareView, prompt_label);
    gtk_widget_class_bind_template_child(widget_class, GsCompareView, seeds_label);
    gtk_widget_class_bind_template_child(widget_class, GsCompareView, error_label);
    gtk_widget_class_bind_template_child(widget_class, GsCompareView, progress);
#define SIDE_CHILD(side, field, name)                                                                              \
    gtk_widget_class_bind_template_child_full(widget_class, name, FALSE,                                           \
                                              G_STRUCT_OFFSET(GsCompareView, sides[side].field))
    SIDE_CHILD(GS_COMPARE_GAN, heading, "gan_heading");
    SIDE_CHILD(GS_COMPARE_GAN, grid, "gan_grid");
    SIDE_CHILD(GS_COMPARE_GAN, diversity, "gan_diversity");
    SIDE_CHILD(GS_COMPARE_GAN, adherence, "gan_adherence");
    SIDE_CHILD(GS_COMPARE_GAN, timing, "gan_timing");
    SIDE_CHILD(GS_COMPARE_DIFFUSION, heading, "diffusion_heading");
    SIDE_CHILD(GS_COMPARE_DIFFUSION, grid, "diffusion_grid");
    SIDE_CHILD(GS_COMPARE_DIFFUSION, diversity, "diffusion_diversity");
    SIDE_CHILD(GS_COMPARE_DIFFUSION, adherence, "diffusion_adherence");
    SIDE_CHILD(GS_COMPARE_DIFFUSION, timing, "diffusion_timing");
#undef SIDE_CHILD

    gtk_widget_class_install_action(widget_class, "compare.run", NULL, run_action);
    gtk_widget_class_install_action(widget_class, "compare.cancel", NULL, cancel_action);
    gtk_widget_class_install_action(widget_class, "compare.new-seeds", NULL, new_seeds_action);
    gtk_widget_class_add_binding_action(widget_class, GDK_KEY_Escape, 0, "compare.cancel", NULL);
}

static void
gs_compare_view_init(GsCompareView *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    self->engine = gs_engine_dup_default();
    /* The built-in model's defaults, read from its header; the engine's
     * when the file cannot be read (diffusion then says why). */
    gs_image_params defaults = gs_image_default_params();
    self->steps = defaults.steps;
    self->sampler = defaults.sampler;
    self->cfg_scale = defaults.cfg_scale;
    g_autofree char *model_path = gs_default_model_path();
    gs_model_info info;
    char *error = NULL;
    if (gs_model_probe(model_path, &info, &error) == GS_OK) {
        self->steps = info.default_steps;
        self->sampler = info.default_sampler;
        self->cfg_scale = info.default_cfg;
    }
    free(error);
    self->base_seed = 42;
    self->group = -1;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < GS_COMPARE_COUNT; i++) {
            GtkWidget *cell = gtk_picture_new();
            gtk_picture_set_can_shrink(GTK_PICTURE(cell), FALSE);
            gtk_widget_set_size_request(cell, CELL_SIDE, CELL_SIDE);
            gtk_widget_set_halign(cell, GTK_ALIGN_CENTER);
            gtk_widget_set_valign(cell, GTK_ALIGN_CENTER);
            gtk_widget_add_css_class(cell, "view");
            gtk_grid_attach(self->sides[s].grid, cell, i % GRID_SIDE, i / GRID_SIDE, 1, 1);
            self->sides[s].cells[i] = GTK_PICTURE(cell);
        }
    gs_compare_view_set_prompt(self, "");
    update_seeds_label(self);
    update_diffusion_heading(self);
    clear_sides(self);
    update_actions(self);
}
