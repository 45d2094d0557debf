/* FluidSynth rendering, one part at a time on a fresh channel state.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-render.h"

#include <fluidsynth.h>
#include <gio/gio.h>
#include <math.h>

static const char *const system_soundfonts[] = {
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
};

char *
gs_music_find_soundfont(GError **error)
{
    const char *chosen = g_getenv("GENSTUDIO_SOUNDFONT");
    if (chosen && *chosen) {
        /* A soundfont asked for by name is never swapped for another. */
        if (g_file_test(chosen, G_FILE_TEST_IS_REGULAR))
            return g_strdup(chosen);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "GENSTUDIO_SOUNDFONT names %s, which is not a file",
                    chosen);
        return NULL;
    }
    if (g_strcmp0(g_getenv("GENSTUDIO_SOUNDFONT_FALLBACK"), "0") != 0)
        for (gsize i = 0; i < G_N_ELEMENTS(system_soundfonts); i++)
            if (g_file_test(system_soundfonts[i], G_FILE_TEST_IS_REGULAR))
                return g_strdup(system_soundfonts[i]);
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        "no General MIDI soundfont: install fluid-soundfont-gm or timgm6mb-soundfont, "
                        "or set GENSTUDIO_SOUNDFONT to a .sf2 file");
    return NULL;
}

typedef struct {
    guint32 tick;
    gboolean on;
    guint8 key, velocity;
} synth_event;

static int
compare_events(gconstpointer a, gconstpointer b)
{
    const synth_event *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    if (x->on != y->on)
        return x->on ? 1 : -1; /* releases first: a repeated note restarts cleanly */
    return (int)x->key - (int)y->key;
}

static gsize
tick_to_frame(const GsArrangement *arr, guint32 tick)
{
    return (gsize)((guint64)tick * 60u * GS_MUSIC_SAMPLE_RATE / ((guint64)GS_MUSIC_TICKS_PER_QUARTER * arr->bpm));
}

static GArray *
track_events(const GsMusicTrack *track)
{
    GArray *events = g_array_sized_new(FALSE, FALSE, sizeof(synth_event), track->notes->len * 2);
    for (guint i = 0; i < track->notes->len; i++) {
        const GsMusicNote *note = &g_array_index(track->notes, GsMusicNote, i);
        synth_event on = { note->tick, TRUE, note->key, note->velocity };
        synth_event off = { note->tick + note->duration, FALSE, note->key, 0 };
        g_array_append_val(events, on);
        g_array_append_val(events, off);
    }
    g_array_sort(events, compare_events);
    return events;
}

static void
synthesize(fluid_synth_t *synth, float *stereo, gsize from, gsize to)
{
    if (to > from)
        fluid_synth_write_float(synth, (int)(to - from), stereo, (int)from * 2, 2, stereo, (int)from * 2 + 1, 2);
}

static void
render_track(fluid_synth_t *synth, const GsArrangement *arr, const GsMusicTrack *track, float *stereo, gsize frames)
{
    fluid_synth_system_reset(synth);
    fluid_synth_program_change(synth, track->channel, track->program);
    g_autoptr(GArray) events = track_events(track);
    gsize now = 0;
    for (guint i = 0; i < events->len; i++) {
        const synth_event *e = &g_array_index(events, synth_event, i);
        gsize at = MIN(tick_to_frame(arr, e->tick), frames);
        synthesize(synth, stereo, now, at);
        now = MAX(now, at);
        if (e->on)
            fluid_synth_noteon(synth, track->channel, e->key, e->velocity);
        else
            fluid_synth_noteoff(synth, track->channel, e->key);
    }
    synthesize(synth, stereo, now, frames);
}

static fluid_settings_t *
synth_settings(void)
{
    fluid_settings_t *settings = new_fluid_settings();
    fluid_settings_setnum(settings, "synth.sample-rate", GS_MUSIC_SAMPLE_RATE);
    fluid_settings_setint(settings, "synth.reverb.active", 0);
    fluid_settings_setint(settings, "synth.chorus.active", 0);
    fluid_settings_setint(settings, "synth.cpu-cores", 1);
    fluid_settings_setint(settings, "synth.polyphony", 256);
    return settings;
}

/* The mix peaks at −1 dBFS; the stems get the same gain. */
static void
normalise(GsMusicAudio *audio)
{
    gsize n = audio->frames * 2;
    float peak = 0.0f;
    for (gsize i = 0; i < n; i++)
        peak = MAX(peak, fabsf(audio->mix[i]));
    if (peak == 0.0f)
        return;
    float gain = powf(10.0f, -1.0f / 20.0f) / peak;
    for (gsize i = 0; i < n; i++)
        audio->mix[i] *= gain;
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        for (gsize i = 0; i < n; i++)
            audio->stems[part][i] *= gain;
}

gsize
gs_music_render_frames(const GsArrangement *arrangement)
{
    return tick_to_frame(arrangement, gs_arrangement_total_ticks(arrangement)) +
           (gsize)(GS_MUSIC_TAIL_SECONDS * GS_MUSIC_SAMPLE_RATE);
}

GsMusicAudio *
gs_music_render(const GsArrangement *arrangement, const char *soundfont, GsMusicPartFunc on_part, gpointer user_data,
                GError **error)
{
    /* FluidSynth's own messages (missing presets, file details) would
     * interleave with ours; its failures come back as our GError. */
    for (int level = FLUID_ERR; level <= FLUID_DBG; level++)
        fluid_set_log_function(level, NULL, NULL);
    /* Checked first: loading anything else also trips libinstpatch's criticals. */
    if (!fluid_is_soundfont(soundfont)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a SoundFont 2 file", soundfont);
        return NULL;
    }
    fluid_settings_t *settings = synth_settings();
    fluid_synth_t *synth = new_fluid_synth(settings);
    if (!synth || fluid_synth_sfload(synth, soundfont, TRUE) == FLUID_FAILED) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "cannot load the soundfont %s", soundfont);
        if (synth)
            delete_fluid_synth(synth);
        delete_fluid_settings(settings);
        return NULL;
    }
    g_autoptr(GsMusicAudio) audio = g_new0(GsMusicAudio, 1);
    audio->rate = GS_MUSIC_SAMPLE_RATE;
    audio->frames = gs_music_render_frames(arrangement);
    audio->mix = g_new0(float, audio->frames * 2);
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++) {
        if (on_part && !on_part(part, user_data)) {
            g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the music render was cancelled");
            delete_fluid_synth(synth);
            delete_fluid_settings(settings);
            return NULL;
        }
        audio->stems[part] = g_new0(float, audio->frames * 2);
        render_track(synth, arrangement, &arrangement->tracks[part], audio->stems[part], audio->frames);
        for (gsize i = 0; i < audio->frames * 2; i++)
            audio->mix[i] += audio->stems[part][i];
    }
    delete_fluid_synth(synth);
    delete_fluid_settings(settings);
    normalise(audio);
    return g_steal_pointer(&audio);
}

void
gs_music_audio_free(GsMusicAudio *audio)
{
    if (!audio)
        return;
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        g_free(audio->stems[part]);
    g_free(audio->mix);
    g_free(audio);
}

struct _GsMusicRenderThread {
    GThread *thread;
    const GsArrangement *arrangement;
    char *soundfont;
    GsMusicPartFunc on_part;
    gpointer user_data;
    GError *error;
};

static gpointer
render_thread(gpointer data)
{
    GsMusicRenderThread *t = data;
    return gs_music_render(t->arrangement, t->soundfont, t->on_part, t->user_data, &t->error);
}

GsMusicRenderThread *
gs_music_render_start(const GsArrangement *arrangement, const char *soundfont, GsMusicPartFunc on_part,
                      gpointer user_data)
{
    GsMusicRenderThread *t = g_new0(GsMusicRenderThread, 1);
    t->arrangement = arrangement;
    t->soundfont = g_strdup(soundfont);
    t->on_part = on_part;
    t->user_data = user_data;
    t->thread = g_thread_new("band", render_thread, t);
    return t;
}

GsMusicAudio *
gs_music_render_join(GsMusicRenderThread *t, GError **error)
{
    GsMusicAudio *audio = g_thread_join(t->thread);
    if (!audio)
        g_propagate_error(error, t->error);
    g_free(t->soundfont);
    g_free(t);
    return audio;
}
