/* Shared by gs-model-chooser.c and its actions (gs-model-chooser-actions.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "gs-model-chooser.h"

struct _GsModelChooser {
    GtkWidget parent_instance;

    /* template */
    GtkWidget *box;
    GtkDropDown *dropdown;
    GtkRevealer *add_revealer;
    GtkProgressBar *add_progress;

    GSettings *settings;
    GsModelLibrary *library;
    GListStore *models;
    GsModelEntry *selected;
    guint selected_position;
    guint quiet;                   /* > 0 while the chooser moves the drop-down itself */
    gboolean restored;             /* the setting has been applied once */
    char *choose_after_listing;    /* a name the user's action chose ("" = built-in) */
    GCancellable *list_cancellable;
    GCancellable *add_cancellable; /* adding, removing or tokenizer files */
};

void gs_model_chooser_install_actions(GtkWidgetClass *widget_class);
void gs_model_chooser_update_actions(GsModelChooser *self);
/* Removes model `name` in a worker, once the user said so. */
void gs_model_chooser_remove_confirmed(GsModelChooser *self, const char *name);
/* Shows the copy's progress row, or hides it (text NULL). */
void gs_model_chooser_show_progress(GsModelChooser *self, const char *text, double fraction);
