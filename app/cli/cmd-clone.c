/* genstudio-cli clone: a voice from a recording of its owner reading a
 * fresh consent sentence. Two steps: --new-consent issues the sentence and
 * its id; --consent-id with --recording checks the recording and fits the
 * voice. There is no way around the check.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>

#include "cli.h"
#include "gs-audio.h"
#include "gs-consent.h"
#include "gs-image-job.h"
#include "gs-speech-job.h"
#include "gs-voice-clone.h"

static gboolean
show_progress(double fraction, gpointer user_data)
{
    fprintf(stderr, "\rfitting the voice: %3.0f%%", fraction * 100.0);
    return TRUE;
}

static int
issue(const char *name)
{
    g_autofree char *ledger = gs_consent_default_ledger_path();
    g_autoptr(GError) error = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    g_autoptr(GsConsentRequest) request = gs_consent_issue(ledger, name, now, &error);
    if (!request) {
        fprintf(stderr, "genstudio-cli clone: %s\n", error->message);
        return 1;
    }
    printf("Consent id: %s\n", request->id);
    printf("Read aloud, within %d minutes, into a recording of %.0f to %.0f s:\n\n    %s\n\n",
           GS_CONSENT_LIFETIME_SECONDS / 60, GS_CONSENT_MIN_SECONDS, GS_CONSENT_MAX_SECONDS, request->sentence);
    printf("Then: genstudio-cli clone --consent-id %s --recording FILE -o VOICE.gsvoice\n", request->id);
    return 0;
}

static int
clone_voice(const char *id, const char *recording, const char *output, const char *model_path)
{
    g_autofree char *ledger = gs_consent_default_ledger_path();
    g_autoptr(GError) error = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    g_autoptr(GsConsentRequest) request = gs_consent_lookup(ledger, id, now, &error);
    g_autofree float *samples = NULL;
    gsize count = 0;
    g_autoptr(GsConsentCheck) check = NULL;
    if (request && gs_audio_decode(recording, 1, GS_CONSENT_RATE, &samples, &count, &error))
        check = gs_consent_check_recording(request, samples, count, &error);
    if (!check) {
        fprintf(stderr, "genstudio-cli clone: refused: %s\n", error->message);
        return 1;
    }
    fprintf(stderr, "consent heard (%.0f%% of the sentence, and the phrase): “%s”\n",
            100.0 * check->sentence_match, check->transcript);

    g_autofree char *path = model_path ? g_strdup(model_path) : gs_default_speech_model_path();
    gs_context *ctx = gs_open_engine(&error);
    gs_speech *model = ctx ? gs_load_speech(ctx, path, &error) : NULL;
    gs_speaker_encoder *encoder = model ? gs_load_default_speaker_encoder(ctx, &error) : NULL;
    g_autoptr(GsVoice) voice = encoder ? gs_voice_clone(ctx, model, encoder, request, check, samples, count,
                                                        show_progress, NULL, &error)
                                       : NULL;
    fprintf(stderr, "\n");
    /* The id is spent only now, so that a failure above leaves it usable;
     * if another process spent it meanwhile, this one writes nothing. */
    gboolean ok = voice && gs_consent_spend(ledger, id, g_get_real_time() / G_USEC_PER_SEC, &error) &&
                  gs_voice_save(voice, output, &error);
    gs_speaker_encoder_free(encoder);
    gs_speech_free(model);
    gs_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "genstudio-cli clone: %s\n", error->message);
        return 1;
    }
    g_autoptr(GString) blend = g_string_new(NULL);
    for (int i = 0; voice->model_voices[i]; i++)
        if (voice->weights[i] > 0)
            g_string_append_printf(blend, "%s%s %.2f", blend->len ? ", " : "", voice->model_voices[i],
                                   voice->weights[i]);
    fprintf(stderr, "voice “%s”: %s, pitch %+.1f semitones\n", voice->name, blend->str, voice->pitch);
    printf("%s\n", output);
    return 0;
}

int
gs_cli_clone(int argc, char **argv)
{
    gboolean new_consent = FALSE;
    g_autofree char *name = NULL, *id = NULL, *recording = NULL, *output = NULL, *model_path = NULL;
    GOptionEntry entries[] = {
        { "new-consent", 0, 0, G_OPTION_ARG_NONE, &new_consent, "Issue a consent sentence to read aloud", NULL },
        { "name", 0, 0, G_OPTION_ARG_STRING, &name, "The speaker's name, for --new-consent", "NAME" },
        { "consent-id", 0, 0, G_OPTION_ARG_STRING, &id, "The id --new-consent printed", "ID" },
        { "recording", 0, 0, G_OPTION_ARG_FILENAME, &recording, "The speaker reading the consent sentence",
          "FILE" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the voice here (.gsvoice)", "PATH" },
        { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path, "Speech model (.safetensors)", "PATH" },
        { NULL },
    };
    g_autoptr(GOptionContext) options = g_option_context_new("- clone a voice, with its owner's spoken consent");
    g_option_context_set_description(options,
        "Step 1: genstudio-cli clone --new-consent --name \"Ann Smith\"\n"
        "Step 2: record Ann reading the printed sentence (5–30 s), then\n"
        "        genstudio-cli clone --consent-id ID --recording ann.wav -o ann.gsvoice\n"
        "Speak with it: genstudio-cli speak --voice-file ann.gsvoice --text … -o out.wav");
    g_option_context_add_main_entries(options, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(options, &argc, &argv, &error)) {
        fprintf(stderr, "genstudio-cli clone: bad options: %s\n", error->message);
        return 2;
    }
    if (new_consent && name && !id && !recording && !output)
        return issue(name);
    if (!new_consent && !name && id && recording && output)
        return clone_voice(id, recording, output, model_path);
    fprintf(stderr, "genstudio-cli clone: give --new-consent --name NAME, or --consent-id ID --recording FILE -o "
                    "VOICE.gsvoice\n");
    return 2;
}
