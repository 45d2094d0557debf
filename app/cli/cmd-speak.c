/* genstudio-cli speak: text → speech, to a file or the speakers.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cli.h"
#include "gs-audio.h"
#include "gs-image-job.h"
#include "gs-speech-job.h"

typedef struct {
    GArray *samples;       /* for -o */
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
    if (sink->samples)
        g_array_append_vals(sink->samples, chunk->samples, (guint)chunk->sample_count);
    return TRUE;
}

static gboolean
parse_vocoder(const char *name, gs_vocoder *out)
{
    return !name || gs_vocoder_from_name(name, out);
}

int
gs_cli_speak(int argc, char **argv)
{
    g_autofree char *text = NULL, *file = NULL, *voice = NULL, *lang = NULL, *vocoder = NULL, *output = NULL;
    g_autofree char *model_path = NULL;
    double rate = 1.0, pitch = 0.0;
    gboolean play = FALSE;
    GOptionEntry entries[] = {
        { "text", 't', 0, G_OPTION_ARG_STRING, &text, "What to say", "TEXT" },
        { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file, "Read the script from a UTF-8 text file", "PATH" },
        { "voice", 0, 0, G_OPTION_ARG_STRING, &voice, "Voice (slt, awb, rms, kal16)", "NAME" },
        { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "espeak-ng language (en-us)", "CODE" },
        { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, "Speaking rate, 1 = normal (0.25–4)", "X" },
        { "pitch", 0, 0, G_OPTION_ARG_DOUBLE, &pitch, "Pitch shift in semitones (±24)", "N" },
        { "vocoder", 0, 0, G_OPTION_ARG_STRING, &vocoder, "griffinlim or neural", "NAME" },
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
    if (!text == !file || (!output && !play)) {
        fprintf(stderr, "genstudio-cli speak: give --text or --file, and -o or --play\n");
        return 2;
    }
    gs_speech_params params = gs_speech_default_params();
    params.voice = voice;
    params.lang = lang ? lang : params.lang;
    params.rate = (float)rate;
    params.pitch = (float)pitch;
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
    if (!(ctx = gs_open_engine(&error)) || !(model = gs_load_speech(ctx, model_path, &error))) {
        fprintf(stderr, "genstudio-cli speak: %s\n", error->message);
    } else {
        sink.rate = gs_speech_sample_rate(model);
        GsAudioTags tags = { .title = text, .artist = voice ? voice : gs_speech_voice_name(model, 0) };
        if (output)
            sink.samples = g_array_new(FALSE, FALSE, sizeof(float));
        gboolean ok = gs_speech_job_run(ctx, model, text, &params, take_chunk, &sink, NULL, &error) &&
                      (!output || gs_audio_export(output, (const float *)sink.samples->data, sink.samples->len, 1,
                                                  sink.rate, &tags, NULL, NULL, NULL, &error));
        fprintf(stderr, "\n");
        if (ok) {
            if (output)
                printf("%s\n", output);
            status = 0;
        } else {
            fprintf(stderr, "genstudio-cli speak: %s\n", error->message);
        }
    }
    g_clear_pointer(&sink.samples, g_array_unref);
    gs_speech_free(model);
    gs_context_free(ctx);
    return status;
}
