/* The GenStudio application: one window, app-wide actions, follows the
 * system's light/dark style (libadwaita's default).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define GS_TYPE_APPLICATION (gs_application_get_type())
G_DECLARE_FINAL_TYPE(GsApplication, gs_application, GS, APPLICATION, AdwApplication)

GsApplication *gs_application_new(void);
void gs_application_install_actions(GsApplication *self);

G_END_DECLS
