/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-take.h"
#include "gs-voice.h"

struct _GsTake {
    GObject parent_instance;
    char *text, *voice, *lang, *consent;
    GsVoice *cloned_voice;
    double rate, pitch;
    GBytes *samples;
    int sample_rate;
    GBytes *mel;
    int mel_bins, mel_frames;
};

G_DEFINE_FINAL_TYPE(GsTake, gs_take, G_TYPE_OBJECT)

enum { PROP_0, PROP_TEXT, PROP_VOICE, PROP_LANG, PROP_RATE, PROP_PITCH, PROP_DURATION, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
gs_take_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
    GsTake *self = GS_TAKE(object);
    switch (prop_id) {
    case PROP_TEXT:
        g_value_set_string(value, self->text);
        break;
    case PROP_VOICE:
        g_value_set_string(value, self->voice);
        break;
    case PROP_LANG:
        g_value_set_string(value, self->lang);
        break;
    case PROP_RATE:
        g_value_set_double(value, self->rate);
        break;
    case PROP_PITCH:
        g_value_set_double(value, self->pitch);
        break;
    case PROP_DURATION:
        g_value_set_double(value, gs_take_get_duration(self));
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_take_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
    GsTake *self = GS_TAKE(object);
    switch (prop_id) {
    case PROP_TEXT:
        self->text = g_value_dup_string(value);
        break;
    case PROP_VOICE:
        self->voice = g_value_dup_string(value);
        break;
    case PROP_LANG:
        self->lang = g_value_dup_string(value);
        break;
    case PROP_RATE:
        self->rate = g_value_get_double(value);
        break;
    case PROP_PITCH:
        self->pitch = g_value_get_double(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    }
}

static void
gs_take_finalize(GObject *object)
{
    GsTake *self = GS_TAKE(object);
    g_clear_pointer(&self->text, g_free);
    g_clear_pointer(&self->voice, g_free);
    g_clear_pointer(&self->lang, g_free);
    g_clear_pointer(&self->consent, g_free);
    g_clear_pointer(&self->cloned_voice, gs_voice_free);
    g_clear_pointer(&self->samples, g_bytes_unref);
    g_clear_pointer(&self->mel, g_bytes_unref);
    G_OBJECT_CLASS(gs_take_parent_class)->finalize(object);
}

static void
gs_take_class_init(GsTakeClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    object_class->get_property = gs_take_get_property;
    object_class->set_property = gs_take_set_property;
    object_class->finalize = gs_take_finalize;
    GParamFlags given = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
    properties[PROP_TEXT] = g_param_spec_string("text", NULL, NULL, "", given);
    properties[PROP_VOICE] = g_param_spec_string("voice", NULL, NULL, "", given);
    properties[PROP_LANG] = g_param_spec_string("lang", NULL, NULL, "en-us", given);
    properties[PROP_RATE] = g_param_spec_double("rate", NULL, NULL, 0.25, 4.0, 1.0, given);
    properties[PROP_PITCH] = g_param_spec_double("pitch", NULL, NULL, -24.0, 24.0, 0.0, given);
    properties[PROP_DURATION] = g_param_spec_double("duration", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
gs_take_init(GsTake *self)
{
}

GsTake *
gs_take_new(const char *text, const gs_speech_params *params, GBytes *samples, int sample_rate, GBytes *mel,
            int mel_bins, int mel_frames)
{
    g_return_val_if_fail(params != NULL && params->voice != NULL, NULL);
    g_return_val_if_fail(samples != NULL && mel != NULL && sample_rate > 0, NULL);
    g_return_val_if_fail(g_bytes_get_size(mel) == (gsize)mel_bins * mel_frames * sizeof(float), NULL);
    GsTake *self = g_object_new(GS_TYPE_TAKE, "text", text, "voice", params->voice, "lang",
                                params->lang ? params->lang : "en-us", "rate", (double)params->rate, "pitch",
                                (double)params->pitch, NULL);
    self->samples = g_bytes_ref(samples);
    self->sample_rate = sample_rate;
    self->mel = g_bytes_ref(mel);
    self->mel_bins = mel_bins;
    self->mel_frames = mel_frames;
    return self;
}

const char *gs_take_get_text(GsTake *self) { return self->text; }
const char *gs_take_get_voice(GsTake *self) { return self->voice; }
const char *gs_take_get_lang(GsTake *self) { return self->lang; }
double gs_take_get_rate(GsTake *self) { return self->rate; }
double gs_take_get_pitch(GsTake *self) { return self->pitch; }
const char *gs_take_get_consent(GsTake *self) { return self->consent; }
const GsVoice *gs_take_get_cloned_voice(GsTake *self) { return self->cloned_voice; }
int gs_take_get_sample_rate(GsTake *self) { return self->sample_rate; }

void
gs_take_set_consent(GsTake *self, const char *consent)
{
    g_return_if_fail(self->consent == NULL);
    self->consent = g_strdup(consent);
}

void
gs_take_set_cloned_voice(GsTake *self, const GsVoice *voice)
{
    g_return_if_fail(self->cloned_voice == NULL);
    self->cloned_voice = gs_voice_copy(voice);
    if (!self->consent)
        self->consent = gs_voice_describe_consent(voice);
}

double
gs_take_get_duration(GsTake *self)
{
    gsize count = 0;
    gs_take_get_samples(self, &count);
    return self->sample_rate ? (double)count / self->sample_rate : 0.0;
}

const float *
gs_take_get_samples(GsTake *self, gsize *count)
{
    gsize size = 0;
    const float *samples = self->samples ? g_bytes_get_data(self->samples, &size) : NULL;
    *count = size / sizeof(float);
    return samples;
}

const float *
gs_take_get_mel(GsTake *self, int *bins, int *frames)
{
    *bins = self->mel ? self->mel_bins : 0;
    *frames = self->mel ? self->mel_frames : 0;
    return self->mel ? g_bytes_get_data(self->mel, NULL) : NULL;
}
