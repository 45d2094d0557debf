/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>

#include "gs-waveform.h"

#define GAP 6 /* pixels between the waveform and the spectrogram */

struct _GsWaveform {
    GtkWidget parent_instance;
    GsTake *take;
    GdkTexture *spectrogram; /* built once per take */
    double playhead;         /* seconds, negative when hidden */
    /* lowest and highest sample under each pixel column, for `peaks_width` columns */
    float *lows, *highs;
    int peaks_width;
};

G_DEFINE_FINAL_TYPE(GsWaveform, gs_waveform, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_TAKE, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* A dark-to-bright ramp (black, purple, red, orange, pale yellow) that
 * reads as loudness whatever the theme. */
static void
loudness_colour(float t, guint8 rgb[3])
{
    static const float stops[][3] = {
        { 0.00f, 0.00f, 0.02f }, { 0.32f, 0.07f, 0.43f }, { 0.72f, 0.21f, 0.33f },
        { 0.98f, 0.55f, 0.04f }, { 0.99f, 0.99f, 0.75f },
    };
    float x = CLAMP(t, 0.0f, 1.0f) * (G_N_ELEMENTS(stops) - 1);
    int i = MIN((int)x, (int)G_N_ELEMENTS(stops) - 2);
    float f = x - i;
    for (int c = 0; c < 3; c++)
        rgb[c] = (guint8)lrintf((stops[i][c] * (1 - f) + stops[i + 1][c] * f) * 255.0f);
}

static GdkTexture *
spectrogram_new(GsTake *take)
{
    int bins, frames;
    const float *mel = gs_take_get_mel(take, &bins, &frames);
    if (!mel || bins == 0 || frames == 0)
        return NULL;
    /* Colours span the take's own range (silence black, the loudest pale):
     * the model's log-mel range differs from voice to voice. */
    gsize count = (gsize)bins * frames;
    float lowest = mel[0], highest = mel[0];
    for (gsize i = 1; i < count; i++) {
        lowest = MIN(lowest, mel[i]);
        highest = MAX(highest, mel[i]);
    }
    float span = MAX(highest - lowest, 1e-6f);
    gsize stride = (gsize)frames * 3;
    guint8 *pixels = g_malloc(stride * bins);
    for (int bin = 0; bin < bins; bin++) {
        guint8 *row = pixels + (gsize)(bins - 1 - bin) * stride; /* low frequencies at the bottom */
        for (int frame = 0; frame < frames; frame++)
            loudness_colour((mel[(gsize)bin * frames + frame] - lowest) / span, row + frame * 3);
    }
    g_autoptr(GBytes) bytes = g_bytes_new_take(pixels, stride * bins);
    return gdk_memory_texture_new(frames, bins, GDK_MEMORY_R8G8B8, bytes, stride);
}

static void
update_peaks(GsWaveform *self, int width)
{
    if (self->peaks_width == width)
        return;
    g_clear_pointer(&self->lows, g_free);
    g_clear_pointer(&self->highs, g_free);
    self->peaks_width = width;
    gsize count = 0;
    const float *samples = self->take ? gs_take_get_samples(self->take, &count) : NULL;
    if (!samples || count == 0 || width <= 0)
        return;
    self->lows = g_new(float, width);
    self->highs = g_new(float, width);
    for (int x = 0; x < width; x++) {
        gsize first = (gsize)x * count / width, end = MAX((gsize)(x + 1) * count / width, first + 1);
        float low = samples[MIN(first, count - 1)], high = low;
        for (gsize i = first; i < MIN(end, count); i++) {
            low = MIN(low, samples[i]);
            high = MAX(high, samples[i]);
        }
        self->lows[x] = low;
        self->highs[x] = high;
    }
}

static void
snapshot_wave(GsWaveform *self, GtkSnapshot *snapshot, int width, int height)
{
    graphene_rect_t bounds = GRAPHENE_RECT_INIT(0, 0, width, height);
    cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &bounds);
    double middle = height / 2.0, half = height / 2.0 - 1;
    cairo_set_source_rgba(cr, 0.21, 0.52, 0.89, 0.35); /* GNOME blue */
    cairo_rectangle(cr, 0, middle - 0.5, width, 1);
    cairo_fill(cr);
    if (self->lows) {
        /* The outline of the highs left to right, then the lows back. */
        cairo_set_source_rgb(cr, 0.21, 0.52, 0.89);
        cairo_move_to(cr, 0, middle);
        for (int x = 0; x < width; x++)
            cairo_line_to(cr, x + 0.5, middle - MAX(self->highs[x] * half, 0.5));
        for (int x = width - 1; x >= 0; x--)
            cairo_line_to(cr, x + 0.5, middle - MIN(self->lows[x] * half, -0.5));
        cairo_close_path(cr);
        cairo_fill(cr);
    }
    cairo_destroy(cr);
}

static void
gs_waveform_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
    GsWaveform *self = GS_WAVEFORM(widget);
    int width = gtk_widget_get_width(widget), height = gtk_widget_get_height(widget);
    int wave_height = (height - GAP) / 2;
    if (width <= 0 || wave_height <= 0)
        return;
    update_peaks(self, width);
    snapshot_wave(self, snapshot, width, wave_height);
    if (self->spectrogram)
        gtk_snapshot_append_texture(snapshot, self->spectrogram,
                                    &GRAPHENE_RECT_INIT(0, wave_height + GAP, width, height - wave_height - GAP));
    double duration = self->take ? gs_take_get_duration(self->take) : 0;
    if (self->playhead >= 0 && duration > 0) {
        float x = (float)(MIN(self->playhead / duration, 1.0) * (width - 2));
        GdkRGBA colour = { 0.88f, 0.11f, 0.14f, 1.0f };
        gtk_snapshot_append_color(snapshot, &colour, &GRAPHENE_RECT_INIT(x, 0, 2, height));
    }
}

static void
gs_waveform_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    switch (prop_id) {
    case PROP_TAKE:
        gs_waveform_set_take(GS_WAVEFORM(object), g_value_get_object(value));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_waveform_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    switch (prop_id) {
    case PROP_TAKE:
        g_value_set_object(value, GS_WAVEFORM(object)->take);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_waveform_dispose(GObject *object)
{
    GsWaveform *self = GS_WAVEFORM(object);
    g_clear_object(&self->take);
    g_clear_object(&self->spectrogram);
    g_clear_pointer(&self->lows, g_free);
    g_clear_pointer(&self->highs, g_free);
    G_OBJECT_CLASS(gs_waveform_parent_class)->dispose(object);
}

static void
gs_waveform_class_init(GsWaveformClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->set_property = gs_waveform_set_property;
    object_class->get_property = gs_waveform_get_property;
    object_class->dispose = gs_waveform_dispose;
    widget_class->snapshot = gs_waveform_snapshot;
    properties[PROP_TAKE] = g_param_spec_object("take", NULL, NULL, GS_TYPE_TAKE,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
    gtk_widget_class_set_css_name(widget_class, "gs-waveform");
    gtk_widget_class_set_accessible_role(widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
gs_waveform_init(GsWaveform *self)
{
    self->playhead = -1;
}

GtkWidget *
gs_waveform_new(void)
{
    return g_object_new(GS_TYPE_WAVEFORM, NULL);
}

void
gs_waveform_set_take(GsWaveform *self, GsTake *take)
{
    g_return_if_fail(GS_IS_WAVEFORM(self));
    if (!g_set_object(&self->take, take))
        return;
    g_clear_object(&self->spectrogram);
    if (take)
        self->spectrogram = spectrogram_new(take);
    self->peaks_width = -1; /* recomputed at the next draw */
    self->playhead = -1;
    gtk_widget_queue_draw(GTK_WIDGET(self));
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_TAKE]);
}

GsTake *gs_waveform_get_take(GsWaveform *self) { return self->take; }
GdkTexture *gs_waveform_get_spectrogram(GsWaveform *self) { return self->spectrogram; }

void
gs_waveform_set_playhead(GsWaveform *self, double seconds)
{
    g_return_if_fail(GS_IS_WAVEFORM(self));
    self->playhead = seconds;
    gtk_widget_queue_draw(GTK_WIDGET(self));
}
