/* genstudio-cli music: text prompt → arrangement → MIDI and rendered audio.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "cli.h"
#include "gs-arranger.h"
#include "gs-audio.h"
#include "gs-image-job.h"
#include "gs-midi-file.h"
#include "gs-music-render.h"
#include "gs-music-vocals.h"
#include "gs-speech-job.h"
#include "gs-voice.h"

#define DEFAULT_SEED 42

static void
print_understood(const GsMusicPrompt *prompt, const GsArrangement *arr, guint64 seed)
{
    printf("style: %s (%s)\n", gs_music_style_name(prompt->style),
           gs_music_family_name(gs_music_style_info(prompt->style)->family));
    if (prompt->mood != GS_MUSIC_MOOD_NEUTRAL)
        printf("mood: %s\n", gs_music_mood_name(prompt->mood));
    printf("tempo: %d bpm\n", prompt->bpm);
    printf("key: %s %s\n", gs_music_key_name(prompt->key), prompt->mode == GS_MUSIC_MODE_MINOR ? "minor" : "major");
    printf("length: %.1f s (%d bars of %d/4; %g s asked)\n", gs_arrangement_seconds(arr), arr->bars,
           arr->beats_per_bar, prompt->seconds);
    printf("instruments: drums, bass: %s, chords: %s, melody: %s\n",
           gs_music_program_name(prompt->programs[GS_MUSIC_PART_BASS]),
           gs_music_program_name(prompt->programs[GS_MUSIC_PART_CHORDS]),
           gs_music_program_name(prompt->programs[GS_MUSIC_PART_MELODY]));
    printf("sections:");
    for (int i = 0; i < arr->n_sections; i++)
        printf("%s %s %.1f s", i ? "," : "", gs_music_section_name(arr->sections[i].kind),
               gs_arrangement_bar_seconds(arr, arr->sections[i].first_bar));
    printf("\n");
    printf("seed: %" G_GUINT64_FORMAT "\n", seed);
    if (prompt->ignored[0]) {
        g_autofree char *words = g_strjoinv(", ", prompt->ignored);
        printf("ignored: %s\n", words);
    }
}

static gboolean
write_stems(const GsMusicAudio *audio, const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot create %s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++) {
        g_autofree char *name = g_strconcat(gs_music_part_name(part), ".wav", NULL);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        GsAudioTags tags = { .title = gs_music_part_name(part), .model = GS_MUSIC_PROVENANCE_MODEL };
        if (!gs_audio_export(path, audio->stems[part], audio->frames, 2, audio->rate, &tags, NULL, NULL, NULL, error))
            return FALSE;
    }
    return TRUE;
}

/* Who sings: a voice of the speech model by name (NULL: its default), or
 * the cloned voice `clone`, which must fit the model. */
typedef struct {
    const char *voice;
    const GsVoice *clone;
} Singer;

/* The lyrics sung into a stereo stem `frames` long (the band's length). */
static float *
sing_vocals(const GsArrangement *arr, const char *lyrics, const Singer *who, gsize frames, GError **error)
{
    gs_context *ctx = gs_open_engine(error);
    g_autofree char *model_path = gs_default_speech_model_path();
    gs_speech *model = ctx ? gs_load_speech(ctx, model_path, error) : NULL;
    GsSinger singer = { .voice = who->voice };
    gs_speech_params fitted = gs_speech_default_params();
    g_autofree float *blend = NULL;
    gboolean fits = model && (!who->clone || (blend = gs_voice_apply(who->clone, model, &fitted, error)));
    if (fits && who->clone)
        singer = (GsSinger){ .blend = fitted.voice_blend, .pitch = who->clone->pitch };
    g_autoptr(GsVocalLine) line = fits ? gs_vocal_line_plan(ctx, model, &singer, arr, lyrics, error) : NULL;
    float *stem = line ? gs_vocal_line_render(ctx, model, &singer, line, frames, error) : NULL;
    gs_speech_free(model);
    gs_context_free(ctx);
    if (!stem)
        return NULL;
    double low = 1e9, high = 0;
    for (int i = 0; i < line->n_notes; i++) {
        low = MIN(low, line->notes[i].hz);
        high = MAX(high, line->notes[i].hz);
    }
    printf("vocals: %d syllables in %d phrases, %.0f–%.0f Hz (the voice's own pitch %.0f Hz)\n", line->n_notes,
           line->n_phrases, low, high, line->voice_hz);
    return stem;
}

/* The vocals stem added to the mix (its peak back at −1 dBFS) and written
 * beside the other stems. */
static gboolean
add_vocals(GsMusicAudio *audio, const float *stem, const Singer *who, const char *stems_dir, GError **error)
{
    float peak = 0;
    for (gsize i = 0; i < audio->frames * 2; i++) {
        audio->mix[i] += stem[i];
        peak = MAX(peak, fabsf(audio->mix[i]));
    }
    for (gsize i = 0; peak > 0 && i < audio->frames * 2; i++)
        audio->mix[i] *= 0.891f / peak;
    if (!stems_dir)
        return TRUE;
    g_autofree char *path = g_build_filename(stems_dir, "vocals.wav", NULL);
    g_autofree char *consent = who->clone ? gs_voice_describe_consent(who->clone) : NULL;
    GsAudioTags tags = { .title = "vocals", .comment = consent, .model = GS_MUSIC_PROVENANCE_MODEL };
    return gs_audio_export(path, stem, audio->frames, 2, audio->rate, &tags, NULL, NULL, NULL, error);
}

/* Parses, arranges and writes what was asked for. The audio writer opens
 * before the rendering, so a path that cannot be written fails early. */
static gboolean
compose(const char *prompt_text, const char *lyrics, const Singer *singer, guint64 seed, const char *output,
        const char *stems_dir, const char *midi, GError **error)
{
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(prompt_text, error);
    if (!prompt)
        return FALSE;
    g_autoptr(GsArrangement) arr = gs_arrangement_new(prompt, seed);
    print_understood(prompt, arr, seed);
    fflush(stdout);
    g_autofree char *soundfont = NULL;
    g_autoptr(GsAudioWriter) writer = NULL;
    g_autofree char *comment = g_strdup_printf("%s in %s %s, %d bpm, seed %" G_GUINT64_FORMAT,
                                               gs_music_style_name(prompt->style), gs_music_key_name(prompt->key),
                                               prompt->mode == GS_MUSIC_MODE_MINOR ? "minor" : "major", prompt->bpm,
                                               seed);
    if (lyrics && singer->clone) { /* whose voice sings, and with what consent */
        g_autofree char *consent = gs_voice_describe_consent(singer->clone);
        g_autofree char *plain = g_steal_pointer(&comment);
        comment = g_strdup_printf("%s; vocals: %s", plain, consent);
    }
    GsAudioTags tags = { .title = prompt_text, .comment = comment, .model = GS_MUSIC_PROVENANCE_MODEL };
    if (output && !(writer = gs_audio_writer_new(output, 2, GS_MUSIC_SAMPLE_RATE, &tags, error)))
        return FALSE;
    if (midi && !gs_midi_file_write(arr, midi, error))
        return FALSE;
    if (!output && !stems_dir)
        return TRUE;
    if (!(soundfont = gs_music_find_soundfont(error)))
        return FALSE;
    /* The band plays into memory on its own thread while the engine sings. */
    GsMusicRenderThread *render = gs_music_render_start(arr, soundfont, NULL, NULL);
    g_autoptr(GError) vocals_error = NULL;
    g_autofree float *stem =
        lyrics ? sing_vocals(arr, lyrics, singer, gs_music_render_frames(arr), &vocals_error) : NULL;
    g_autoptr(GsMusicAudio) audio = gs_music_render_join(render, error);
    if (!audio)
        return FALSE;
    if (lyrics && !stem) {
        g_propagate_error(error, g_steal_pointer(&vocals_error));
        return FALSE;
    }
    return (!stems_dir || write_stems(audio, stems_dir, error)) &&
           (!lyrics || add_vocals(audio, stem, singer, stems_dir, error)) &&
           (!writer || (gs_audio_writer_push(writer, audio->mix, audio->frames, error) &&
                        gs_audio_writer_finish(writer, error)));
}

int
gs_cli_music(int argc, char **argv)
{
    g_autofree char *prompt = NULL, *seed_text = NULL, *output = NULL, *stems_dir = NULL, *midi = NULL, *lyrics = NULL;
    g_autofree char *singer_name = NULL, *voice_file = NULL;
    GOptionEntry entries[] = {
        { "prompt", 'p', 0, G_OPTION_ARG_STRING, &prompt, "What to play: style, mood, tempo, key, length, instruments",
          "TEXT" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, "Seed of the arrangement (42)", "N" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the mix as .wav, .flac, .ogg or .opus", "PATH" },
        { "stems", 0, 0, G_OPTION_ARG_FILENAME, &stems_dir, "Write each part as DIR/<part>.wav", "DIR" },
        { "midi", 0, 0, G_OPTION_ARG_FILENAME, &midi, "Write a Standard MIDI File", "PATH" },
        { "lyrics", 0, 0, G_OPTION_ARG_STRING, &lyrics, "Sing these lyrics (one phrase a line), or a file's",
          "TEXT|FILE" },
        { "singer", 0, 0, G_OPTION_ARG_STRING, &singer_name, "The speech model's voice that sings (its first)",
          "VOICE" },
        { "voice-file", 0, 0, G_OPTION_ARG_FILENAME, &voice_file, "A cloned voice sings (genstudio-cli clone)",
          "V.gsvoice" },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("- compose music from a text prompt");
    g_option_context_add_main_entries(options, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(options, &argc, &argv, &error)) {
        fprintf(stderr, "genstudio-cli music: bad options (the prompt must be valid UTF-8): %s\n", error->message);
        return 2;
    }
    if (!prompt || (!output && !stems_dir && !midi)) {
        fprintf(stderr, "genstudio-cli music: give --prompt, and -o, --stems or --midi\n");
        return 2;
    }
    if ((singer_name || voice_file) && (!lyrics || (singer_name && voice_file))) {
        fprintf(stderr, "genstudio-cli music: --singer or --voice-file (one of them) go with --lyrics\n");
        return 2;
    }
    guint64 seed = DEFAULT_SEED;
    if (seed_text && !g_ascii_string_to_unsigned(seed_text, 10, 0, G_MAXUINT64, &seed, &error)) {
        fprintf(stderr, "genstudio-cli music: --seed: %s\n", error->message);
        return 2;
    }
    g_autofree char *lyrics_text = NULL;
    if (lyrics && g_file_test(lyrics, G_FILE_TEST_IS_REGULAR) &&
        !g_file_get_contents(lyrics, &lyrics_text, NULL, &error)) {
        fprintf(stderr, "genstudio-cli music: --lyrics: %s\n", error->message);
        return 1;
    }
    g_autoptr(GsVoice) cloned = voice_file ? gs_voice_load(voice_file, &error) : NULL;
    if (voice_file && !cloned) {
        fprintf(stderr, "genstudio-cli music: --voice-file: %s\n", error->message);
        return 1;
    }
    Singer singer = { singer_name, cloned };
    if (!compose(prompt, lyrics_text ? lyrics_text : lyrics, &singer, seed, output, stems_dir, midi, &error)) {
        fprintf(stderr, "genstudio-cli music: %s\n", error->message);
        return 1;
    }
    if (output)
        printf("%s\n", output);
    return 0;
}
