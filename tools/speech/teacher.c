/* Teacher data for the speech models: flite's voices read each sentence;
 * their audio goes to 16 kHz WAV files and one JSON line per utterance holds
 * flite's phone timings (ARPAbet, end in seconds) next to the espeak-ng
 * phonemes the engine uses at run time, so that tools/speech/prepare.py can
 * align the two.
 *
 *   teacher SENTENCES OUTDIR VOICE...    (voices: slt awb rms kal16)
 *   teacher --phonemes LANG SENTENCES    (only the phonemes, one JSON line
 *                                         per sentence, for other teachers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <flite/flite.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "genstudio-engine.h"

cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
void usenglish_init(cst_voice *v);
cst_lexicon *cmulex_init(void);

static cst_voice *
voice_by_name(const char *name)
{
    if (strcmp(name, "slt") == 0)
        return register_cmu_us_slt(NULL);
    if (strcmp(name, "awb") == 0)
        return register_cmu_us_awb(NULL);
    if (strcmp(name, "rms") == 0)
        return register_cmu_us_rms(NULL);
    if (strcmp(name, "kal16") == 0)
        return register_cmu_us_kal16(NULL);
    return NULL;
}

static void
add_phones(JsonBuilder *b, gs_phonemizer *ph, const char *text)
{
    json_builder_set_member_name(b, "phones");
    json_builder_begin_array(b);
    for (const char *rest = text; rest;) {
        gs_phone *phones;
        int count;
        char *error = NULL;
        if (gs_phonemizer_next_sentence(ph, &rest, &phones, &count, &error) != GS_OK) {
            g_printerr("%s\n", error);
            free(error);
            break;
        }
        for (int i = 0; i < count; i++) {
            json_builder_begin_array(b);
            json_builder_add_string_value(b, phones[i].symbol);
            json_builder_add_int_value(b, phones[i].stress);
            json_builder_end_array(b);
        }
        gs_phones_free(phones);
    }
    json_builder_end_array(b);
}

static void
add_segments(JsonBuilder *b, cst_utterance *utt)
{
    json_builder_set_member_name(b, "segments");
    json_builder_begin_array(b);
    for (const cst_item *s = relation_head(utt_relation(utt, "Segment")); s; s = item_next(s)) {
        json_builder_begin_array(b);
        json_builder_add_string_value(b, item_feat_string(s, "name"));
        json_builder_add_double_value(b, item_feat_float(s, "end"));
        json_builder_end_array(b);
    }
    json_builder_end_array(b);
}

static void
print_json_line(FILE *out, JsonBuilder *b)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    g_autofree char *line = json_generator_to_data(gen, NULL);
    fprintf(out, "%s\n", line);
}

static int
print_phonemes(const char *lang, char **lines)
{
    gs_phonemizer *ph;
    char *message = NULL;
    if (gs_phonemizer_new(lang, &ph, &message) != GS_OK) {
        g_printerr("%s\n", message);
        return 1;
    }
    for (int i = 0; lines[i]; i++) {
        if (!*lines[i])
            continue;
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "text");
        json_builder_add_string_value(b, lines[i]);
        add_phones(b, ph, lines[i]);
        json_builder_end_object(b);
        print_json_line(stdout, b);
    }
    gs_phonemizer_free(ph);
    return 0;
}

int
main(int argc, char **argv)
{
    bool phonemes_only = argc == 4 && strcmp(argv[1], "--phonemes") == 0;
    if (argc < 4) {
        g_printerr("usage: teacher SENTENCES OUTDIR VOICE... | teacher --phonemes LANG SENTENCES\n");
        return 2;
    }
    g_autofree char *contents = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(argv[phonemes_only ? 3 : 1], &contents, NULL, &error)) {
        g_printerr("%s\n", error->message);
        return 1;
    }
    g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
    if (phonemes_only)
        return print_phonemes(argv[2], lines);
    gs_phonemizer *ph;
    char *message = NULL;
    if (gs_phonemizer_new("en-us", &ph, &message) != GS_OK) {
        g_printerr("%s\n", message);
        return 1;
    }
    flite_init();
    g_mkdir_with_parents(argv[2], 0755);
    g_autofree char *index_path = g_build_filename(argv[2], "index.jsonl", NULL);
    FILE *index = fopen(index_path, "w");
    for (int v = 3; v < argc; v++) {
        cst_voice *voice = voice_by_name(argv[v]);
        if (!voice) {
            g_printerr("unknown flite voice %s\n", argv[v]);
            return 1;
        }
        for (int i = 0; lines[i]; i++) {
            if (!*lines[i])
                continue;
            cst_utterance *utt = flite_synth_text(lines[i], voice);
            cst_wave *wave = utt_wave(utt);
            g_autofree char *name = g_strdup_printf("%s-%05d.wav", argv[v], i);
            g_autofree char *path = g_build_filename(argv[2], name, NULL);
            cst_wave_save_riff(wave, path);

            g_autoptr(JsonBuilder) b = json_builder_new();
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "voice");
            json_builder_add_string_value(b, argv[v]);
            json_builder_set_member_name(b, "text");
            json_builder_add_string_value(b, lines[i]);
            json_builder_set_member_name(b, "wav");
            json_builder_add_string_value(b, name);
            json_builder_set_member_name(b, "rate");
            json_builder_add_int_value(b, wave->sample_rate);
            add_phones(b, ph, lines[i]);
            add_segments(b, utt);
            json_builder_end_object(b);
            print_json_line(index, b);
            delete_utterance(utt);
        }
        g_print("%s done\n", argv[v]);
    }
    fclose(index);
    gs_phonemizer_free(ph);
    return 0;
}
