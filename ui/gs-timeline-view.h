/* The timeline's canvas: a time ruler, one lane per track with its clips
 * drawn as rectangles over a waveform thumbnail, and the playhead. Clips
 * are selected by a click, moved (also to another lane) by dragging them
 * and trimmed by dragging their edges; each drag is one edit of the model.
 * Clicking the ruler emits "seek" (double seconds).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "gs-timeline.h"

G_BEGIN_DECLS

/* The page lines its track headers up with the lanes. */
#define GS_TIMELINE_VIEW_RULER_HEIGHT 24
#define GS_TIMELINE_VIEW_TRACK_HEIGHT 84
#define GS_TIMELINE_VIEW_MIN_ZOOM 5.0    /* pixels per second */
#define GS_TIMELINE_VIEW_MAX_ZOOM 2000.0

#define GS_TYPE_TIMELINE_VIEW (gs_timeline_view_get_type())
G_DECLARE_FINAL_TYPE(GsTimelineView, gs_timeline_view, GS, TIMELINE_VIEW, GtkWidget)

GtkWidget *gs_timeline_view_new(void);
void gs_timeline_view_set_timeline(GsTimelineView *self, GsTimeline *timeline);
GsTimeline *gs_timeline_view_get_timeline(GsTimelineView *self);
/* Pixels per second, clamped to the limits above. */
void gs_timeline_view_set_zoom(GsTimelineView *self, double zoom);
double gs_timeline_view_get_zoom(GsTimelineView *self);
void gs_timeline_view_set_playhead(GsTimelineView *self, double seconds);
double gs_timeline_view_get_playhead(GsTimelineView *self);
/* The selected clip's id, 0 for none (property "selected-clip"). */
void gs_timeline_view_set_selected_clip(GsTimelineView *self, guint clip);
guint gs_timeline_view_get_selected_clip(GsTimelineView *self);
/* How many sources have their waveform thumbnail computed (for tests). */
guint gs_timeline_view_get_n_thumbnails(GsTimelineView *self);

G_END_DECLS
