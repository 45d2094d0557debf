/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "gs-timeline-view.h"

#define THUMB_HOP 256  /* source frames per thumbnail column (5.8 ms) */
#define EDGE 6         /* pixels at either end of a clip that trim instead of move */
#define MIN_CLIP 0.05  /* seconds a trim leaves at least */
#define TAIL 10.0      /* seconds of room after the last clip */

typedef enum { DRAG_NONE, DRAG_MOVE, DRAG_TRIM_IN, DRAG_TRIM_OUT } DragMode;

/* The lowest and highest mono sample per THUMB_HOP frames of a source. */
typedef struct {
    float *lows, *highs;
    gsize columns;
} Thumb;

struct _GsTimelineView {
    GtkWidget parent_instance;
    GsTimeline *timeline;
    double zoom, playhead;
    guint selected;
    GHashTable *thumbs; /* source id → Thumb, or NULL while it is computed */

    DragMode drag;
    guint drag_clip;
    double drag_x, drag_y, drag_dx, drag_dy;
};

G_DEFINE_FINAL_TYPE(GsTimelineView, gs_timeline_view, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_ZOOM, PROP_SELECTED_CLIP, N_PROPS };
static GParamSpec *properties[N_PROPS];
enum { SIGNAL_SEEK, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
thumb_free(Thumb *thumb)
{
    if (!thumb)
        return;
    g_free(thumb->lows);
    g_free(thumb->highs);
    g_free(thumb);
}

/* ---- thumbnails, off the main thread ------------------------------------- */

static void
thumb_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
    gsize size = 0;
    const float *stereo = g_bytes_get_data(data, &size);
    gsize frames = size / (GS_TIMELINE_CHANNELS * sizeof(float));
    Thumb *thumb = g_new0(Thumb, 1);
    thumb->columns = (frames + THUMB_HOP - 1) / THUMB_HOP;
    thumb->lows = g_new0(float, MAX(thumb->columns, 1));
    thumb->highs = g_new0(float, MAX(thumb->columns, 1));
    for (gsize column = 0; column < thumb->columns; column++) {
        float low = 0, high = 0;
        for (gsize i = column * THUMB_HOP; i < MIN((column + 1) * THUMB_HOP, frames); i++) {
            float mono = 0.5f * (stereo[2 * i] + stereo[2 * i + 1]);
            low = MIN(low, mono);
            high = MAX(high, mono);
        }
        thumb->lows[column] = low;
        thumb->highs[column] = high;
    }
    g_task_return_pointer(task, thumb, (GDestroyNotify)thumb_free);
}

static void
on_thumb_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
    GsTimelineView *self = GS_TIMELINE_VIEW(source);
    g_autofree char *source_id = user_data;
    Thumb *thumb = g_task_propagate_pointer(G_TASK(result), NULL);
    if (!self->thumbs) { /* disposed meanwhile */
        thumb_free(thumb);
        return;
    }
    g_hash_table_replace(self->thumbs, g_steal_pointer(&source_id), thumb);
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

/* The thumbnail of a clip's source, or NULL while it is computed. */
static const Thumb *
lookup_thumb(GsTimelineView *self, const GsTimelineClip *clip)
{
    gpointer thumb;
    if (g_hash_table_lookup_extended(self->thumbs, clip->source_id, NULL, &thumb))
        return thumb;
    if (!clip->audio)
        return NULL;
    g_hash_table_insert(self->thumbs, g_strdup(clip->source_id), NULL);
    g_autoptr(GTask) task = g_task_new(self, NULL, on_thumb_ready, g_strdup(clip->source_id));
    g_task_set_source_tag(task, lookup_thumb);
    g_task_set_task_data(task, g_bytes_ref(clip->audio), (GDestroyNotify)g_bytes_unref);
    g_task_run_in_thread(task, thumb_thread);
    return NULL;
}

/* ---- geometry ------------------------------------------------------------ */

static int
track_row(GsTimelineView *self, guint track)
{
    guint n = 0;
    g_autofree guint *ids = gs_timeline_dup_track_ids(self->timeline, &n);
    for (guint i = 0; i < n; i++)
        if (ids[i] == track)
            return (int)i;
    return -1;
}

static guint
track_at(GsTimelineView *self, double y)
{
    guint n = 0;
    g_autofree guint *ids = gs_timeline_dup_track_ids(self->timeline, &n);
    int row = (int)floor((y - GS_TIMELINE_VIEW_RULER_HEIGHT) / GS_TIMELINE_VIEW_TRACK_HEIGHT);
    return row >= 0 && (guint)row < n ? ids[row] : 0;
}

static double
source_seconds(const GsTimelineClip *clip)
{
    if (!clip->audio)
        return clip->out; /* unknown length: no growing past what is used */
    return (double)g_bytes_get_size(clip->audio) / (GS_TIMELINE_CHANNELS * sizeof(float)) / GS_TIMELINE_RATE;
}

/* Where a clip is shown: with the drag in progress applied to it. */
static void
shown_clip(GsTimelineView *self, GsTimelineClip *clip)
{
    if (self->drag == DRAG_NONE || clip->id != self->drag_clip)
        return;
    double dt = self->drag_dx / self->zoom;
    switch (self->drag) {
    case DRAG_MOVE: {
        clip->position = MAX(clip->position + dt, 0);
        guint track = track_at(self, self->drag_y + self->drag_dy);
        if (track)
            clip->track = track;
        break;
    }
    case DRAG_TRIM_IN: {
        /* The left edge moves with `in`, and the clip may not start before 0. */
        double in = CLAMP(clip->in + dt, MAX(clip->in - clip->position, 0), clip->out - MIN_CLIP);
        clip->position += in - clip->in;
        clip->in = in;
        break;
    }
    case DRAG_TRIM_OUT:
        clip->out = CLAMP(clip->out + dt, clip->in + MIN_CLIP, source_seconds(clip));
        break;
    case DRAG_NONE:
        break;
    }
}

static void
clip_rect(GsTimelineView *self, const GsTimelineClip *clip, graphene_rect_t *rect)
{
    int row = track_row(self, clip->track);
    *rect = GRAPHENE_RECT_INIT((float)(clip->position * self->zoom),
                               (float)(GS_TIMELINE_VIEW_RULER_HEIGHT + row * GS_TIMELINE_VIEW_TRACK_HEIGHT + 4),
                               (float)((clip->out - clip->in) * self->zoom), GS_TIMELINE_VIEW_TRACK_HEIGHT - 8);
}

/* The topmost clip under (x, y) and what dragging there would do. */
static guint
clip_at(GsTimelineView *self, double x, double y, DragMode *mode)
{
    guint found = 0;
    guint n_tracks = 0;
    g_autofree guint *tracks = self->timeline ? gs_timeline_dup_track_ids(self->timeline, &n_tracks) : NULL;
    for (guint t = 0; t < n_tracks; t++) {
        guint n_clips = 0;
        g_autofree guint *clips = gs_timeline_dup_clip_ids(self->timeline, tracks[t], &n_clips);
        for (guint c = 0; c < n_clips; c++) {
            GsTimelineClip clip;
            graphene_rect_t rect;
            gs_timeline_get_clip(self->timeline, clips[c], &clip);
            clip_rect(self, &clip, &rect);
            if (!graphene_rect_contains_point(&rect, &GRAPHENE_POINT_INIT((float)x, (float)y)))
                continue;
            found = clip.id; /* later clips are drawn on top */
            double edge = MIN(EDGE, rect.size.width / 3);
            *mode = x < rect.origin.x + edge                     ? DRAG_TRIM_IN
                    : x > rect.origin.x + rect.size.width - edge ? DRAG_TRIM_OUT
                                                                 : DRAG_MOVE;
        }
    }
    return found;
}

static int
content_width(GsTimelineView *self)
{
    double duration = self->timeline ? gs_timeline_get_duration(self->timeline) : 0;
    return (int)ceil((MAX(duration, 30.0) + TAIL) * self->zoom);
}

/* ---- drawing ------------------------------------------------------------- */

/* A tick every 1, 2 or 5 × 10^k seconds (or whole minutes), 80 px apart at least. */
static double
tick_step(double zoom)
{
    static const double steps[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800 };
    for (gsize i = 0; i < G_N_ELEMENTS(steps); i++)
        if (steps[i] * zoom >= 80)
            return steps[i];
    return 3600;
}

static char *
format_time(double seconds, double step)
{
    int minutes = (int)(seconds / 60);
    double rest = seconds - minutes * 60;
    int decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
    return g_strdup_printf("%d:%0*.*f", minutes, decimals ? decimals + 3 : 2, decimals, rest);
}

static void
draw_ruler(GsTimelineView *self, cairo_t *cr, double x0, double x1, const GdkRGBA *fg)
{
    double step = tick_step(self->zoom);
    cairo_set_source_rgba(cr, fg->red, fg->green, fg->blue, 0.06);
    cairo_rectangle(cr, x0, 0, x1 - x0, GS_TIMELINE_VIEW_RULER_HEIGHT);
    cairo_fill(cr);
    g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), NULL);
    for (double t = floor(x0 / self->zoom / step) * step; t * self->zoom < x1; t += step) {
        double x = round(t * self->zoom) + 0.5;
        cairo_set_source_rgba(cr, fg->red, fg->green, fg->blue, 0.5);
        cairo_move_to(cr, x, GS_TIMELINE_VIEW_RULER_HEIGHT / 2.0);
        cairo_line_to(cr, x, GS_TIMELINE_VIEW_RULER_HEIGHT);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        g_autofree char *label = format_time(t, step);
        pango_layout_set_text(layout, label, -1);
        cairo_set_source_rgba(cr, fg->red, fg->green, fg->blue, 0.8);
        cairo_move_to(cr, x + 3, 1);
        pango_cairo_show_layout(cr, layout);
    }
}

static void
draw_clip(GsTimelineView *self, cairo_t *cr, const GsTimelineClip *clip, guint colour, double x0, double x1)
{
    static const double palette[][3] = {
        { 0.21, 0.52, 0.89 }, { 0.20, 0.82, 0.48 }, { 0.96, 0.76, 0.07 }, { 0.75, 0.38, 0.85 }, { 0.93, 0.36, 0.23 },
    };
    const double *rgb = palette[colour % G_N_ELEMENTS(palette)];
    graphene_rect_t r;
    clip_rect(self, clip, &r);
    double left = MAX(r.origin.x, x0 - 2), right = MIN(r.origin.x + r.size.width, x1 + 2);
    if (right <= left)
        return;
    cairo_save(cr);
    cairo_rectangle(cr, r.origin.x, r.origin.y, r.size.width, r.size.height);
    cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.35);
    cairo_fill_preserve(cr);
    cairo_clip(cr);

    const Thumb *thumb = lookup_thumb(self, clip);
    if (thumb && thumb->columns) {
        double middle = r.origin.y + r.size.height / 2, half = r.size.height / 2 - 2;
        cairo_set_source_rgb(cr, rgb[0] * 0.6, rgb[1] * 0.6, rgb[2] * 0.6);
        for (double x = floor(left); x < right; x++) {
            /* The source columns under this pixel column. */
            double from = clip->in + (x - r.origin.x) / self->zoom, to = from + 1 / self->zoom;
            gsize first = (gsize)MAX(from * GS_TIMELINE_RATE / THUMB_HOP, 0);
            gsize end = MAX((gsize)MAX(to * GS_TIMELINE_RATE / THUMB_HOP, 0), first + 1);
            float low = 0, high = 0;
            for (gsize i = first; i < MIN(end, thumb->columns); i++) {
                low = MIN(low, thumb->lows[i]);
                high = MAX(high, thumb->highs[i]);
            }
            cairo_rectangle(cr, x, middle - high * half - 0.5, 1, (high - low) * half + 1);
        }
        cairo_fill(cr);
    }

    g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), clip->label);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, MAX(r.origin.x, x0) + 4, r.origin.y + 2);
    pango_cairo_show_layout(cr, layout);
    cairo_restore(cr);

    gboolean selected = clip->id == self->selected;
    cairo_rectangle(cr, r.origin.x + 0.5, r.origin.y + 0.5, r.size.width - 1, r.size.height - 1);
    cairo_set_source_rgb(cr, selected ? 0.98 : rgb[0], selected ? 0.47 : rgb[1], selected ? 0.0 : rgb[2]);
    cairo_set_line_width(cr, selected ? 3 : 1);
    cairo_stroke(cr);
}

/* Section markers: a flag in the ruler with the name, a dashed line down
 * through the tracks. */
static void
draw_markers(GsTimelineView *self, cairo_t *cr, double x0, double x1, int height, const GdkRGBA *fg)
{
    guint n = self->timeline ? gs_timeline_get_n_markers(self->timeline) : 0;
    g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), NULL);
    const double dash[] = { 4, 3 };
    for (guint i = 0; i < n; i++) {
        GsTimelineMarker marker;
        gs_timeline_get_marker(self->timeline, i, &marker);
        double x = round(marker.time * self->zoom) + 0.5;
        pango_layout_set_text(layout, marker.name, -1);
        int text_width, text_height;
        pango_layout_get_pixel_size(layout, &text_width, &text_height);
        if (x < x0 - text_width - 8 || x > x1 + 1)
            continue;
        cairo_set_source_rgba(cr, 0.40, 0.28, 0.80, 0.9);
        cairo_rectangle(cr, x, GS_TIMELINE_VIEW_RULER_HEIGHT - text_height - 2, text_width + 8, text_height + 2);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_move_to(cr, x + 4, GS_TIMELINE_VIEW_RULER_HEIGHT - text_height - 1);
        pango_cairo_show_layout(cr, layout);
        cairo_save(cr);
        cairo_set_source_rgba(cr, 0.40, 0.28, 0.80, 0.7);
        cairo_set_dash(cr, dash, G_N_ELEMENTS(dash), 0);
        cairo_set_line_width(cr, 1);
        cairo_move_to(cr, x, GS_TIMELINE_VIEW_RULER_HEIGHT - text_height - 2);
        cairo_line_to(cr, x, height);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
}

static void
gs_timeline_view_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
    GsTimelineView *self = GS_TIMELINE_VIEW(widget);
    int width = gtk_widget_get_width(widget), height = gtk_widget_get_height(widget);
    if (width <= 0 || height <= 0)
        return;
    /* Only the part a scrolled window shows: at a high zoom the widget is far
     * wider than any surface should be. */
    double x0 = 0, x1 = width;
    GtkWidget *scrolled = gtk_widget_get_ancestor(widget, GTK_TYPE_SCROLLED_WINDOW);
    if (scrolled) {
        GtkAdjustment *h = gtk_scrolled_window_get_hadjustment(GTK_SCROLLED_WINDOW(scrolled));
        x0 = MAX(floor(gtk_adjustment_get_value(h)), 0);
        x1 = MIN(x0 + ceil(gtk_adjustment_get_page_size(h)) + 1, width);
    }
    if (x1 <= x0)
        return;
    GdkRGBA fg;
    gtk_style_context_get_color(gtk_widget_get_style_context(widget), &fg);
    cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &GRAPHENE_RECT_INIT((float)x0, 0, (float)(x1 - x0), height));
    draw_ruler(self, cr, x0, x1, &fg);

    guint n_tracks = 0, n_clips_total = 0;
    g_autofree guint *tracks = self->timeline ? gs_timeline_dup_track_ids(self->timeline, &n_tracks) : NULL;
    for (guint t = 0; t < n_tracks; t++) {
        double y = GS_TIMELINE_VIEW_RULER_HEIGHT + t * GS_TIMELINE_VIEW_TRACK_HEIGHT;
        cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, t % 2 ? 0.04 : 0.02);
        cairo_rectangle(cr, x0, y, x1 - x0, GS_TIMELINE_VIEW_TRACK_HEIGHT);
        cairo_fill(cr);
        cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.12);
        cairo_rectangle(cr, x0, y + GS_TIMELINE_VIEW_TRACK_HEIGHT - 1, x1 - x0, 1);
        cairo_fill(cr);
    }
    /* The dragged clip last, so it is drawn over the others. */
    GsTimelineClip dragged = { 0 };
    guint dragged_colour = 0;
    for (guint t = 0; t < n_tracks; t++) {
        guint n_clips = 0;
        g_autofree guint *clips = gs_timeline_dup_clip_ids(self->timeline, tracks[t], &n_clips);
        n_clips_total += n_clips;
        for (guint c = 0; c < n_clips; c++) {
            GsTimelineClip clip;
            gs_timeline_get_clip(self->timeline, clips[c], &clip);
            if (self->drag != DRAG_NONE && clip.id == self->drag_clip) {
                dragged = clip;
                dragged_colour = t;
                shown_clip(self, &dragged);
                continue;
            }
            draw_clip(self, cr, &clip, t, x0, x1);
        }
    }
    if (dragged.id)
        draw_clip(self, cr, &dragged, dragged_colour, x0, x1);

    if (n_tracks && !n_clips_total) {
        g_autoptr(PangoLayout) hint =
            gtk_widget_create_pango_layout(widget, _("Import audio to place it here"));
        cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.5);
        cairo_move_to(cr, x0 + 12, GS_TIMELINE_VIEW_RULER_HEIGHT + GS_TIMELINE_VIEW_TRACK_HEIGHT / 2.0 - 8);
        pango_cairo_show_layout(cr, hint);
    }

    draw_markers(self, cr, x0, x1, height, &fg);

    if (self->playhead >= 0) {
        double x = round(self->playhead * self->zoom);
        cairo_set_source_rgb(cr, 0.88, 0.11, 0.14);
        cairo_rectangle(cr, x - 1, 0, 2, height);
        cairo_fill(cr);
        cairo_move_to(cr, x - 6, 0);
        cairo_line_to(cr, x + 6, 0);
        cairo_line_to(cr, x, 8);
        cairo_close_path(cr);
        cairo_fill(cr);
    }
    cairo_destroy(cr);
}

static void
gs_timeline_view_measure(GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                         int *minimum_baseline, int *natural_baseline)
{
    GsTimelineView *self = GS_TIMELINE_VIEW(widget);
    guint n_tracks = 0;
    g_autofree guint *tracks = self->timeline ? gs_timeline_dup_track_ids(self->timeline, &n_tracks) : NULL;
    if (orientation == GTK_ORIENTATION_HORIZONTAL)
        *minimum = *natural = content_width(self);
    else
        *minimum = *natural = GS_TIMELINE_VIEW_RULER_HEIGHT + (int)n_tracks * GS_TIMELINE_VIEW_TRACK_HEIGHT;
}

/* ---- input --------------------------------------------------------------- */

static void
on_drag_begin(GtkGestureDrag *gesture, double x, double y, GsTimelineView *self)
{
    if (!self->timeline)
        return;
    gtk_widget_grab_focus(GTK_WIDGET(self));
    if (y < GS_TIMELINE_VIEW_RULER_HEIGHT) {
        g_signal_emit(self, signals[SIGNAL_SEEK], 0, MAX(x / self->zoom, 0));
        gtk_gesture_set_state(GTK_GESTURE(gesture), GTK_EVENT_SEQUENCE_CLAIMED);
        return;
    }
    DragMode mode = DRAG_NONE;
    guint clip = clip_at(self, x, y, &mode);
    gs_timeline_view_set_selected_clip(self, clip);
    self->drag = clip ? mode : DRAG_NONE;
    self->drag_clip = clip;
    self->drag_x = x;
    self->drag_y = y;
    self->drag_dx = self->drag_dy = 0;
    if (clip)
        gtk_gesture_set_state(GTK_GESTURE(gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_drag_update(GtkGestureDrag *gesture, double dx, double dy, GsTimelineView *self)
{
    if (self->drag == DRAG_NONE)
        return;
    self->drag_dx = dx;
    self->drag_dy = dy;
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void
on_drag_end(GtkGestureDrag *gesture, double dx, double dy, GsTimelineView *self)
{
    if (self->drag == DRAG_NONE)
        return;
    self->drag_dx = dx;
    self->drag_dy = dy;
    GsTimelineClip before, after;
    gs_timeline_get_clip(self->timeline, self->drag_clip, &before);
    after = before;
    shown_clip(self, &after);
    DragMode mode = self->drag;
    self->drag = DRAG_NONE;
    /* One edit per drag, so one undo step. */
    g_autoptr(GError) error = NULL;
    if (mode == DRAG_MOVE && (after.track != before.track || after.position != before.position))
        gs_timeline_move_clip(self->timeline, after.id, after.track, after.position, &error);
    else if (mode != DRAG_MOVE && (after.in != before.in || after.out != before.out))
        gs_timeline_trim_clip(self->timeline, after.id, after.in, after.out, &error);
    if (error)
        g_warning("%s", error->message); /* the preview keeps within the model's limits */
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void
on_motion(GtkEventControllerMotion *motion, double x, double y, GsTimelineView *self)
{
    if (self->drag != DRAG_NONE || !self->timeline)
        return;
    DragMode mode = DRAG_NONE;
    const char *cursor = NULL;
    if (y < GS_TIMELINE_VIEW_RULER_HEIGHT)
        cursor = "pointer";
    else if (clip_at(self, x, y, &mode))
        cursor = mode == DRAG_MOVE ? "grab" : "ew-resize";
    gtk_widget_set_cursor_from_name(GTK_WIDGET(self), cursor);
}

/* Ctrl+scroll zooms; plain scrolling is the scrolled window's. */
static gboolean
on_scroll(GtkEventControllerScroll *scroll, double dx, double dy, GsTimelineView *self)
{
    GdkModifierType state = gtk_event_controller_get_current_event_state(GTK_EVENT_CONTROLLER(scroll));
    if (!(state & GDK_CONTROL_MASK) || dy == 0)
        return FALSE;
    gs_timeline_view_set_zoom(self, self->zoom * (dy < 0 ? 1.25 : 0.8));
    return TRUE;
}

/* ---- lifetime ------------------------------------------------------------ */

static void
on_timeline_changed(GsTimeline *timeline, GsTimelineView *self)
{
    /* Undo may have removed the selected clip. */
    GsTimelineClip clip;
    if (self->selected && !gs_timeline_get_clip(timeline, self->selected, &clip))
        gs_timeline_view_set_selected_clip(self, 0);
    gtk_widget_queue_resize(GTK_WIDGET(self));
}

static void
gs_timeline_view_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    GsTimelineView *self = GS_TIMELINE_VIEW(object);
    switch (prop_id) {
    case PROP_ZOOM:
        gs_timeline_view_set_zoom(self, g_value_get_double(value));
        break;
    case PROP_SELECTED_CLIP:
        gs_timeline_view_set_selected_clip(self, g_value_get_uint(value));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_timeline_view_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsTimelineView *self = GS_TIMELINE_VIEW(object);
    switch (prop_id) {
    case PROP_ZOOM:
        g_value_set_double(value, self->zoom);
        break;
    case PROP_SELECTED_CLIP:
        g_value_set_uint(value, self->selected);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_timeline_view_dispose(GObject *object)
{
    GsTimelineView *self = GS_TIMELINE_VIEW(object);
    gs_timeline_view_set_timeline(self, NULL);
    g_clear_pointer(&self->thumbs, g_hash_table_unref);
    G_OBJECT_CLASS(gs_timeline_view_parent_class)->dispose(object);
}

static void
gs_timeline_view_class_init(GsTimelineViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
    object_class->set_property = gs_timeline_view_set_property;
    object_class->get_property = gs_timeline_view_get_property;
    object_class->dispose = gs_timeline_view_dispose;
    widget_class->snapshot = gs_timeline_view_snapshot;
    widget_class->measure = gs_timeline_view_measure;
    properties[PROP_ZOOM] =
        g_param_spec_double("zoom", NULL, NULL, GS_TIMELINE_VIEW_MIN_ZOOM, GS_TIMELINE_VIEW_MAX_ZOOM, 50,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    properties[PROP_SELECTED_CLIP] = g_param_spec_uint("selected-clip", NULL, NULL, 0, G_MAXUINT, 0,
                                                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                           G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
    signals[SIGNAL_SEEK] = g_signal_new("seek", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_DOUBLE);
    gtk_widget_class_set_css_name(widget_class, "gs-timeline-view");
    gtk_widget_class_set_accessible_role(widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
gs_timeline_view_init(GsTimelineView *self)
{
    self->zoom = 50;
    self->thumbs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)thumb_free);
    gtk_widget_set_focusable(GTK_WIDGET(self), TRUE);
    gtk_widget_set_overflow(GTK_WIDGET(self), GTK_OVERFLOW_HIDDEN);

    GtkGesture *drag = gtk_gesture_drag_new();
    g_signal_connect(drag, "drag-begin", G_CALLBACK(on_drag_begin), self);
    g_signal_connect(drag, "drag-update", G_CALLBACK(on_drag_update), self);
    g_signal_connect(drag, "drag-end", G_CALLBACK(on_drag_end), self);
    gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drag));
    GtkEventController *motion = gtk_event_controller_motion_new();
    g_signal_connect(motion, "motion", G_CALLBACK(on_motion), self);
    gtk_widget_add_controller(GTK_WIDGET(self), motion);
    GtkEventController *scroll = gtk_event_controller_scroll_new(GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
    g_signal_connect(scroll, "scroll", G_CALLBACK(on_scroll), self);
    gtk_widget_add_controller(GTK_WIDGET(self), scroll);
}

GtkWidget *
gs_timeline_view_new(void)
{
    return g_object_new(GS_TYPE_TIMELINE_VIEW, NULL);
}

void
gs_timeline_view_set_timeline(GsTimelineView *self, GsTimeline *timeline)
{
    g_return_if_fail(GS_IS_TIMELINE_VIEW(self));
    if (self->timeline == timeline)
        return;
    if (self->timeline)
        g_signal_handlers_disconnect_by_data(self->timeline, self);
    g_set_object(&self->timeline, timeline);
    if (timeline)
        g_signal_connect(timeline, "changed", G_CALLBACK(on_timeline_changed), self);
    self->drag = DRAG_NONE;
    gs_timeline_view_set_selected_clip(self, 0);
    gtk_widget_queue_resize(GTK_WIDGET(self));
}

GsTimeline *gs_timeline_view_get_timeline(GsTimelineView *self) { return self->timeline; }
double gs_timeline_view_get_zoom(GsTimelineView *self) { return self->zoom; }
double gs_timeline_view_get_playhead(GsTimelineView *self) { return self->playhead; }
guint gs_timeline_view_get_selected_clip(GsTimelineView *self) { return self->selected; }

void
gs_timeline_view_set_zoom(GsTimelineView *self, double zoom)
{
    g_return_if_fail(GS_IS_TIMELINE_VIEW(self));
    zoom = CLAMP(zoom, GS_TIMELINE_VIEW_MIN_ZOOM, GS_TIMELINE_VIEW_MAX_ZOOM);
    if (zoom == self->zoom)
        return;
    self->zoom = zoom;
    gtk_widget_queue_resize(GTK_WIDGET(self));
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ZOOM]);
}

void
gs_timeline_view_set_playhead(GsTimelineView *self, double seconds)
{
    g_return_if_fail(GS_IS_TIMELINE_VIEW(self));
    self->playhead = MAX(seconds, 0);
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

void
gs_timeline_view_set_selected_clip(GsTimelineView *self, guint clip)
{
    g_return_if_fail(GS_IS_TIMELINE_VIEW(self));
    if (self->selected == clip)
        return;
    self->selected = clip;
    gtk_widget_queue_draw(GTK_WIDGET(self));
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_SELECTED_CLIP]);
}

guint
gs_timeline_view_get_n_thumbnails(GsTimelineView *self)
{
    guint n = 0;
    GHashTableIter iter;
    gpointer thumb;
    g_hash_table_iter_init(&iter, self->thumbs);
    while (g_hash_table_iter_next(&iter, NULL, &thumb))
        n += thumb != NULL;
    return n;
}
