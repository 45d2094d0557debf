/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-model-entry.h"

struct _GsModelEntry {
    GObject parent_instance;
    char *name, *path;
    GsModelKind kind;
    guint64 size_bytes;
    gboolean usable;
    gs_model_info info;
    char *refusal;
};

G_DEFINE_FINAL_TYPE(GsModelEntry, gs_model_entry, G_TYPE_OBJECT)

enum { PROP_0, PROP_NAME, PROP_FAMILY_NAME, PROP_USABLE, N_PROPS };
static GParamSpec *props[N_PROPS];

GsModelEntry *
gs_model_entry_new(const char *name, const char *path, GsModelKind kind, guint64 size_bytes,
                   const gs_model_info *info, const char *refusal)
{
    g_return_val_if_fail(name && path, NULL);
    GsModelEntry *self = g_object_new(GS_TYPE_MODEL_ENTRY, NULL);
    self->name = g_strdup(name);
    self->path = g_strdup(path);
    self->kind = kind;
    self->size_bytes = size_bytes;
    self->usable = info != NULL;
    if (info)
        self->info = *info;
    else
        self->refusal = g_strdup(refusal && *refusal ? refusal : "GenStudio cannot use this model");
    return self;
}

const char *gs_model_entry_get_name(GsModelEntry *self) { return self->name; }
const char *gs_model_entry_get_path(GsModelEntry *self) { return self->path; }
GsModelKind gs_model_entry_get_kind(GsModelEntry *self) { return self->kind; }
guint64 gs_model_entry_get_size(GsModelEntry *self) { return self->size_bytes; }
gboolean gs_model_entry_get_usable(GsModelEntry *self) { return self->usable; }
const char *gs_model_entry_get_refusal(GsModelEntry *self) { return self->refusal; }

const gs_model_info *
gs_model_entry_get_info(GsModelEntry *self)
{
    return self->usable ? &self->info : NULL;
}

const char *
gs_model_entry_get_family_name(GsModelEntry *self)
{
    return self->usable ? self->info.family_name : "";
}

char *
gs_model_entry_dup_label(GsModelEntry *self)
{
    if (!self->usable || !self->info.family_name[0])
        return g_strdup(self->name);
    return g_strdup_printf("%s — %s", self->name, self->info.family_name);
}

static void
gs_model_entry_get_property(GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    GsModelEntry *self = GS_MODEL_ENTRY(object);
    switch (id) {
    case PROP_NAME:
        g_value_set_string(value, self->name);
        break;
    case PROP_FAMILY_NAME:
        g_value_set_string(value, gs_model_entry_get_family_name(self));
        break;
    case PROP_USABLE:
        g_value_set_boolean(value, self->usable);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, pspec);
    }
}

static void
gs_model_entry_finalize(GObject *object)
{
    GsModelEntry *self = GS_MODEL_ENTRY(object);
    g_clear_pointer(&self->name, g_free);
    g_clear_pointer(&self->path, g_free);
    g_clear_pointer(&self->refusal, g_free);
    G_OBJECT_CLASS(gs_model_entry_parent_class)->finalize(object);
}

static void
gs_model_entry_class_init(GsModelEntryClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->get_property = gs_model_entry_get_property;
    object_class->finalize = gs_model_entry_finalize;
    /* Read-only: for GtkExpression lookups in list views. */
    props[PROP_NAME] = g_param_spec_string("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_FAMILY_NAME] =
        g_param_spec_string("family-name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    props[PROP_USABLE] =
        g_param_spec_boolean("usable", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, props);
}

static void
gs_model_entry_init(GsModelEntry *self)
{
}
