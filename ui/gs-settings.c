/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-settings.h"

GSettingsSchema *
gs_settings_find_schema(void)
{
    GSettingsSchemaSource *installed = g_settings_schema_source_get_default();
    GSettingsSchema *schema = installed ? g_settings_schema_source_lookup(installed, GS_SETTINGS_SCHEMA_ID, TRUE)
                                        : NULL;
    if (schema)
        return schema;
    g_autoptr(GSettingsSchemaSource) build =
        g_settings_schema_source_new_from_directory(GS_BUILD_SCHEMA_DIR, installed, FALSE, NULL);
    return build ? g_settings_schema_source_lookup(build, GS_SETTINGS_SCHEMA_ID, FALSE) : NULL;
}

GSettings *
gs_settings_new(void)
{
    g_autoptr(GSettingsSchema) schema = gs_settings_find_schema();
    g_return_val_if_fail(schema != NULL, NULL);
    return g_settings_new_full(schema, NULL, NULL);
}
