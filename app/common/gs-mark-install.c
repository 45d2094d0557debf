/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gio/gio.h>

#include "gs-mark-install.h"

guint32
gs_mark_install_id(void)
{
    const char *forced = g_getenv("GENSTUDIO_INSTALL_ID");
    if (forced && *forced)
        return (guint32)g_ascii_strtoull(forced, NULL, 16);
    g_autofree char *dir = g_build_filename(g_get_user_config_dir(), "genstudio", NULL);
    g_autofree char *path = g_build_filename(dir, "install-id", NULL);
    g_autofree char *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        guint64 id = g_ascii_strtoull(g_strstrip(text), NULL, 16);
        if (id > 0 && id <= G_MAXUINT32)
            return (guint32)id;
    }
    guint32 id = g_random_int();
    id = id ? id : 1;
    g_autofree char *hex = g_strdup_printf("%08x\n", id);
    g_mkdir_with_parents(dir, 0700);
    g_file_set_contents(path, hex, -1, NULL); /* not kept: a new id next time, still a valid mark */
    return id;
}

GsMarkPayload
gs_mark_payload_for(const char *model_name)
{
    return (GsMarkPayload){ GS_MARK_FORMAT_VERSION, gs_mark_model_id(model_name), gs_mark_install_id() };
}
