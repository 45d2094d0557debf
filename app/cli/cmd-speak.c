/* genstudio-cli speak: text → speech, to a file or the speakers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gs-audio.h"
#include "gs-image-job.h"
#include "gs-speech-job.h"
#include "gs-voice.h"

typedef struct {
    GsAudioWriter *writer; /* for -o */
    gboolean play;         /* --play */
    int rate;
    double seconds;
} speak_sink;

static gboolean
take_chunk(const gs_speech_chunk *chunk, gpointer user_data, GError **error)
{
    speak_sink *sink = user_data;
    sink->seconds += (double)chunk->sample_count / sink->rate;
    fprintf(stderr, "\r%3.0f%%  %.1f s of speech", chunk->progress * 100.0, sink->seconds);
    if (sink->play && !gs_audio_play_blocking(chunk->samples, chunk->sample_count, 1, sink->rate, error))
        return FALSE;
    return !sink->writer || gs_audio_writer_push(sink->writer, chunk->samples, chunk->sample_count, error);
}

/* Up to the first line break, at most 120 characters. */
static char *
first_line(const char *text)
{
    while (g_ascii_isspace(*text))
        text++;
    const char *end = text;
    for (int chars = 0; *end && *end != '\n' && chars < 120; chars++)
        end = g_utf8_next_char(end);
    return g_strndup(text, (gsize)(end - text));
}

static gboolean
parse_vocoder(const char *name, gs_vocoder *out)
{
    return !name || gs_vocoder_from_name(name, out);
}

/* The model's voices and the language each learned; a language's first
 * voice is the one it speaks with when none is named. */
static int
list_voices(const char *model_path)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = model_path ? g_strdup(model_path) : gs_default_speech_model_path();
    gs_context *ctx = gs_open_engine(&error);
    gs_speech *model = ctx ? gs_load_speech(ctx, path, &error) : NULL;
    if (!model) {
        fprintf(stderr, "genstudio-cli speak: %s\n", error->message);
        gs_context_free(ctx);
        return 1;
    }
    printf("%-10s %s\n", "voice", "language");
    for (int i = 0; i < gs_speech_voice_count(model); i++) {
        const char *name = gs_speech_voice_name(model, i), *lang = gs_speech_voice_language(model, i);
        printf("%-10s %s%s\n", name, lang,
               strcmp(gs_speech_default_voice(model, lang), name) == 0 ? " (the language's default)" : "");
    }
    gs_speech_free(model);
    gs_context_free(ctx);
    return 0;
}

int
gs_cli_speak(int argc, char **argv)
{
    g_autofree char *text = NULL, *file = NULL, *voice = NULL, *lang = NULL, *vocoder = NULL, *output = NULL;
    g_autofree char *model_path = NULL, *voice_file = NULL;
    double rate = 1.0, pitch = 0.0, energy = 0.0, formants = 0.0;
    gboolean play = FALSE, list = FALSE;
    GOptionEntry entries[] = {
        { "text", 't', 0, G_OPTION_ARG_STRING, &text, "What to say", "TEXT" },
        { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file, "Read the script from a UTF-8 text file", "PATH" },
        { "voice", 0, 0, G_OPTION_ARG_STRING, &voice, "Voice (default: the language's first; --list-voices)",
          "NAME" },
        { "list-voices", 0, 0, G_OPTION_ARG_NONE, &list, "List the voices and the language each speaks", NULL },
        { "voice-file", 0, 0, G_OPTION_ARG_FILENAME, &voice_file, "A cloned voice (genstudio-cli clone)",
          "PATH.gsvoice" },
        { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "espeak-ng language (en-us; --list-voices: those with voices)",
          "CODE" },
        { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "Speaking rate, 1 = normal (0.25–4)", "X" },
        { "pitch", 0, 0, G_OPTION_ARG_DOUBLE, &pitch, "Pitch shift in semitones (±24)", "N" },
        { "formants", 0, 0, G_OPTION_ARG_DOUBLE, &formants,
          "Formant shift in semitones (±6): up for a shorter vocal tract, down for a longer; the pitch stays", "N" },
        { "energy", 0, 0, G_OPTION_ARG_DOUBLE, &energy, "Emphasis, -3 (soft) to 3 (strong)", "X" },
        { "vocoder", 0, 0, G_OPTION_ARG_STRING, &vocoder, "neural (the default) or griffinlim", "NAME" },
        { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Speech model (.safetensors)", "PATH" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write .wav, .flac, .ogg or .opus", "PATH" },
        { "play", 0, 0, G_OPTION_ARG_NONE, &play, "Play through the speakers", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("- say a text");
    g_option_context_add_main_entries(options, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(options, &argc, &argv, &error)) {
        fprintf(stderr, "genstudio-cli speak: bad options (text must be valid UTF-8): %s\n", error->message);
        return 2;
    }
    if (list)
        return list_voices(model_path);
    if (!text == !file || (!output && !play) || (voice && voice_file)) {
        fprintf(stderr, "genstudio-cli speak: give --text or --file, -o or --play, and at most one of --voice and "
                        "--voice-file\n");
        return 2;
    }
    g_autoptr(GsVoice) cloned = voice_file ? gs_voice_load(voice_file, &error) : NULL;
    g_autofree float *blend = NULL;
    if (voice_file && !cloned) {
        fprintf(stderr, "genstudio-cli speak: %s\n", error->message);
        return 1;
    }
    gs_speech_params params = gs_speech_default_params();
    params.voice = voice;
    params.lang = lang ? lang : params.lang;
    params.rate = (float)rate;
    params.formant_shift = (float)formants;
    params.pitch = (float)(pitch - formants); /* the warp moves the pitch too */
    params.energy = (float)energy;
    if (!parse_vocoder(vocoder, &params.vocoder)) {
        fprintf(stderr, "genstudio-cli speak: unknown vocoder '%s' (griffinlim, neural)\n", vocoder);
        return 2;
    }
    if (file && !g_file_get_contents(file, &text, NULL, &error)) {
        fprintf(stderr, "genstudio-cli speak: %s\n", error->message);
        return 1;
    }

    int status = 1;
    gs_context *ctx = NULL;
    gs_speech *model = NULL;
    speak_sink sink = { NULL, play, 0, 0.0 };
    if (!model_path)
        model_path = gs_default_speech_model_path();
    if (!(ctx = gs_open_engine(&error)) || !(model = gs_load_speech(ctx, model_path, &error)) ||
        (cloned && !(blend = gs_voice_apply(cloned, model, &params, &error)))) {
        fprintf(stderr, "genstudio-cli speak: %s\n", error->message);
    } else {
        sink.rate = gs_speech_sample_rate(model);
        /* The title is the script's first line (a whole book would make a
         * huge tag). The job refuses invalid UTF-8 with a clear message;
         * GStreamer would first warn about the title of the writer. */
        g_autofree char *title = g_utf8_validate(text, -1, NULL) ? first_line(text) : NULL;
        /* A cloned voice's outputs name its consent record. */
        g_autofree char *consent = cloned ? gs_voice_describe_consent(cloned) : NULL;
        const char *speaker = voice ? voice : gs_speech_default_voice(model, params.lang);
        GsAudioTags tags = { .title = title,
                             .artist = cloned ? cloned->name : speaker,
                             .comment = consent,
                             .model = GS_SPEECH_PROVENANCE_MODEL };
        /* Written sentence by sentence: hours of speech need not fit in
         * memory, and a path that cannot be written fails before any speech. */
        gboolean ok = (!output || (sink.writer = gs_audio_writer_new(output, 1, sink.rate, &tags, &error))) &&
                      gs_speech_job_run(ctx, model, text, &params, take_chunk, &sink, NULL, &error) &&
                      (!output || gs_audio_writer_finish(sink.writer, &error));
        fprintf(stderr, "\n");
        if (ok) {
            if (output)
                printf("%s\n", output);
            status = 0;
        } else {
            fprintf(stderr, "genstudio-cli speak: %s\n", error->message);
        }
    }
    gs_audio_writer_free(sink.writer); /* unfinished, it leaves nothing behind */
    gs_speech_free(model);
    gs_context_free(ctx);
    return status;
}
