/* The arranger: the style table's progressions and rhythms, shaped section
 * by section and filled in bar by bar with a seeded counter-based random
 * generator.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-arranger.h"

#include <math.h>
#include <string.h>

#define TICKS_PER_STEP (GS_MUSIC_TICKS_PER_QUARTER / 4) /* a sixteenth */
#define SWING_DELAY (TICKS_PER_STEP * 2 / 3)           /* off-beat eighths land on the triplet */
#define MELODY_LOW 60
#define MELODY_HIGH 81

/* What the arranger plays: the style's table entry, with the prompt's
 * subgenre and feel words applied. */
typedef struct {
    const GsMusicStyleInfo *info;
    gboolean sevenths, swing;
    int density; /* −1 … +1 */
} style_plan;

static const char *const melody_rhythms_4[3][4] = {
    { "x-------x-------", "x-----x-x-------", "x-----------x---", "x---x-------x---" },
    { "x---x-x-x---x---", "x-x-x---x---x-x-", "x---x---x-x-x---", "x-----x-x-x-x---" },
    { "x-x-x-x-x-x-x-x-", "x-xxx-x-x-xxx-x-", "x-x-x-xxx-x-x---", "xx-xx-x-x-x-xx--" },
};
static const char *const melody_rhythms_3[3][4] = {
    { "x-----------", "x-------x---", "x-----x-----", "x-------x---" },
    { "x---x---x---", "x-----x-x---", "x---x-x-x---", "x-x-x---x---" },
    { "x-x-x-x-x-x-", "x---x-x-x-x-", "x-xxx-x-x---", "x-x-x-x-x---" },
};

static const int major_scale[7] = { 0, 2, 4, 5, 7, 9, 11 };
static const int minor_scale[7] = { 0, 2, 3, 5, 7, 8, 10 };

/* splitmix64: counter-based, so a part's notes depend only on the seed. */
typedef struct {
    guint64 counter;
} gs_rng;

static guint64
rng_next(gs_rng *rng)
{
    guint64 z = (rng->counter += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int
rng_below(gs_rng *rng, int n)
{
    return (int)(rng_next(rng) % (guint64)n);
}

/* Each part draws from its own stream: changing one part leaves the others. */
static gs_rng
rng_for_part(guint64 seed, GsMusicPart part)
{
    gs_rng rng = { seed * 0xD1B54A32D192ED03ull + (guint64)part * 0x8CB92BA72F3D8DD7ull };
    rng_next(&rng);
    return rng;
}

static int
mod12(int x)
{
    return ((x % 12) + 12) % 12;
}

static int
base_velocity(GsMusicMood mood)
{
    static const int velocity[] = { 84, 92, 68, 90, 64, 100 }; /* GsMusicMood order */
    return velocity[mood];
}

static void
add_note(GsMusicTrack *track, guint32 tick, guint32 duration, int key, int velocity)
{
    GsMusicNote note = { tick, MAX(duration, 1u), (guint8)CLAMP(key, 0, 127), (guint8)CLAMP(velocity, 1, 127) };
    g_array_append_val(track->notes, note);
}

/* Adds a note on sixteenth `step` of `bar`. Swung off-beat eighths start
 * late and end on time, so they never run into the next beat. */
static void
add_step_note(GsMusicTrack *track, const GsArrangement *arr, gboolean swing, int bar, int step, guint32 duration,
              int key, int velocity)
{
    guint32 tick = (guint32)bar * arr->ticks_per_bar + (guint32)step * TICKS_PER_STEP;
    if (swing && step % 4 == 2) {
        tick += SWING_DELAY;
        duration = duration > SWING_DELAY ? duration - SWING_DELAY : duration / 2;
    }
    add_note(track, tick, duration, key, velocity);
}

/* Steps that '-' holds after position `at` of a rhythm, plus the attack. */
static int
held_steps(const char *rhythm, int length, int at)
{
    int n = 1;
    while (at + n < length && rhythm[at + n] == '-')
        n++;
    return n;
}

static GsMusicChord
chord_on_degree(const GsArrangement *arr, int degree, const style_plan *style)
{
    GsMusicChord chord = { .n_tones = style->sevenths ? 4 : 3 };
    for (int i = 0; i < chord.n_tones; i++)
        chord.tones[i] = mod12(arr->key + arr->scale[(degree + 2 * i) % 7]);
    /* The blues' dominant sevenths lie outside the major scale. */
    if (style->info->dominant_sevenths && style->sevenths && arr->mode == GS_MUSIC_MODE_MAJOR)
        chord.tones[3] = mod12(chord.tones[0] + 10);
    chord.root = chord.tones[0];
    return chord;
}

static const GsMusicSection *
section_of_bar(const GsArrangement *arr, int bar)
{
    for (int i = arr->n_sections - 1; i > 0; i--)
        if (bar >= arr->sections[i].first_bar)
            return &arr->sections[i];
    return &arr->sections[0];
}

static const GsMusicSectionProfile *
profile_of_bar(const GsArrangement *arr, int bar)
{
    return gs_music_section_profile(section_of_bar(arr, bar)->kind);
}

static gboolean
is_section_end(const GsArrangement *arr, int bar)
{
    const GsMusicSection *section = section_of_bar(arr, bar);
    return bar == section->first_bar + section->bars - 1;
}

static void
arrange_chords(GsArrangement *arr, const style_plan *style)
{
    const char *progression =
        arr->mode == GS_MUSIC_MODE_MINOR ? style->info->minor_progression : style->info->major_progression;
    int length = (int)strlen(progression);
    arr->chords = g_new(GsMusicChord, arr->bars);
    for (int bar = 0; bar < arr->bars; bar++) {
        const GsMusicSection *section = section_of_bar(arr, bar);
        /* A loop of up to four chords starts again with each section (the
         * bridge halfway round, for contrast); longer forms such as the
         * twelve-bar blues run on across sections. */
        int position = bar;
        if (length <= 4)
            position = bar - section->first_bar + (section->kind == GS_MUSIC_SECTION_BRIDGE ? length / 2 : 0);
        /* The piece comes home to the tonic in its last bar. */
        int degree = bar == arr->bars - 1 && arr->bars > 1 ? 0 : progression[position % length] - '1';
        arr->chords[bar] = chord_on_degree(arr, degree, style);
    }
}

/* The last beat of a section: toms falling from high to low, or a snare
 * run, into the next section. */
static void
add_fill(GsMusicTrack *track, const GsArrangement *arr, int bar, int velocity, gs_rng *rng)
{
    static const int toms[4] = { GS_DRUM_HIGH_TOM, GS_DRUM_HIGH_MID_TOM, GS_DRUM_MID_TOM, GS_DRUM_LOW_TOM };
    gboolean tom_fill = rng_below(rng, 2) == 0;
    int steps = arr->beats_per_bar * 4;
    for (int i = 0; i < 4; i++)
        add_step_note(track, arr, FALSE, bar, steps - 4 + i, TICKS_PER_STEP, tom_fill ? toms[i] : GS_DRUM_SNARE,
                      velocity + 2 * i + rng_below(rng, 5) - 2);
}

/* A build's snare plays quarters, then eighths, then sixteenths in its
 * last bar, growing louder. */
static void
add_build_bar(GsMusicTrack *track, const GsArrangement *arr, const GsMusicSection *section, int bar, int velocity)
{
    int steps = arr->beats_per_bar * 4, into = bar - section->first_bar, left = section->bars - into;
    int every = left == 1 ? 1 : into * 2 < section->bars ? 4 : 2;
    for (int step = 0; step < steps; step += every) {
        int rise = 20 * (into * steps + step) / (section->bars * steps);
        add_step_note(track, arr, FALSE, bar, step, TICKS_PER_STEP, GS_DRUM_SNARE, velocity - 10 + rise);
    }
}

static void
arrange_drums(GsArrangement *arr, const style_plan *style, GsMusicMood mood, gs_rng *rng)
{
    GsMusicTrack *track = &arr->tracks[GS_MUSIC_PART_DRUMS];
    const struct {
        const char *rhythm;
        int key;
    } voices[] = { { style->info->kick, GS_DRUM_KICK },
                   { style->info->snare, style->info->snare_note },
                   { style->info->hat, style->info->hat_note } };
    enum { KICK_VOICE, SNARE_VOICE, HAT_VOICE };
    int steps = arr->beats_per_bar * 4;
    if (!*style->info->kick)
        return;
    for (int bar = 0; bar < arr->bars; bar++) {
        const GsMusicSection *section = section_of_bar(arr, bar);
        const GsMusicSectionProfile *profile = gs_music_section_profile(section->kind);
        int velocity = base_velocity(mood) + profile->velocity, into = bar - section->first_bar;
        gboolean last = bar == arr->bars - 1;
        if (last) { /* the final chord rings out on a crash and a single kick */
            add_step_note(track, arr, FALSE, bar, 0, TICKS_PER_STEP, GS_DRUM_CRASH, base_velocity(mood) + 10);
            add_step_note(track, arr, FALSE, bar, 0, TICKS_PER_STEP, GS_DRUM_KICK, base_velocity(mood) + 20);
            continue;
        }
        gboolean fill = is_section_end(arr, bar) && profile_of_bar(arr, bar + 1)->drums != GS_DRUMS_NONE;
        if (profile->drums != GS_DRUMS_NONE &&
            (into == 0 || (profile->crash_every && into % profile->crash_every == 0)))
            add_step_note(track, arr, FALSE, bar, 0, TICKS_PER_STEP, GS_DRUM_CRASH, velocity);
        if (profile->drums == GS_DRUMS_BUILD) {
            add_build_bar(track, arr, section, bar, velocity);
            continue;
        }
        if (fill)
            add_fill(track, arr, bar, velocity, rng);
        if (profile->drums == GS_DRUMS_NONE)
            continue;
        for (gsize v = 0; v < G_N_ELEMENTS(voices); v++) {
            int length = (int)strlen(voices[v].rhythm);
            /* A light section keeps the hats and one kick a bar. */
            if (profile->drums == GS_DRUMS_LIGHT && v == SNARE_VOICE)
                continue;
            for (int step = 0; length && step < (fill ? steps - 4 : steps); step++) {
                char hit = voices[v].rhythm[step % length];
                if (profile->drums == GS_DRUMS_LIGHT && v == KICK_VOICE)
                    hit = step == 0 ? 'x' : '.';
                /* Sparser asks keep the cymbal on the beat only; busier ones
                 * fill its empty eighths softly. */
                if (v == HAT_VOICE && style->density < 0 && step % 4)
                    hit = '.';
                if (v == HAT_VOICE && style->density > 0 && hit == '.' && step % 2 == 0)
                    hit = 'o';
                if (hit == 'x' || hit == 'o')
                    add_step_note(track, arr, style->swing, bar, step, TICKS_PER_STEP, voices[v].key,
                                  velocity + (hit == 'x' ? 10 : -30) + rng_below(rng, 9) - 4);
            }
        }
    }
}

/* The bass note nearest below the next chord's root, or above it when the
 * line would otherwise jump down. */
static int
approach_note(int from, int next_root_note)
{
    return next_root_note > from ? next_root_note - 1 : next_root_note + 1;
}

static void
arrange_bass(GsArrangement *arr, const style_plan *style, GsMusicMood mood, gs_rng *rng)
{
    GsMusicTrack *track = &arr->tracks[GS_MUSIC_PART_BASS];
    int eighths = arr->beats_per_bar * 2, length = (int)strlen(style->info->bass);
    for (int bar = 0; bar < arr->bars; bar++) {
        const GsMusicChord *chord = &arr->chords[bar];
        const GsMusicChord *next = &arr->chords[MIN(bar + 1, arr->bars - 1)];
        const GsMusicSectionProfile *profile = profile_of_bar(arr, bar);
        int root = 36 + chord->root, next_root = 36 + next->root, previous = root;
        int velocity = base_velocity(mood) + profile->velocity;
        gboolean last = bar == arr->bars - 1;
        /* The bass always sounds the final root. */
        if (!profile->bass && !last)
            continue;
        for (int e = 0; e < eighths; e++) {
            char kind = last ? (e == 0 ? 'R' : '-') : style->info->bass[e % length];
            /* Fifth and octave trade places now and then on weak beats. */
            if ((kind == 'F' || kind == 'O') && rng_below(rng, 4) == 0)
                kind = kind == 'F' ? 'O' : 'F';
            int key;
            switch (kind) {
            case 'R': key = root; break;
            case 'O': key = root + 12; break;
            case 'T': key = root + mod12(chord->tones[1] - chord->root); break;
            case 'F': key = root + mod12(chord->tones[2] - chord->root); break;
            case 'A': key = approach_note(previous, next_root); break;
            default: continue;
            }
            int held = last ? eighths : 1;
            while (!last && e + held < eighths && style->info->bass[(e + held) % length] == '-')
                held++;
            add_step_note(track, arr, style->swing, bar, e * 2, (guint32)(held * 2 * TICKS_PER_STEP * 9 / 10), key,
                          velocity + (e == 0 ? 8 : 0) + rng_below(rng, 7) - 3);
            previous = key;
        }
    }
}

static void
arrange_comp(GsArrangement *arr, const style_plan *style, GsMusicMood mood, gs_rng *rng)
{
    GsMusicTrack *track = &arr->tracks[GS_MUSIC_PART_CHORDS];
    int steps = arr->beats_per_bar * 4;
    for (int bar = 0; bar < arr->bars; bar++) {
        const GsMusicSectionProfile *profile = profile_of_bar(arr, bar);
        gboolean held = bar == arr->bars - 1 || profile->held_chords;
        const char *rhythm = held ? "x---------------" : style->info->comp;
        int length = held ? steps : (int)strlen(rhythm);
        int velocity = base_velocity(mood) - 12 + profile->velocity;
        const GsMusicChord *chord = &arr->chords[bar];
        for (int step = 0; step < steps; step++) {
            if (rhythm[step % length] != 'x')
                continue;
            int steps_held = MIN(held_steps(rhythm, length, step % length), steps - step);
            int accent = rng_below(rng, 7) - 3;
            /* Close voicing from F#3 (plus the section's lift) upward keeps
             * every chord in one octave. */
            for (int i = 0; i < chord->n_tones; i++)
                add_step_note(track, arr, style->swing, bar, step, (guint32)(steps_held * TICKS_PER_STEP * 9 / 10),
                              54 + profile->chord_lift + mod12(chord->tones[i] - 6), velocity + accent);
        }
    }
}

static gboolean
is_chord_tone(const GsMusicChord *chord, int key)
{
    for (int i = 0; i < 3; i++) /* the triad: all of it lies in the scale */
        if (mod12(key) == chord->tones[i])
            return TRUE;
    return FALSE;
}

/* The scale's notes within the melody's range (raised by `lift`), low to
 * high. */
static int
melody_ladder(const GsArrangement *arr, int lift, int *ladder)
{
    int n = 0;
    for (int key = MELODY_LOW + lift; key <= MELODY_HIGH + lift; key++)
        if (gs_arrangement_in_scale(arr, key))
            ladder[n++] = key;
    return n;
}

/* The chord tone (the tonic when `home`) nearest to rung `from`. */
static int
nearest_chord_rung(const int *ladder, int n, int from, const GsMusicChord *chord, int tonic, gboolean home,
                   gs_rng *rng)
{
    for (int distance = 0; distance < n; distance++) {
        int sign = rng_below(rng, 2) ? 1 : -1; /* ties go either way */
        int candidates[2] = { from + sign * distance, from - sign * distance };
        for (int c = 0; c < (distance ? 2 : 1); c++) {
            int rung = candidates[c];
            if (rung >= 0 && rung < n && (home ? mod12(ladder[rung]) == tonic : is_chord_tone(chord, ladder[rung])))
                return rung;
        }
    }
    return from;
}

static void
arrange_melody(GsArrangement *arr, const style_plan *style, GsMusicMood mood, gs_rng *rng)
{
    GsMusicTrack *track = &arr->tracks[GS_MUSIC_PART_MELODY];
    int ladder[32];
    int n = melody_ladder(arr, 0, ladder);
    int steps = arr->beats_per_bar * 4;
    int rung = n / 3, direction = 1;
    for (int bar = 0; bar < arr->bars; bar++) {
        const GsMusicSection *section = section_of_bar(arr, bar);
        const GsMusicSectionProfile *profile = gs_music_section_profile(section->kind);
        if (!profile->melody)
            continue;
        /* The same rung of a raised ladder: the line carries on, higher. */
        n = melody_ladder(arr, profile->melody_lift, ladder);
        int velocity = base_velocity(mood) + 4 + profile->velocity;
        int density = style->info->melody_density + style->density + profile->density -
                      (mood == GS_MUSIC_MOOD_CALM || mood == GS_MUSIC_MOOD_SAD);
        density = CLAMP(density, 0, 2);
        gboolean last = bar == arr->bars - 1;
        /* A phrase of four bars, or the section, ends on a long chord tone on
         * the downbeat. */
        gboolean phrase_end = last || (bar - section->first_bar) % 4 == 3 || is_section_end(arr, bar);
        const char *const(*rhythms)[4] = steps == 12 ? melody_rhythms_3 : melody_rhythms_4;
        const char *rhythm = phrase_end ? (steps == 12 ? "x-------...." : "x-------........")
                                        : rhythms[density][rng_below(rng, 4)];
        for (int step = 0; step < steps; step++) {
            /* Swing has no room for sixteenths between its uneven eighths. */
            if (rhythm[step] != 'x' || (style->swing && step % 2))
                continue;
            gboolean strong = step == 0 || (steps == 16 && step == 8);
            if (strong) {
                rung = nearest_chord_rung(ladder, n, rung, &arr->chords[bar], arr->key, last, rng);
            } else {
                int roll = rng_below(rng, 10);
                if (roll < 3 || rung + direction < 0 || rung + direction >= n)
                    direction = -direction;
                int move = roll < 7 ? 1 : roll < 9 ? 2 : 0; /* mostly by step */
                rung = CLAMP(rung + direction * move, 0, n - 1);
            }
            int held = held_steps(rhythm, steps, step);
            add_step_note(track, arr, style->swing, bar, step, (guint32)(held * TICKS_PER_STEP * 9 / 10), ladder[rung],
                          velocity + (strong ? 8 : 0) + rng_below(rng, 9) - 4);
        }
    }
}

static int
compare_notes(gconstpointer a, gconstpointer b)
{
    const GsMusicNote *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (int)x->duration - (int)y->duration;
}

GsArrangement *
gs_arrangement_new(const GsMusicPrompt *prompt, guint64 seed)
{
    const GsMusicStyleInfo *info = gs_music_style_info(prompt->style);
    const style_plan plan = { info, info->sevenths || prompt->sevenths, info->swing || prompt->swing, prompt->density };
    const style_plan *style = &plan;
    GsArrangement *arr = g_new0(GsArrangement, 1);
    arr->style = prompt->style;
    arr->bpm = prompt->bpm;
    arr->beats_per_bar = gs_music_style_beats_per_bar(prompt->style);
    arr->key = prompt->key;
    arr->mode = prompt->mode;
    memcpy(arr->scale, prompt->mode == GS_MUSIC_MODE_MINOR ? minor_scale : major_scale, sizeof arr->scale);
    double beats = prompt->seconds * prompt->bpm / 60.0;
    arr->bars = MAX(1, (int)lround(beats / arr->beats_per_bar));
    arr->ticks_per_bar = (guint32)arr->beats_per_bar * GS_MUSIC_TICKS_PER_QUARTER;
    static const guint8 channels[GS_MUSIC_PART_COUNT] = { GS_MUSIC_DRUM_CHANNEL, 0, 1, 2 };
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++) {
        arr->tracks[part] = (GsMusicTrack){ (GsMusicPart)part, channels[part],
                                            (guint8)(part == GS_MUSIC_PART_DRUMS ? 0 : prompt->programs[part]),
                                            g_array_new(FALSE, FALSE, sizeof(GsMusicNote)) };
    }
    arr->sections = gs_music_plan_sections(prompt, arr->bars, &arr->n_sections);
    arrange_chords(arr, style);
    gs_rng drums = rng_for_part(seed, GS_MUSIC_PART_DRUMS), bass = rng_for_part(seed, GS_MUSIC_PART_BASS);
    gs_rng comp = rng_for_part(seed, GS_MUSIC_PART_CHORDS), melody = rng_for_part(seed, GS_MUSIC_PART_MELODY);
    arrange_drums(arr, style, prompt->mood, &drums);
    arrange_bass(arr, style, prompt->mood, &bass);
    arrange_comp(arr, style, prompt->mood, &comp);
    arrange_melody(arr, style, prompt->mood, &melody);
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        g_array_sort(arr->tracks[part].notes, compare_notes);
    return arr;
}

void
gs_arrangement_free(GsArrangement *arrangement)
{
    if (!arrangement)
        return;
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++)
        g_array_unref(arrangement->tracks[part].notes);
    g_free(arrangement->chords);
    g_free(arrangement->sections);
    g_free(arrangement);
}

guint32
gs_arrangement_total_ticks(const GsArrangement *arrangement)
{
    return (guint32)arrangement->bars * arrangement->ticks_per_bar;
}

double
gs_arrangement_seconds(const GsArrangement *arrangement)
{
    return gs_arrangement_bar_seconds(arrangement, arrangement->bars);
}

double
gs_arrangement_bar_seconds(const GsArrangement *arrangement, int bar)
{
    return (double)bar * arrangement->ticks_per_bar * 60.0 / (GS_MUSIC_TICKS_PER_QUARTER * arrangement->bpm);
}

gboolean
gs_arrangement_in_scale(const GsArrangement *arrangement, int pc)
{
    for (int i = 0; i < 7; i++)
        if (mod12(pc) == mod12(arrangement->key + arrangement->scale[i]))
            return TRUE;
    return FALSE;
}
