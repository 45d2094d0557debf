/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-history-item.h"

struct _GsHistoryItem {
    GObject parent_instance;
    GdkTexture *texture;
    GsImageParams *params;
    GPtrArray *steps;
    char *parameters_text;
};

G_DEFINE_FINAL_TYPE(GsHistoryItem, gs_history_item, G_TYPE_OBJECT)

enum { PROP_0, PROP_TEXTURE, PROP_PARAMETERS_TEXT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
gs_history_item_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsHistoryItem *self = GS_HISTORY_ITEM(object);
    switch (prop_id) {
    case PROP_TEXTURE:
        g_value_set_object(value, self->texture);
        break;
    case PROP_PARAMETERS_TEXT:
        g_value_set_string(value, self->parameters_text);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_history_item_finalize(GObject *object)
{
    GsHistoryItem *self = GS_HISTORY_ITEM(object);
    g_clear_object(&self->texture);
    g_clear_pointer(&self->params, gs_image_params_free);
    g_clear_pointer(&self->steps, g_ptr_array_unref);
    g_clear_pointer(&self->parameters_text, g_free);
    G_OBJECT_CLASS(gs_history_item_parent_class)->finalize(object);
}

static void
gs_history_item_class_init(GsHistoryItemClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->get_property = gs_history_item_get_property;
    object_class->finalize = gs_history_item_finalize;
    properties[PROP_TEXTURE] = g_param_spec_object("texture", NULL, NULL, GDK_TYPE_TEXTURE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    properties[PROP_PARAMETERS_TEXT] = g_param_spec_string("parameters-text", NULL, NULL, NULL,
                                                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
gs_history_item_init(GsHistoryItem *self)
{
}

GsHistoryItem *
gs_history_item_new(GdkTexture *texture, GsImageParams *params, GPtrArray *steps)
{
    GsHistoryItem *self = g_object_new(GS_TYPE_HISTORY_ITEM, NULL);
    self->texture = g_object_ref(texture);
    self->params = params;
    self->steps = steps;
    self->parameters_text = gs_image_params_to_text(params);
    return self;
}

GdkTexture *gs_history_item_get_texture(GsHistoryItem *self) { return self->texture; }
const GsImageParams *gs_history_item_get_params(GsHistoryItem *self) { return self->params; }
GPtrArray *gs_history_item_get_steps(GsHistoryItem *self) { return self->steps; }
const char *gs_history_item_get_parameters_text(GsHistoryItem *self) { return self->parameters_text; }
