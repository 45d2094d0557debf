/* genstudio: the studio window.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gi18n.h>
#include <locale.h>

#include "gs-application.h"
#include "gs-settings.h"

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, GS_LOCALE_DIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
    g_autoptr(GSettingsSchema) schema = gs_settings_find_schema();
    if (!schema) {
        g_printerr(_("genstudio: the settings schema %s is not installed. Install GenStudio (meson install), "
                     "or start the genstudio of a build folder that still holds data/gschemas.compiled.\n"),
                   GS_SETTINGS_SCHEMA_ID);
        return 1;
    }
    g_autoptr(GsApplication) app = gs_application_new();
    return g_application_run(G_APPLICATION(app), argc, argv);
}
