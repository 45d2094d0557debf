/* The app's GSettings, found whether GenStudio is installed or run straight
 * from its build folder, so that a missing schema is an error message at
 * start-up rather than GLib's abort in g_settings_new().
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#define GS_SETTINGS_SCHEMA_ID "org.genstudio.GenStudio"

/* The installed schema, else the one compiled into the build folder; NULL
 * when neither exists. */
GSettingsSchema *gs_settings_find_schema(void);
/* Settings over gs_settings_find_schema(); call only after it succeeded. */
GSettings *gs_settings_new(void);
