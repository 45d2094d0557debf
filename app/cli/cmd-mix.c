/* genstudio-cli mix: audio files placed on a timeline, one track each, and
 * exported as one file — e.g. a speech take over a music bed.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gs-audio.h"
#include "gs-timeline-mix.h"

typedef struct {
    char *path;
    double start;
    double gain_db;
} track_spec;

static gboolean
parse_number(const char *text, double *out)
{
    char *end = NULL;
    *out = g_ascii_strtod(text, &end);
    return *text && end && *end == '\0' && isfinite(*out);
}

/* FILE@START[:GAIN_DB]. The last '@' splits, so a file name may hold one. */
static gboolean
parse_spec(const char *text, track_spec *spec, GError **error)
{
    const char *at = strrchr(text, '@');
    if (!at || at == text) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'%s' is not FILE@START[:GAIN_DB] (e.g. take.wav@1.5:-6)", text);
        return FALSE;
    }
    g_auto(GStrv) fields = g_strsplit(at + 1, ":", -1);
    guint n = g_strv_length(fields);
    spec->gain_db = 0.0;
    if (n < 1 || n > 2 || !parse_number(fields[0], &spec->start) ||
        (n == 2 && !parse_number(fields[1], &spec->gain_db))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'%s': START and GAIN_DB must be numbers (FILE@START[:GAIN_DB])", text);
        return FALSE;
    }
    if (spec->start < 0.0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s': START must be 0 or more seconds", text);
        return FALSE;
    }
    if (spec->gain_db < GS_TIMELINE_MIN_GAIN_DB || spec->gain_db > GS_TIMELINE_MAX_GAIN_DB) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s': GAIN_DB must lie in %g…%g dB", text,
                    GS_TIMELINE_MIN_GAIN_DB, GS_TIMELINE_MAX_GAIN_DB);
        return FALSE;
    }
    spec->path = g_strndup(text, (gsize)(at - text));
    return TRUE;
}

/* Each file decoded to the timeline's format, on a track of its own named
 * after it. */
static gboolean
add_track(GsTimeline *timeline, const track_spec *spec, GError **error)
{
    float *samples = NULL;
    gsize frames = 0;
    if (!gs_audio_decode(spec->path, GS_TIMELINE_CHANNELS, GS_TIMELINE_RATE, &samples, &frames, error)) {
        g_prefix_error(error, "%s: ", spec->path);
        return FALSE;
    }
    g_autoptr(GBytes) audio = g_bytes_new_take(samples, frames * GS_TIMELINE_CHANNELS * sizeof(float));
    g_autofree char *name = g_path_get_basename(spec->path);
    guint track = gs_timeline_add_track(timeline, name);
    return gs_timeline_set_track_gain(timeline, track, spec->gain_db, error) &&
           gs_timeline_add_clip(timeline, track, spec->path, name, audio, spec->start, error) != 0;
}

static void
free_spec(track_spec *spec)
{
    g_free(spec->path);
}

int
gs_cli_mix(int argc, char **argv)
{
    g_autofree char *output = NULL, *title = NULL;
    gboolean normalize = FALSE;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the mix as .wav, .flac, .ogg or .opus", "PATH" },
        { "title", 0, 0, G_OPTION_ARG_STRING, &title, "Title tag of the file", "TEXT" },
        { "normalize", 0, 0, G_OPTION_ARG_NONE, &normalize, "Bring the mix's peak to −1 dBFS", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("TRACK... - mix audio files on a timeline");
    g_option_context_set_description(options,
                                     "Each TRACK is FILE@START[:GAIN_DB]: the file from START seconds on a track "
                                     "of its own,\nat GAIN_DB (0 unless given). Example:\n"
                                     "  genstudio-cli mix -o show.ogg bed.wav@0:-10 take.wav@1\n");
    g_option_context_add_main_entries(options, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(options, &argc, &argv, &error)) {
        fprintf(stderr, "genstudio-cli mix: %s\n", error->message);
        return 2;
    }
    if (!output || argc < 2) {
        fprintf(stderr, "genstudio-cli mix: give -o PATH and at least one FILE@START[:GAIN_DB]\n");
        return 2;
    }
    g_autoptr(GArray) specs = g_array_new(FALSE, TRUE, sizeof(track_spec));
    g_array_set_clear_func(specs, (GDestroyNotify)free_spec);
    for (int i = 1; i < argc; i++) {
        track_spec spec;
        if (!parse_spec(argv[i], &spec, &error)) {
            fprintf(stderr, "genstudio-cli mix: %s\n", error->message);
            return 2;
        }
        g_array_append_val(specs, spec);
    }
    /* Every file is checked before any is decoded: a typo in the last one
     * should not cost the decoding of the others. */
    for (guint i = 0; i < specs->len; i++) {
        const char *path = g_array_index(specs, track_spec, i).path;
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            fprintf(stderr, "genstudio-cli mix: %s: no such file\n", path);
            return 1;
        }
    }
    g_autoptr(GsTimeline) timeline = gs_timeline_new();
    for (guint i = 0; i < specs->len; i++) {
        if (!add_track(timeline, &g_array_index(specs, track_spec, i), &error)) {
            fprintf(stderr, "genstudio-cli mix: %s\n", error->message);
            return 1;
        }
    }
    GsAudioTags tags = { .title = title, .model = GS_MIX_PROVENANCE_MODEL };
    float peak = 0.0f;
    if (!gs_timeline_export(timeline, output, normalize ? GS_TIMELINE_MIX_NORMALIZE : GS_TIMELINE_MIX_NONE, &tags,
                            NULL, NULL, &peak, NULL, &error)) {
        fprintf(stderr, "genstudio-cli mix: %s\n", error->message);
        return 1;
    }
    printf("%u tracks, %.2f s, peak %.1f dBFS%s\n%s\n", specs->len, gs_timeline_get_duration(timeline),
           20.0 * log10(MAX(peak, 1e-6f)), peak > 1.0f && !normalize ? " (clipped; try --normalize)" : "", output);
    return 0;
}
