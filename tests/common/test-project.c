/* The .genstudio project file: a round trip keeps everything, a newer or
 * broken project is refused without writing anything, a save killed at any
 * moment leaves the previous one whole, and autosave leaves a recovery
 * file of each project's own that can be found and discarded; scratch
 * files no project refers to can go.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "gs-project.h"
#include "gs-timeline.h"

#define RATE 16000
/* 16-bit PCM with audioconvert's TPDF dither: within two steps of 1/32768. */
#define SAMPLE_TOLERANCE (2.0f / 32768.0f)
#define MEL_BINS 8
#define KILL_TAKES 40
#define KILL_ROUNDS 8
#define SAVE_LOOP_OPTION "--save-loop"

/* A take whose audio and mel follow from `seed`: the same seed gives the
 * same take in any process. */
static GsTake *
take_new(const char *text, guint seed, gsize frames)
{
    float *samples = g_new(float, frames);
    double hz = 110.0 + 37.0 * seed;
    for (gsize i = 0; i < frames; i++)
        samples[i] = 0.6f * (float)sin(2.0 * G_PI * hz * (double)i / RATE);
    int mel_frames = (int)(frames / 256) + 1;
    float *mel = g_new(float, MEL_BINS * mel_frames);
    for (int i = 0; i < MEL_BINS * mel_frames; i++)
        mel[i] = -11.5f + (float)((seed * 31 + (guint)i * 7) % 100) / 8.0f;
    g_autoptr(GBytes) sample_bytes = g_bytes_new_take(samples, frames * sizeof(float));
    g_autoptr(GBytes) mel_bytes = g_bytes_new_take(mel, MEL_BINS * mel_frames * sizeof(float));
    gs_speech_params params = {.voice = seed % 2 ? "awb" : "slt", .lang = seed % 3 ? "en-us" : "de",
                               .rate = 0.75f + 0.25f * (float)(seed % 3), .pitch = (float)(seed % 7) - 2.5f};
    return gs_take_new(text, &params, sample_bytes, RATE, mel_bytes, MEL_BINS, mel_frames);
}

/* Version `version` of the big project the kill test saves over and over. */
static GsProject *
big_project_new(char version)
{
    GsProject *project = gs_project_new();
    for (guint i = 0; i < KILL_TAKES; i++) {
        g_autofree char *text = g_strdup_printf("Version %c, take %u.", version, i);
        g_autoptr(GsTake) take = take_new(text, i + (version == 'B' ? 100 : 0), RATE / 4);
        g_list_store_append(gs_project_get_takes(project), take);
    }
    return project;
}

static char *
make_tmp_dir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("gs-project-XXXXXX", &error);
    g_assert_no_error(error);
    return dir;
}

static char *
write_file(const char *dir, const char *name, const char *contents)
{
    char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) error = NULL;
    g_file_set_contents(path, contents, -1, &error);
    g_assert_no_error(error);
    return path;
}

static void
assert_same_file_contents(const char *a, const char *b)
{
    g_autofree char *contents_a = NULL, *contents_b = NULL;
    gsize length_a = 0, length_b = 0;
    g_assert_true(g_file_get_contents(a, &contents_a, &length_a, NULL));
    g_assert_true(g_file_get_contents(b, &contents_b, &length_b, NULL));
    g_assert_cmpmem(contents_a, length_a, contents_b, length_b);
}

static void
assert_same_voice(const GsVoice *want, const GsVoice *got)
{
    g_assert_true((want == NULL) == (got == NULL));
    if (!want)
        return;
    g_assert_cmpstr(got->name, ==, want->name);
    g_assert_cmpstr(got->consent_id, ==, want->consent_id);
    g_assert_cmpstr(got->consent_sentence, ==, want->consent_sentence);
    g_assert_cmpstr(got->consent_audio_sha256, ==, want->consent_audio_sha256);
    g_assert_cmpint(got->consent_time, ==, want->consent_time);
    g_assert_cmpfloat_with_epsilon(got->pitch, want->pitch, 1e-6);
    g_assert_cmpuint(g_strv_length(got->model_voices), ==, g_strv_length(want->model_voices));
    for (guint i = 0; want->model_voices[i]; i++) {
        g_assert_cmpstr(got->model_voices[i], ==, want->model_voices[i]);
        g_assert_cmpfloat_with_epsilon(got->weights[i], want->weights[i], 1e-6);
    }
}

/* A cloned voice as the consent gate makes them (gs-voice.h). */
static GsVoice *
cloned_voice_new(void)
{
    static const char *const model_voices[] = { "slt", "awb", NULL };
    static const float weights[] = { 0.25f, 0.75f };
    GsVoice template = {
        .name = "Ann Smith", .model_voices = (char **)model_voices, .weights = (float *)weights, .pitch = -1.5f,
        .consent_id = "0123456789abcdef",
        .consent_sentence = "I, Ann Smith, agree that GenStudio may create a synthetic copy of my voice from this "
                            "recording. My phrase is amber lantern copper meadow.",
        .consent_transcript = "i ann smith agree", .consent_match = 0.9,
        .consent_audio_sha256 = "5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e",
        .consent_time = 1796000000,
    };
    return gs_voice_copy(&template);
}

static void
assert_same_takes(GsProject *want, GsProject *got)
{
    GListModel *want_takes = G_LIST_MODEL(gs_project_get_takes(want));
    GListModel *got_takes = G_LIST_MODEL(gs_project_get_takes(got));
    g_assert_cmpuint(g_list_model_get_n_items(got_takes), ==, g_list_model_get_n_items(want_takes));
    for (guint i = 0; i < g_list_model_get_n_items(want_takes); i++) {
        g_autoptr(GsTake) a = g_list_model_get_item(want_takes, i);
        g_autoptr(GsTake) b = g_list_model_get_item(got_takes, i);
        g_assert_cmpstr(gs_take_get_text(b), ==, gs_take_get_text(a));
        g_assert_cmpstr(gs_take_get_voice(b), ==, gs_take_get_voice(a));
        g_assert_cmpstr(gs_take_get_lang(b), ==, gs_take_get_lang(a));
        g_assert_cmpfloat(gs_take_get_rate(b), ==, gs_take_get_rate(a));
        g_assert_cmpfloat(gs_take_get_pitch(b), ==, gs_take_get_pitch(a));
        g_assert_cmpstr(gs_take_get_consent(b), ==, gs_take_get_consent(a));
        assert_same_voice(gs_take_get_cloned_voice(a), gs_take_get_cloned_voice(b));
        g_assert_cmpint(gs_take_get_sample_rate(b), ==, gs_take_get_sample_rate(a));
        gsize count_a = 0, count_b = 0;
        const float *samples_a = gs_take_get_samples(a, &count_a);
        const float *samples_b = gs_take_get_samples(b, &count_b);
        g_assert_cmpuint(count_b, ==, count_a);
        for (gsize s = 0; s < count_a; s++)
            g_assert_cmpfloat_with_epsilon(samples_b[s], samples_a[s], SAMPLE_TOLERANCE);
        int bins_a, frames_a, bins_b, frames_b;
        const float *mel_a = gs_take_get_mel(a, &bins_a, &frames_a);
        const float *mel_b = gs_take_get_mel(b, &bins_b, &frames_b);
        g_assert_cmpint(bins_b, ==, bins_a);
        g_assert_cmpint(frames_b, ==, frames_a);
        g_assert_cmpmem(mel_b, bins_b * frames_b * sizeof(float), mel_a, bins_a * frames_a * sizeof(float));
    }
}

#define SOURCE_ID "narration"

static void
assert_same_project(GsProject *want, GsProject *got)
{
    assert_same_takes(want, got);
    g_assert_cmpuint(gs_project_get_n_images(got), ==, gs_project_get_n_images(want));
    for (guint i = 0; i < gs_project_get_n_images(want); i++) {
        const GsProjectImage *a = gs_project_get_image(want, i), *b = gs_project_get_image(got, i);
        g_assert_cmpstr(b->parameters, ==, a->parameters);
        assert_same_file_contents(a->png_path, b->png_path);
    }
    g_assert_cmpuint(gs_project_get_n_music(got), ==, gs_project_get_n_music(want));
    for (guint i = 0; i < gs_project_get_n_music(want); i++) {
        const GsProjectMusic *a = gs_project_get_music(want, i), *b = gs_project_get_music(got, i);
        g_assert_cmpstr(b->prompt, ==, a->prompt);
        g_assert_cmpuint(b->seed, ==, a->seed);
        assert_same_file_contents(a->audio_path, b->audio_path);
        g_assert_cmpuint(g_strv_length(b->stem_paths), ==, g_strv_length(a->stem_paths));
        for (guint s = 0; a->stem_paths[s]; s++)
            assert_same_file_contents(a->stem_paths[s], b->stem_paths[s]);
        g_assert_true(g_strv_equal((const char *const *)b->muted, (const char *const *)a->muted));
        g_assert_cmpstr(b->lyrics, ==, a->lyrics);
        g_assert_cmpstr(b->voice, ==, a->voice);
        g_assert_true((a->vocals_path == NULL) == (b->vocals_path == NULL));
        if (a->vocals_path)
            assert_same_file_contents(a->vocals_path, b->vocals_path);
        assert_same_voice(a->cloned_voice, b->cloned_voice);
    }
    JsonNode *timeline_a = gs_project_get_timeline(want), *timeline_b = gs_project_get_timeline(got);
    g_assert_true((timeline_a == NULL) == (timeline_b == NULL));
    if (timeline_a)
        g_assert_true(json_node_equal(timeline_a, timeline_b));
    /* A timeline source comes back as 16-bit WAV: its length exactly, its
     * samples within a step of 16-bit. */
    GBytes *source_a = gs_project_get_timeline_source(want, SOURCE_ID);
    GBytes *source_b = gs_project_get_timeline_source(got, SOURCE_ID);
    g_assert_true((source_a == NULL) == (source_b == NULL));
    if (source_a) {
        gsize size_a = 0, size_b = 0;
        const float *a = g_bytes_get_data(source_a, &size_a), *b = g_bytes_get_data(source_b, &size_b);
        g_assert_cmpuint(size_b, ==, size_a);
        for (gsize i = 0; i < size_a / sizeof(float); i++)
            g_assert_cmpfloat_with_epsilon(b[i], a[i], 1e-3);
    }
}

/* Two takes, an image, a piece of music with stems and a timeline with the
 * audio of a source, whose files are in `dir`. */
static GsProject *
full_project_new(const char *dir)
{
    GsProject *project = gs_project_new();
    g_autoptr(GsTake) hello = take_new("Hello from GenStudio.", 1, RATE / 2);
    g_autoptr(GsTake) second = take_new("A second take, a little longer.", 4, RATE);
    g_autoptr(GsVoice) ann = cloned_voice_new();
    gs_take_set_cloned_voice(second, ann);
    g_assert_nonnull(strstr(gs_take_get_consent(second), "0123456789abcdef"));
    g_list_store_append(gs_project_get_takes(project), hello);
    g_list_store_append(gs_project_get_takes(project), second);

    g_autofree char *png = write_file(dir, "apple.png", "\x89PNG stands in for an image");
    gs_project_add_image(project, png,
                         "red apple\nNegative prompt: blurry\n"
                         "Steps: 20, Sampler: Euler a, CFG scale: 5, Seed: 42, Size: 32x32, Model: emoji32");
    g_autofree char *mix = write_file(dir, "song.ogg", "the mix");
    g_autofree char *drums = write_file(dir, "drums.ogg", "the drums");
    g_autofree char *bass = write_file(dir, "bass.ogg", "the bass");
    const char *stems[] = {drums, bass, NULL};
    gs_project_add_music(project, "calm piano in C minor", G_MAXUINT64 - 7, mix, stems);
    const char *muted[] = {"bass", "vocals", NULL};
    gs_project_set_music_muted(project, 0, muted);
    gs_project_set_music_lyrics(project, 0, "Hello the morning\nsing it ünder the sun", "slt");
    g_autofree char *vocals = write_file(dir, "vocals.wav", "the sung vocals");
    gs_project_set_music_vocals(project, 0, vocals);
    gs_project_set_music_cloned_voice(project, 0, ann);

    g_autoptr(JsonNode) timeline = json_from_string(
        "{\"tracks\": [{\"kind\": \"voice\", \"clips\": [{\"take\": 0, \"start\": 1.5}]}], \"length\": 12.25}", NULL);
    gs_project_set_timeline(project, timeline);
    gsize frames = GS_TIMELINE_RATE / 10;
    float *stereo = g_new(float, frames * GS_TIMELINE_CHANNELS);
    for (gsize i = 0; i < frames * GS_TIMELINE_CHANNELS; i++)
        stereo[i] = 0.5f * sinf((float)i * 0.01f);
    g_autoptr(GHashTable) sources = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GBytes) audio = g_bytes_new_take(stereo, frames * GS_TIMELINE_CHANNELS * sizeof(float));
    g_hash_table_insert(sources, SOURCE_ID, audio);
    gs_project_set_timeline_sources(project, sources);
    return project;
}

static void
remove_tree(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GDir) listing = g_dir_open(path, 0, NULL);
        const char *name;
        while ((name = g_dir_read_name(listing))) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            remove_tree(child);
        }
        g_assert_cmpint(g_rmdir(path), ==, 0);
    } else {
        g_assert_cmpint(g_remove(path), ==, 0);
    }
}

static int
compare_lines(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every file under `dir` with its size and modification time, sorted. */
static char *
snapshot(const char *dir)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(pending, g_strdup(dir));
    while (pending->len > 0) {
        g_autofree char *folder = g_ptr_array_steal_index(pending, pending->len - 1);
        g_autoptr(GDir) listing = g_dir_open(folder, 0, NULL);
        const char *name;
        while ((name = g_dir_read_name(listing))) {
            g_autofree char *path = g_build_filename(folder, name, NULL);
            struct stat info;
            g_assert_cmpint(stat(path, &info), ==, 0);
            g_ptr_array_add(lines, g_strdup_printf("%s %lld %lld.%09ld", path, (long long)info.st_size,
                                                   (long long)info.st_mtim.tv_sec, info.st_mtim.tv_nsec));
            if (S_ISDIR(info.st_mode))
                g_ptr_array_add(pending, g_steal_pointer(&path));
        }
    }
    g_ptr_array_sort(lines, compare_lines);
    g_ptr_array_add(lines, NULL);
    return g_strjoinv("\n", (char **)lines->pdata);
}

static void
test_round_trip(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autoptr(GsProject) project = full_project_new(dir);
    g_assert_true(gs_project_get_dirty(project));
    g_assert_null(gs_project_get_path(project));

    g_autofree char *path = g_build_filename(dir, "demo" GS_PROJECT_EXTENSION, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_project_save(project, path, &error));
    g_assert_no_error(error);
    g_assert_false(gs_project_get_dirty(project));
    g_assert_cmpstr(gs_project_get_path(project), ==, path);
    /* Saved, the project refers to its own copies of the files. */
    g_autofree char *assets = g_build_filename(dir, "demo-assets", NULL);
    g_assert_true(g_str_has_prefix(gs_project_get_image(project, 0)->png_path, assets));

    /* The JSON: the format, and paths relative to the project's folder. */
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_file(parser, path, NULL));
    JsonObject *root = json_node_get_object(json_parser_get_root(parser));
    g_assert_cmpstr(json_object_get_string_member(root, "format"), ==, "genstudio-project");
    g_assert_cmpint(json_object_get_int_member(root, "version"), ==, 1);
    JsonObject *first_take = json_array_get_object_element(json_object_get_array_member(root, "takes"), 0);
    const char *audio = json_object_get_string_member(first_take, "audio");
    g_assert_true(g_str_has_prefix(audio, "demo-assets/take-"));
    g_assert_true(g_str_has_suffix(audio, ".wav"));
    /* Every asset records what made it. */
    const char *lists[] = { "takes", "images" };
    for (gsize l = 0; l < G_N_ELEMENTS(lists); l++) {
        JsonArray *assets_list = json_object_get_array_member(root, lists[l]);
        for (guint i = 0; i < json_array_get_length(assets_list); i++) {
            JsonObject *asset = json_array_get_object_element(assets_list, i);
            JsonObject *provenance = json_object_get_object_member(asset, "provenance");
            g_assert_nonnull(provenance);
            g_assert_true(g_str_has_prefix(json_object_get_string_member(provenance, "digital_source_type"),
                                           "http://cv.iptc.org/newscodes/digitalsourcetype/"));
            g_assert_nonnull(json_object_get_string_member(provenance, "model"));
        }
    }

    g_autoptr(GsProject) loaded = gs_project_load(path, &error);
    g_assert_no_error(error);
    g_assert_false(gs_project_get_dirty(loaded));
    g_assert_cmpstr(gs_project_get_path(loaded), ==, path);
    assert_same_project(project, loaded);

    /* Saving what was loaded rewrites nothing but the JSON. */
    g_autofree char *before = snapshot(assets);
    g_assert_true(gs_project_save(loaded, path, &error));
    g_assert_no_error(error);
    g_autofree char *after = snapshot(assets);
    g_assert_cmpstr(after, ==, before);

    /* A removed take's assets go with the next save. */
    g_list_store_remove(gs_project_get_takes(loaded), 1);
    g_assert_true(gs_project_get_dirty(loaded));
    g_assert_true(gs_project_save(loaded, path, &error));
    g_autoptr(GsProject) reloaded = gs_project_load(path, &error);
    g_assert_no_error(error);
    assert_same_project(loaded, reloaded);
    g_autofree char *pruned = snapshot(assets);
    g_assert_cmpstr(pruned, !=, before);
    remove_tree(dir);
}

static void
test_dirty(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autoptr(GsProject) project = gs_project_new();
    g_assert_false(gs_project_get_dirty(project));
    g_autofree char *path = g_build_filename(dir, "dirty" GS_PROJECT_EXTENSION, NULL);
    g_autoptr(GError) error = NULL;

    g_autoptr(GsTake) take = take_new("Dirty.", 2, RATE / 8);
    g_list_store_append(gs_project_get_takes(project), take);
    g_assert_true(gs_project_get_dirty(project));
    g_assert_true(gs_project_save(project, path, &error));
    g_assert_false(gs_project_get_dirty(project));

    g_autoptr(JsonNode) timeline = json_from_string("{}", NULL);
    gs_project_set_timeline(project, timeline);
    g_assert_true(gs_project_get_dirty(project));
    g_assert_true(gs_project_save(project, path, &error));
    g_autofree char *png = write_file(dir, "image.png", "image");
    gs_project_add_image(project, png, "prompt");
    g_assert_true(gs_project_get_dirty(project));
    remove_tree(dir);
}

static void
test_newer_version(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = write_file(dir, "future" GS_PROJECT_EXTENSION,
                                       "{\"format\": \"genstudio-project\", \"version\": 2, \"takes\": [],"
                                       " \"hologram\": {}}");
    g_autofree char *bytes_before = NULL;
    g_assert_true(g_file_get_contents(path, &bytes_before, NULL, NULL));
    g_autofree char *before = snapshot(dir);

    g_autoptr(GError) error = NULL;
    g_autoptr(GsProject) project = gs_project_load(path, &error);
    g_assert_null(project);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
    g_assert_nonnull(strstr(error->message, "made by a newer GenStudio"));

    g_autofree char *bytes_after = NULL;
    g_assert_true(g_file_get_contents(path, &bytes_after, NULL, NULL));
    g_assert_cmpstr(bytes_after, ==, bytes_before);
    g_autofree char *after = snapshot(dir);
    g_assert_cmpstr(after, ==, before);
    remove_tree(dir);
}

/* Loads `path`, which must fail with `code` and a message containing
 * `names`, and checks that nothing under `dir` changed. */
static void
assert_refused(const char *dir, const char *path, int code, const char *names)
{
    g_autofree char *before = snapshot(dir);
    g_autoptr(GError) error = NULL;
    g_autoptr(GsProject) project = gs_project_load(path, &error);
    g_assert_null(project);
    g_assert_error(error, G_IO_ERROR, code);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, names));
    g_autofree char *after = snapshot(dir);
    g_assert_cmpstr(after, ==, before);
}

static void
test_corrupt(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autoptr(GsProject) project = full_project_new(dir);
    g_autofree char *path = g_build_filename(dir, "broken" GS_PROJECT_EXTENSION, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_project_save(project, path, &error));
    g_autofree char *good = NULL;
    gsize length = 0;
    g_assert_true(g_file_get_contents(path, &good, &length, NULL));

    /* Cut in the middle, as by a full disk under an editor. */
    g_assert_true(g_file_set_contents(path, good, (gssize)length / 2, NULL));
    assert_refused(dir, path, G_IO_ERROR_INVALID_DATA, "JSON is broken");

    g_autofree char *other =
        write_file(dir, "other" GS_PROJECT_EXTENSION, "{\"format\": \"kdenlive\", \"version\": 1}");
    assert_refused(dir, other, G_IO_ERROR_INVALID_DATA, "kdenlive");

    g_autofree char *not_object = write_file(dir, "list" GS_PROJECT_EXTENSION, "[1, 2, 3]");
    assert_refused(dir, not_object, G_IO_ERROR_INVALID_DATA, "not a JSON object");

    g_autofree char *bad_take = write_file(dir, "bad-take" GS_PROJECT_EXTENSION,
                                           "{\"format\": \"genstudio-project\", \"version\": 1,"
                                           " \"takes\": [{\"text\": 12}]}");
    assert_refused(dir, bad_take, G_IO_ERROR_INVALID_DATA, "take 1: “text” is missing or not text");

    g_autofree char *bad_rate = write_file(dir, "bad-rate" GS_PROJECT_EXTENSION,
                                           "{\"format\": \"genstudio-project\", \"version\": 1, \"takes\": [{"
                                           "\"text\": \"Hi\", \"voice\": \"slt\", \"lang\": \"en-us\", \"rate\": 9,"
                                           " \"pitch\": 0, \"sample_rate\": 16000,"
                                           " \"mel_bins\": 0, \"mel_frames\": 0}]}");
    assert_refused(dir, bad_rate, G_IO_ERROR_INVALID_DATA, "rate 9");

    /* A take's embedded voice without its consent record. */
    g_autofree char *no_consent = g_strdup(good);
    char *record = strstr(no_consent, "\"consent\" : {");
    g_assert_nonnull(record);
    memcpy(record, "\"kontent\"", 9);
    g_autofree char *no_consent_path = write_file(dir, "no-consent" GS_PROJECT_EXTENSION, no_consent);
    assert_refused(dir, no_consent_path, G_IO_ERROR_INVALID_DATA, "take 2: the cloned voice is not a usable "
                                                                   "GenStudio voice: it has no consent record");

    g_autofree char *escaping = write_file(dir, "escaping" GS_PROJECT_EXTENSION,
                                           "{\"format\": \"genstudio-project\", \"version\": 1,"
                                           " \"images\": [{\"png\": \"../../etc/passwd\", \"parameters\": \"\"}]}");
    assert_refused(dir, escaping, G_IO_ERROR_INVALID_DATA, "../../etc/passwd");

    /* The JSON whole again, but one asset gone. */
    g_assert_true(g_file_set_contents(path, good, (gssize)length, NULL));
    g_autoptr(GsProject) whole = gs_project_load(path, &error);
    g_assert_no_error(error);
    const char *png = gs_project_get_image(project, 0)->png_path;
    g_assert_cmpint(g_remove(png), ==, 0);
    g_autofree char *png_name = g_path_get_basename(png);
    assert_refused(dir, path, G_IO_ERROR_NOT_FOUND, png_name);

    g_autofree char *missing = g_build_filename(dir, "nowhere" GS_PROJECT_EXTENSION, NULL);
    assert_refused(dir, missing, G_IO_ERROR_NOT_FOUND, "nowhere");
    remove_tree(dir);
}

/* The child of the kill test: saves version `first`, then the other, then
 * `first`… until it is killed, so that every save rewrites every asset. */
static int
save_loop(const char *path, char first)
{
    g_autoptr(GsProject) first_version = big_project_new(first);
    g_autoptr(GsProject) other_version = big_project_new(first == 'A' ? 'B' : 'A');
    /* A first save elsewhere loads GStreamer's plugins, so that the timed
     * saves below are as long as the parent measured. */
    g_autofree char *folder = g_path_get_dirname(path);
    g_autofree char *warm_up = g_build_filename(folder, "warm-up" GS_PROJECT_EXTENSION, NULL);
    if (!gs_project_save(first_version, warm_up, NULL))
        return 1;
    for (guint round = 0;; round++) {
        g_autoptr(GError) error = NULL;
        /* Tells the parent a save begins, so that its kill lands inside one. */
        printf("saving\n");
        fflush(stdout);
        if (!gs_project_save(round % 2 ? other_version : first_version, path, &error)) {
            g_printerr("save failed: %s\n", error->message);
            return 1;
        }
    }
}

static void
test_kill_during_save(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "big" GS_PROJECT_EXTENSION, NULL);
    g_autoptr(GsProject) version_a = big_project_new('A');
    g_autoptr(GsProject) version_b = big_project_new('B');
    g_autoptr(GError) error = NULL;
    /* Time a save that writes every asset, once GStreamer is warm (the
     * first save also loads its plugins), then leave version A on disk. */
    g_assert_true(gs_project_save(version_a, path, &error));
    gint64 start = g_get_monotonic_time();
    g_assert_true(gs_project_save(version_b, path, &error));
    gint64 save_us = g_get_monotonic_time() - start;
    g_assert_true(gs_project_save(version_a, path, &error));
    g_assert_no_error(error);
    g_test_message("one save of %d takes: %.0f ms", KILL_TAKES, save_us / 1000.0);

    g_autofree char *executable = g_file_read_link("/proc/self/exe", &error);
    g_assert_no_error(error);
    g_autofree char *assets = g_build_filename(dir, "big-assets", NULL);
    GRand *rand = g_rand_new_with_seed(20261125);
    guint seen_a = 0, seen_b = 0, interrupted = 0;
    gboolean on_disk_is_a = TRUE;
    for (int round = 0; round < KILL_ROUNDS; round++) {
        /* The child starts with the version that is not on disk. */
        g_autoptr(GSubprocess) child = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, executable,
                                                        SAVE_LOOP_OPTION, path, on_disk_is_a ? "B" : "A", NULL);
        g_assert_no_error(error);
        /* Wait for the child's first save to begin (its start-up time varies
         * with the machine's load), then kill it somewhere inside it. */
        g_autoptr(GDataInputStream) lines = g_data_input_stream_new(g_subprocess_get_stdout_pipe(child));
        g_autofree char *line = g_data_input_stream_read_line(lines, NULL, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(line, ==, "saving");
        g_usleep((gulong)g_rand_int_range(rand, (gint32)(save_us / 10), (gint32)(save_us * 9 / 10)));
        g_subprocess_force_exit(child);
        g_assert_true(g_subprocess_wait(child, NULL, &error));
        g_assert_true(g_subprocess_get_if_signaled(child));
        g_assert_cmpint(g_subprocess_get_term_sig(child), ==, SIGKILL);
        /* Left-overs beyond one version's two files a take: the kill
         * came in the middle of a save. */
        g_autoptr(GDir) listing = g_dir_open(assets, 0, NULL);
        guint files = 0;
        while (g_dir_read_name(listing))
            files++;
        interrupted += files > 2 * KILL_TAKES;

        g_autoptr(GsProject) loaded = gs_project_load(path, &error);
        g_assert_no_error(error);
        g_autoptr(GsTake) first = g_list_model_get_item(G_LIST_MODEL(gs_project_get_takes(loaded)), 0);
        gboolean is_a = g_str_has_prefix(gs_take_get_text(first), "Version A");
        assert_same_takes(is_a ? version_a : version_b, loaded);
        is_a ? seen_a++ : seen_b++;
        on_disk_is_a = is_a;
    }
    g_test_message("after %d kills (%u in the middle of a save): version A %u times, version B %u times",
                   KILL_ROUNDS, interrupted, seen_a, seen_b);
    /* Otherwise the test proved nothing: every kill fell between saves. */
    g_assert_cmpuint(interrupted, >, 0);
    g_rand_free(rand);
    remove_tree(dir);
}

/* The one recovery file gs_project_find_recoveries offers, or NULL. */
static char *
only_recovery(void)
{
    g_auto(GStrv) recoveries = gs_project_find_recoveries();
    g_assert_cmpuint(g_strv_length(recoveries), <=, 1);
    return g_strdup(recoveries[0]);
}

static void
test_recovery(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *path = g_build_filename(dir, "rescued" GS_PROJECT_EXTENSION, NULL);
    g_autoptr(GsProject) project = full_project_new(dir);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_project_save(project, path, &error));
    g_assert_null(only_recovery());
    g_autofree char *project_bytes = NULL;
    g_assert_true(g_file_get_contents(path, &project_bytes, NULL, NULL));

    g_autoptr(GsTake) take = take_new("Said after the last save.", 9, RATE / 4);
    g_list_store_append(gs_project_get_takes(project), take);
    g_assert_true(gs_project_autosave(project, &error));
    g_assert_no_error(error);
    /* Autosave leaves the project and its file alone. */
    g_assert_true(gs_project_get_dirty(project));
    g_assert_cmpstr(gs_project_get_path(project), ==, path);
    g_autofree char *bytes_after = NULL;
    g_assert_true(g_file_get_contents(path, &bytes_after, NULL, NULL));
    g_assert_cmpstr(bytes_after, ==, project_bytes);

    g_autofree char *recovery = only_recovery();
    g_assert_cmpstr(recovery, ==, gs_project_get_recovery_path(project));
    g_autofree char *recovery_folder = g_build_filename(g_get_user_state_dir(), "genstudio", "recovery", NULL);
    g_assert_true(g_str_has_prefix(recovery, recovery_folder));
    g_autoptr(GsProject) rescued = gs_project_load(recovery, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(gs_project_get_path(rescued), ==, path);
    g_assert_true(gs_project_get_dirty(rescued));
    assert_same_project(project, rescued);
    /* The rescued project autosaves on in the file whose assets it uses. */
    g_assert_cmpstr(gs_project_get_recovery_path(rescued), ==, recovery);

    g_assert_true(gs_project_discard_recovery(recovery, &error));
    g_assert_no_error(error);
    g_assert_null(only_recovery());
    g_assert_false(g_file_test(recovery, G_FILE_TEST_EXISTS));
    g_autoptr(GDir) listing = g_dir_open(recovery_folder, 0, NULL);
    g_assert_null(g_dir_read_name(listing));

    /* A save drops the autosave it makes stale. */
    g_assert_true(gs_project_autosave(project, &error));
    g_autofree char *fresh = only_recovery();
    g_assert_nonnull(fresh);
    g_assert_true(gs_project_save(project, path, &error));
    g_assert_null(only_recovery());
    g_assert_false(g_file_test(fresh, G_FILE_TEST_EXISTS));
    /* A recovery file older than its project is not offered. */
    g_assert_true(gs_project_autosave(project, &error));
    g_usleep(10000); /* a later modification time, even on coarse clocks */
    g_assert_true(g_file_set_contents(path, project_bytes, -1, NULL));
    g_assert_null(only_recovery());
    g_assert_true(gs_project_discard_recovery(gs_project_get_recovery_path(project), &error));
    remove_tree(dir);
}

/* Two untitled projects (two windows) each autosave to a file of their
 * own; both are offered, newest first, and each brings back its own work.
 * Saving one drops its recovery file only. */
static void
test_untitled_recoveries(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autoptr(GError) error = NULL;
    g_autoptr(GsProject) first = gs_project_new(), second = gs_project_new();
    g_autoptr(GsTake) first_take = take_new("In the first window.", 5, RATE / 4);
    g_autoptr(GsTake) second_take = take_new("In the second window.", 6, RATE / 4);
    g_list_store_append(gs_project_get_takes(first), first_take);
    g_list_store_append(gs_project_get_takes(second), second_take);
    g_assert_cmpstr(gs_project_get_recovery_path(first), !=, gs_project_get_recovery_path(second));
    g_assert_true(gs_project_autosave(first, &error));
    g_usleep(10000);
    g_assert_true(gs_project_autosave(second, &error));
    g_assert_no_error(error);

    g_auto(GStrv) recoveries = gs_project_find_recoveries();
    g_assert_cmpuint(g_strv_length(recoveries), ==, 2);
    g_assert_cmpstr(recoveries[0], ==, gs_project_get_recovery_path(second));
    g_assert_cmpstr(recoveries[1], ==, gs_project_get_recovery_path(first));
    g_autoptr(GsProject) second_rescued = gs_project_load(recoveries[0], &error);
    g_autoptr(GsProject) first_rescued = gs_project_load(recoveries[1], &error);
    g_assert_no_error(error);
    g_assert_null(gs_project_get_path(first_rescued));
    assert_same_takes(first, first_rescued);
    assert_same_takes(second, second_rescued);

    g_autofree char *path = g_build_filename(dir, "first" GS_PROJECT_EXTENSION, NULL);
    g_assert_true(gs_project_save(first_rescued, path, &error));
    g_assert_no_error(error);
    g_auto(GStrv) left = gs_project_find_recoveries();
    g_assert_cmpuint(g_strv_length(left), ==, 1);
    g_assert_cmpstr(left[0], ==, gs_project_get_recovery_path(second));
    g_assert_true(gs_project_discard_recovery(left[0], &error));
    remove_tree(dir);
}

/* Scratch files that no live project refers to go; the rest stay. */
static void
test_unreferenced_files(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autofree char *scratch = g_build_filename(dir, "unsaved", NULL);
    g_assert_cmpint(g_mkdir(scratch, 0700), ==, 0);
    g_autofree char *kept_mix = write_file(scratch, "kept-mix.wav", "a piece");
    g_autofree char *kept_stem = write_file(scratch, "kept-stem.wav", "its drums");
    g_autofree char *kept_png = write_file(scratch, "kept.png", "an image");
    g_autofree char *orphan_wav = write_file(scratch, "orphan.wav", "a piece since saved");
    g_autofree char *orphan_png = write_file(scratch, "orphan.png", "an image since removed");
    g_autoptr(GsProject) project = gs_project_new(), other = gs_project_new();
    const char *stems[] = { kept_stem, NULL };
    gs_project_add_music(project, "calm piano", 1, kept_mix, stems);
    gs_project_add_image(other, kept_png, "");
    /* An autosave keeps copies of its own, so it needs none of them. */
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_project_autosave(project, &error));
    g_assert_no_error(error);

    GsProject *live[] = { project, other };
    gs_project_remove_unreferenced_files(scratch, live, G_N_ELEMENTS(live));
    g_assert_true(g_file_test(kept_mix, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(kept_stem, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(kept_png, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(orphan_wav, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(orphan_png, G_FILE_TEST_EXISTS));

    /* At the next start no project is live: the recovery brings it all back. */
    gs_project_remove_unreferenced_files(scratch, NULL, 0);
    g_assert_false(g_file_test(kept_mix, G_FILE_TEST_EXISTS));
    g_autofree char *recovery = only_recovery();
    g_autoptr(GsProject) rescued = gs_project_load(recovery, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(gs_project_get_n_music(rescued), ==, 1);
    g_assert_true(g_file_test(gs_project_get_music(rescued, 0)->audio_path, G_FILE_TEST_IS_REGULAR));
    g_assert_true(g_file_test(gs_project_get_music(rescued, 0)->stem_paths[0], G_FILE_TEST_IS_REGULAR));
    g_assert_true(gs_project_discard_recovery(recovery, &error));
    remove_tree(dir);
}

static gboolean
quit_when_recovered(gpointer user_data)
{
    GMainLoop *loop = user_data;
    g_autofree char *recovery = only_recovery();
    if (recovery)
        g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

static gboolean
give_up(gpointer user_data)
{
    g_assert_not_reached();
    return G_SOURCE_REMOVE;
}

static void
test_autosave_timer(void)
{
    g_autoptr(GsProject) project = gs_project_new();
    gs_project_start_autosave(project, 1);
    g_autoptr(GsTake) take = take_new("Autosaved.", 3, RATE / 8);
    g_list_store_append(gs_project_get_takes(project), take);
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    guint poll = g_timeout_add(50, quit_when_recovered, loop);
    guint timeout = g_timeout_add_seconds(10, give_up, NULL);
    g_main_loop_run(loop);
    g_source_remove(poll);
    g_source_remove(timeout);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_project_discard_recovery(gs_project_get_recovery_path(project), &error));
}

/* A piece's lyrics and singer come back as saved; lyrics longer than the
 * vocal line takes, or not text, are refused with where they are. */
static void
test_music_lyrics(void)
{
    g_autofree char *dir = make_tmp_dir();
    g_autoptr(GsProject) project = full_project_new(dir);
    g_autofree char *mix = write_file(dir, "plain.ogg", "a piece without words");
    gs_project_add_music(project, "punk", 3, mix, NULL);
    g_autofree char *path = g_build_filename(dir, "song" GS_PROJECT_EXTENSION, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(gs_project_save(project, path, &error));
    g_assert_no_error(error);
    g_autoptr(GsProject) loaded = gs_project_load(path, &error);
    g_assert_no_error(error);
    assert_same_project(project, loaded);
    g_assert_cmpstr(gs_project_get_music(loaded, 0)->lyrics, ==, "Hello the morning\nsing it ünder the sun");
    g_assert_cmpstr(gs_project_get_music(loaded, 0)->voice, ==, "slt");
    g_assert_null(gs_project_get_music(loaded, 1)->lyrics);
    g_assert_null(gs_project_get_music(loaded, 1)->voice);
    /* The sung vocals are an asset of the project, not the file they came from. */
    g_assert_nonnull(gs_project_get_music(loaded, 0)->vocals_path);
    g_assert_nonnull(strstr(gs_project_get_music(loaded, 0)->vocals_path, "song-assets" G_DIR_SEPARATOR_S "vocals-"));
    g_assert_cmpstr(gs_project_get_music(project, 0)->vocals_path, ==, gs_project_get_music(loaded, 0)->vocals_path);
    g_assert_null(gs_project_get_music(loaded, 1)->vocals_path);
    /* Empty lyrics are none. */
    gs_project_set_music_lyrics(loaded, 0, "", NULL);
    g_assert_null(gs_project_get_music(loaded, 0)->lyrics);

    /* The saved JSON with the first piece's lyrics replaced. */
    g_autoptr(JsonParser) parser = json_parser_new();
    g_assert_true(json_parser_load_from_file(parser, path, NULL));
    JsonObject *root = json_node_get_object(json_parser_get_root(parser));
    JsonObject *piece = json_array_get_object_element(json_object_get_array_member(root, "music"), 0);
    g_autoptr(JsonGenerator) generator = json_generator_new();
    json_generator_set_root(generator, json_parser_get_root(parser));

    char *too_long = g_malloc(GS_PROJECT_LYRICS_MAX_BYTES + 2);
    memset(too_long, 'a', GS_PROJECT_LYRICS_MAX_BYTES + 1);
    too_long[GS_PROJECT_LYRICS_MAX_BYTES + 1] = '\0';
    json_object_set_string_member(piece, "lyrics", too_long);
    g_free(too_long);
    g_assert_true(json_generator_to_file(generator, path, NULL));
    assert_refused(dir, path, G_IO_ERROR_INVALID_DATA, "music 1: “lyrics” is longer than 65536 bytes");

    json_object_set_int_member(piece, "lyrics", 7);
    g_assert_true(json_generator_to_file(generator, path, NULL));
    assert_refused(dir, path, G_IO_ERROR_INVALID_DATA, "music 1: “lyrics” is not text");

    /* At the limit, they are taken. */
    char *longest = g_malloc(GS_PROJECT_LYRICS_MAX_BYTES + 1);
    memset(longest, 'a', GS_PROJECT_LYRICS_MAX_BYTES);
    longest[GS_PROJECT_LYRICS_MAX_BYTES] = '\0';
    json_object_set_string_member(piece, "lyrics", longest);
    g_free(longest);
    g_assert_true(json_generator_to_file(generator, path, NULL));
    g_autoptr(GsProject) longest_loaded = gs_project_load(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(strlen(gs_project_get_music(longest_loaded, 0)->lyrics), ==, GS_PROJECT_LYRICS_MAX_BYTES);
    remove_tree(dir);
}

int
main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], SAVE_LOOP_OPTION) == 0)
        return save_loop(argv[2], argv[3][0]);
    g_test_init(&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
    g_test_add_func("/project/round-trip", test_round_trip);
    g_test_add_func("/project/dirty", test_dirty);
    g_test_add_func("/project/newer-version", test_newer_version);
    g_test_add_func("/project/corrupt", test_corrupt);
    g_test_add_func("/project/music-lyrics", test_music_lyrics);
    g_test_add_func("/project/kill-during-save", test_kill_during_save);
    g_test_add_func("/project/recovery", test_recovery);
    g_test_add_func("/project/untitled-recoveries", test_untitled_recoveries);
    g_test_add_func("/project/unreferenced-files", test_unreferenced_files);
    g_test_add_func("/project/autosave-timer", test_autosave_timer);
    return g_test_run();
}
