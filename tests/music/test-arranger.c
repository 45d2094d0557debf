/* The arranger and the MIDI writer: reproducible from the seed, and
 * musically sane for every style in both modes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gs-arranger.h"
#include "gs-midi-file.h"

static GsArrangement *
arrange(const char *text, guint64 seed)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GsMusicPrompt) prompt = gs_music_prompt_parse(text, &error);
    g_assert_no_error(error);
    return gs_arrangement_new(prompt, seed);
}

static gboolean
same_notes(const GsArrangement *a, const GsArrangement *b)
{
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++) {
        GArray *x = a->tracks[part].notes, *y = b->tracks[part].notes;
        if (x->len != y->len)
            return FALSE;
        for (guint i = 0; i < x->len; i++) { /* field by field: the struct has padding */
            const GsMusicNote *m = &g_array_index(x, GsMusicNote, i), *n = &g_array_index(y, GsMusicNote, i);
            if (m->tick != n->tick || m->duration != n->duration || m->key != n->key || m->velocity != n->velocity)
                return FALSE;
        }
    }
    return TRUE;
}

static void
test_reproducible(void)
{
    g_autoptr(GsArrangement) a = arrange("calm bossa nova in D minor, 100 bpm, 30 seconds", 7);
    g_autoptr(GsArrangement) b = arrange("calm bossa nova in D minor, 100 bpm, 30 seconds", 7);
    g_autoptr(GsArrangement) c = arrange("calm bossa nova in D minor, 100 bpm, 30 seconds", 8);
    g_assert_true(same_notes(a, b));
    g_assert_false(same_notes(a, c));

    g_autoptr(GBytes) midi_a = gs_midi_file_build(a);
    g_autoptr(GBytes) midi_b = gs_midi_file_build(b);
    g_autoptr(GBytes) midi_c = gs_midi_file_build(c);
    g_assert_true(g_bytes_equal(midi_a, midi_b));
    g_assert_false(g_bytes_equal(midi_a, midi_c));
}

static guint32
read_u32(const guint8 *p)
{
    return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static void
test_midi_header(void)
{
    g_autoptr(GsArrangement) arr = arrange("waltz, 90 bpm, 10 seconds", 1);
    g_autoptr(GBytes) midi = gs_midi_file_build(arr);
    gsize size;
    const guint8 *data = g_bytes_get_data(midi, &size);
    g_assert_cmpmem(data, 4, "MThd", 4);
    g_assert_cmpuint(read_u32(data + 4), ==, 6);
    g_assert_cmpuint(data[8] << 8 | data[9], ==, 1);                        /* type 1 */
    g_assert_cmpuint(data[10] << 8 | data[11], ==, 1 + GS_MUSIC_PART_COUNT); /* tempo + parts */
    g_assert_cmpuint(data[12] << 8 | data[13], ==, GS_MUSIC_TICKS_PER_QUARTER);
    /* The chunks tile the file exactly, and each track ends with End of Track. */
    gsize at = 14;
    int tracks = 0;
    while (at < size) {
        g_assert_cmpmem(data + at, 4, "MTrk", 4);
        guint32 length = read_u32(data + at + 4);
        g_assert_cmpuint(at + 8 + length, <=, size);
        g_assert_cmpmem(data + at + 8 + length - 3, 3, "\xff\x2f\x00", 3);
        at += 8 + length;
        tracks++;
    }
    g_assert_cmpuint(at, ==, size);
    g_assert_cmpint(tracks, ==, 1 + GS_MUSIC_PART_COUNT);
    /* 90 bpm: 666,666 µs a quarter, in the tempo track's first event. */
    g_assert_cmpmem(data + 14 + 8, 6, "\x00\xff\x51\x03\x0a\x2c", 6);
}

static int
pc_distance(int a, int b)
{
    int d = ((a - b) % 12 + 12) % 12;
    return MIN(d, 12 - d);
}

static gboolean
chord_has(const GsMusicChord *chord, int key)
{
    for (int i = 0; i < chord->n_tones; i++)
        if (key % 12 == chord->tones[i])
            return TRUE;
    return FALSE;
}

static void
check_sanity(const GsArrangement *arr, GsMusicStyle style, double seconds)
{
    double bar_seconds = arr->ticks_per_bar * 60.0 / (GS_MUSIC_TICKS_PER_QUARTER * arr->bpm);
    g_assert_cmpfloat(fabs(gs_arrangement_seconds(arr) - seconds), <=, bar_seconds);
    g_assert_cmpint(arr->chords[arr->bars - 1].root, ==, arr->key); /* home at the end */
    guint32 total = gs_arrangement_total_ticks(arr);
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        for (guint i = 0; i < arr->tracks[part].notes->len; i++) {
            const GsMusicNote *n = &g_array_index(arr->tracks[part].notes, GsMusicNote, i);
            g_assert_cmpuint(n->tick + n->duration, <=, total);
            if (i > 0)
                g_assert_cmpuint(n->tick, >=, g_array_index(arr->tracks[part].notes, GsMusicNote, i - 1).tick);
        }

    const GsMusicTrack *drums = &arr->tracks[GS_MUSIC_PART_DRUMS];
    g_assert_cmpint(drums->channel, ==, 9);
    if (*gs_music_style_info(style)->kick)
        g_assert_cmpuint(drums->notes->len, >=, (guint)arr->bars);

    const GArray *melody = arr->tracks[GS_MUSIC_PART_MELODY].notes;
    g_assert_cmpuint(melody->len, >=, (guint)arr->bars);
    guint steps = 0;
    for (guint i = 0; i < melody->len; i++) {
        const GsMusicNote *n = &g_array_index(melody, GsMusicNote, i);
        g_assert_true(gs_arrangement_in_scale(arr, n->key));
        g_assert_cmpint(n->key, >=, 55);
        g_assert_cmpint(n->key, <=, 86); /* a chorus lifts the melody by a fourth */
        guint bar = n->tick / arr->ticks_per_bar;
        /* Phrases end on a chord tone held from the downbeat. */
        if (n->tick % arr->ticks_per_bar == 0 && (bar % 4 == 3 || bar == (guint)arr->bars - 1))
            g_assert_true(chord_has(&arr->chords[bar], n->key));
        if (i > 0 && abs(n->key - g_array_index(melody, GsMusicNote, i - 1).key) <= 4)
            steps++;
    }
    if (melody->len > 8)
        g_assert_cmpfloat((double)steps / (melody->len - 1), >=, 0.6); /* mostly stepwise */

    const GArray *bass = arr->tracks[GS_MUSIC_PART_BASS].notes;
    for (guint i = 0; i < bass->len; i++) {
        const GsMusicNote *n = &g_array_index(bass, GsMusicNote, i);
        guint bar = n->tick / arr->ticks_per_bar;
        const GsMusicChord *chord = &arr->chords[bar], *next = &arr->chords[MIN(bar + 1, (guint)arr->bars - 1)];
        if (n->tick % arr->ticks_per_bar == 0)
            g_assert_cmpint(n->key % 12, ==, chord->root);
        else
            g_assert_true(chord_has(chord, n->key) || pc_distance(n->key, next->root) <= 2);
    }
}

static void
test_every_style_is_sane(void)
{
    const char *const modes[] = { "major", "minor" };
    for (int style = 0; style < GS_MUSIC_STYLE_COUNT; style++)
        for (gsize m = 0; m < G_N_ELEMENTS(modes); m++)
            for (guint64 seed = 1; seed <= 3; seed++) {
                g_autofree char *text = g_strdup_printf("%s in %s %s, 20 seconds", gs_music_style_name(style),
                                                        seed == 2 ? "F#" : "C", modes[m]);
                g_test_message("%s, seed %" G_GUINT64_FORMAT, text, seed);
                g_autoptr(GsArrangement) arr = arrange(text, seed);
                g_assert_cmpint(arr->beats_per_bar, ==, gs_music_style_info(style)->beats_per_bar);
                check_sanity(arr, style, 20.0);
            }
}

static void
test_style_grooves(void)
{
    /* Techno: four on the floor, a kick on every beat of a full bar. */
    g_autoptr(GsArrangement) techno = arrange("techno, 10 seconds", 3);
    int kicks = 0;
    for (guint i = 0; i < techno->tracks[GS_MUSIC_PART_DRUMS].notes->len; i++) {
        const GsMusicNote *n = &g_array_index(techno->tracks[GS_MUSIC_PART_DRUMS].notes, GsMusicNote, i);
        if (n->key == 36 && n->tick < techno->ticks_per_bar) {
            g_assert_cmpuint(n->tick % GS_MUSIC_TICKS_PER_QUARTER, ==, 0);
            kicks++;
        }
    }
    g_assert_cmpint(kicks, ==, 4);
    /* Reggae's one drop: the first bar's kick falls on beat three only. */
    g_autoptr(GsArrangement) reggae = arrange("reggae, 10 seconds", 3);
    for (guint i = 0; i < reggae->tracks[GS_MUSIC_PART_DRUMS].notes->len; i++) {
        const GsMusicNote *n = &g_array_index(reggae->tracks[GS_MUSIC_PART_DRUMS].notes, GsMusicNote, i);
        if (n->key == 36 && n->tick < reggae->ticks_per_bar)
            g_assert_cmpuint(n->tick, ==, 2 * GS_MUSIC_TICKS_PER_QUARTER);
    }
    /* The blues takes twelve bars to come round. */
    g_autoptr(GsArrangement) blues = arrange("blues in C, 80 bpm, 40 seconds", 3);
    g_assert_cmpint(blues->bars, ==, 13);
    g_assert_cmpint(blues->chords[4].root, ==, 5);  /* IV in bar 5 */
    g_assert_cmpint(blues->chords[8].root, ==, 7);  /* V in bar 9 */
    g_assert_cmpint(blues->chords[12].root, ==, 0); /* and round again */
}

static void
check_tiling(const GsArrangement *arr)
{
    g_assert_cmpint(arr->n_sections, >=, 1);
    int next = 0;
    for (int i = 0; i < arr->n_sections; i++) {
        g_assert_cmpint(arr->sections[i].first_bar, ==, next);
        g_assert_cmpint(arr->sections[i].bars, >=, 1);
        next += arr->sections[i].bars;
    }
    g_assert_cmpint(next, ==, arr->bars);
}

static void
test_section_plans(void)
{
    /* Every style: short pieces are one section, long ones follow the form. */
    for (int style = 0; style < GS_MUSIC_STYLE_COUNT; style++) {
        const GsMusicStyleInfo *info = gs_music_style_info(style);
        g_autofree char *short_text = g_strdup_printf("%s, 6 seconds", info->name);
        g_autofree char *long_text = g_strdup_printf("%s, 3 minutes", info->name);
        g_autoptr(GsArrangement) short_piece = arrange(short_text, 1);
        g_autoptr(GsArrangement) long_piece = arrange(long_text, 1);
        check_tiling(short_piece);
        check_tiling(long_piece);
        g_assert_cmpint(short_piece->n_sections, ==, 1);
        g_assert_cmpfloat(fabs(gs_arrangement_seconds(long_piece) - 180.0), <,
                          gs_arrangement_bar_seconds(long_piece, 1));
        gboolean has[GS_MUSIC_SECTION_KIND_COUNT] = { FALSE };
        for (int i = 0; i < long_piece->n_sections; i++)
            has[long_piece->sections[i].kind] = TRUE;
        g_assert_true(has[GS_MUSIC_SECTION_INTRO] && has[GS_MUSIC_SECTION_OUTRO]);
        if (info->form == GS_MUSIC_FORM_DANCE)
            g_assert_true(has[GS_MUSIC_SECTION_BUILD] && has[GS_MUSIC_SECTION_DROP]);
        else
            g_assert_true(has[GS_MUSIC_SECTION_VERSE] && has[GS_MUSIC_SECTION_CHORUS]);
    }
    /* A structure asked for is followed, at its sections' default lengths
     * unless a length is asked too. */
    g_autoptr(GsArrangement) asked = arrange("pop, 120 bpm, verse chorus verse chorus", 1);
    check_tiling(asked);
    g_assert_cmpint(asked->n_sections, ==, 4);
    g_assert_cmpint(asked->sections[1].kind, ==, GS_MUSIC_SECTION_CHORUS);
    g_assert_cmpint(asked->bars, ==, 32);
    g_autoptr(GsArrangement) fitted = arrange("pop, 120 bpm, intro verse chorus outro, 90 seconds", 1);
    check_tiling(fitted);
    g_assert_cmpint(fitted->n_sections, ==, 4);
    g_assert_cmpint(fitted->bars, ==, 45);
}

static double
mean_melody_key(const GsArrangement *arr, const GsMusicSection *section, int *notes)
{
    const GArray *melody = arr->tracks[GS_MUSIC_PART_MELODY].notes;
    guint32 from = section->first_bar * arr->ticks_per_bar;
    guint32 to = (section->first_bar + section->bars) * arr->ticks_per_bar;
    double sum = 0.0;
    *notes = 0;
    for (guint i = 0; i < melody->len; i++) {
        const GsMusicNote *n = &g_array_index(melody, GsMusicNote, i);
        if (n->tick >= from && n->tick < to) {
            sum += n->key;
            (*notes)++;
        }
    }
    return *notes ? sum / *notes : 0.0;
}

/* The chorus lifts the melody and plays it busier; every section but the
 * last ends in a fill on its last beat; the piece ends on a crash and a
 * chord held through the final bar. */
static void
test_section_changes(void)
{
    g_autoptr(GsArrangement) arr = arrange("rock, 120 bpm, 64 seconds", 5);
    const GsMusicSection *verse = NULL, *chorus = NULL;
    for (int i = 0; i < arr->n_sections; i++) {
        if (!verse && arr->sections[i].kind == GS_MUSIC_SECTION_VERSE)
            verse = &arr->sections[i];
        if (!chorus && arr->sections[i].kind == GS_MUSIC_SECTION_CHORUS)
            chorus = &arr->sections[i];
    }
    g_assert_nonnull(verse);
    g_assert_nonnull(chorus);
    int verse_notes, chorus_notes;
    double verse_key = mean_melody_key(arr, verse, &verse_notes);
    double chorus_key = mean_melody_key(arr, chorus, &chorus_notes);
    g_assert_cmpfloat(chorus_key, >, verse_key + 2.0);
    g_assert_cmpfloat((double)chorus_notes / chorus->bars, >, (double)verse_notes / verse->bars);

    const GArray *drums = arr->tracks[GS_MUSIC_PART_DRUMS].notes;
    for (int i = 0; i + 1 < arr->n_sections; i++) {
        const GsMusicSection *s = &arr->sections[i];
        guint32 last_beat = (s->first_bar + s->bars) * arr->ticks_per_bar - GS_MUSIC_TICKS_PER_QUARTER;
        int fill_notes = 0;
        for (guint j = 0; j < drums->len; j++) {
            const GsMusicNote *n = &g_array_index(drums, GsMusicNote, j);
            gboolean tom_or_snare = n->key == GS_DRUM_SNARE || n->key == GS_DRUM_LOW_TOM || n->key == GS_DRUM_MID_TOM ||
                                    n->key == GS_DRUM_HIGH_MID_TOM || n->key == GS_DRUM_HIGH_TOM;
            fill_notes += n->tick >= last_beat && n->tick < last_beat + GS_MUSIC_TICKS_PER_QUARTER && tom_or_snare;
        }
        g_assert_cmpint(fill_notes, ==, 4);
    }

    guint32 final_bar = (arr->bars - 1) * arr->ticks_per_bar;
    gboolean crash = FALSE;
    for (guint j = 0; j < drums->len; j++) {
        const GsMusicNote *n = &g_array_index(drums, GsMusicNote, j);
        crash |= n->tick == final_bar && n->key == GS_DRUM_CRASH;
    }
    g_assert_true(crash);
    const GArray *chords = arr->tracks[GS_MUSIC_PART_CHORDS].notes;
    const GsMusicNote *last_chord = &g_array_index(chords, GsMusicNote, chords->len - 1);
    g_assert_cmpuint(last_chord->tick, ==, final_bar);
    g_assert_cmpuint(last_chord->duration, >=, arr->ticks_per_bar * 3 / 4);
}

static void
test_structured_midi_reproducible(void)
{
    const char *text = "energetic trance, verse chorus build drop outro, 2 minutes";
    g_autoptr(GsArrangement) a = arrange(text, 11);
    g_autoptr(GsArrangement) b = arrange(text, 11);
    g_autoptr(GsArrangement) c = arrange(text, 12);
    g_autoptr(GBytes) midi_a = gs_midi_file_build(a);
    g_autoptr(GBytes) midi_b = gs_midi_file_build(b);
    g_autoptr(GBytes) midi_c = gs_midi_file_build(c);
    g_assert_true(g_bytes_equal(midi_a, midi_b));
    g_assert_false(g_bytes_equal(midi_a, midi_c));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/music/arranger/reproducible", test_reproducible);
    g_test_add_func("/music/arranger/midi-header", test_midi_header);
    g_test_add_func("/music/arranger/every-style", test_every_style_is_sane);
    g_test_add_func("/music/arranger/grooves", test_style_grooves);
    g_test_add_func("/music/arranger/section-plans", test_section_plans);
    g_test_add_func("/music/arranger/section-changes", test_section_changes);
    g_test_add_func("/music/arranger/structured-midi-reproducible", test_structured_midi_reproducible);
    return g_test_run();
}
