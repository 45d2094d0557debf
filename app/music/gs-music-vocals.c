/* The vocal line: syllables from espeak-ng's phonemes, notes from the
 * arrangement's chords, singing through gs_speech_sing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gio/gio.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gs-music-render.h"
#include "gs-music-vocals.h"
#include "gs-pitch.h"

#define ONSET_SECONDS 0.06  /* each consonant before the vowel */
#define CODA_SECONDS 0.05   /* each consonant after it */
#define RELEASE_SECONDS 0.1 /* breath after the last note of a phrase */
#define VOCALS_GAIN 0.6f
#define MIN_NOTE_SECONDS 0.3
#define TUNING_PASSES 2   /* sung, measured and corrected */
/* Griffin-Lim iterations of what is sung only to be measured, and of the
 * take kept. Griffin-Lim starts from the magnitudes' peaks' phase
 * (gs_op_phase_init), which has the period already: measuring needs no
 * iteration, and 8 reach the spectral error 32 reached from noise
 * (test-speech: 0.135 and 0.136). test-music-vocals: 99.7 / 100.0 % of
 * voiced frames within 50 cents with two passes of 0 iterations and a gain
 * of 0.6, as with three of 1 and a gain of 0.4 (99.1 / 100.0 %); one pass
 * alone, 63.5 %. */
#define MEASURE_ITERATIONS 0
#define SUNG_ITERATIONS 8
#define TUNING_GAIN 0.6   /* of the error: neighbours pull each other, a full step overshoots */
#define MAX_OFFSET 0.45f  /* octaves from the voice's mean: the model goes no further */
/* Offsets (octaves from the voice's mean) tried when measuring what the
 * voice can sing, and how long each test note lasts. */
static const float probe_offsets[] = { -0.3f, -0.2f, -0.1f, 0.0f, 0.1f, 0.2f, 0.3f, 0.4f };
#define PROBE_SECONDS 0.6f

typedef struct {
    float offset;
    double hz;
} PitchPoint;

static gboolean
engine_error(gs_context *ctx, gs_status status, GError **error)
{
    if (status == GS_OK)
        return TRUE;
    g_set_error(error, G_IO_ERROR, status == GS_ERR_INVALID_ARGUMENT ? G_IO_ERROR_INVALID_ARGUMENT : G_IO_ERROR_FAILED,
                "%s", gs_context_error(ctx));
    return FALSE;
}

/* Held notes go through Griffin-Lim: the neural vocoder, given the same
 * frame again and again, repeats its phase every hop and buzzes at the
 * frame rate whatever the pitch. */
static gboolean
sing(gs_context *ctx, gs_speech *model, const GsSinger *singer, const gs_sung_phone *phones, int count,
     int iterations, float **samples, size_t *n, GError **error)
{
    gs_speech_params params = gs_speech_default_params();
    params.vocoder = GS_VOCODER_GRIFFIN_LIM;
    params.griffin_lim_iterations = iterations;
    params.voice = singer ? singer->voice : NULL;
    params.voice_blend = singer ? singer->blend : NULL;
    if (!singer || !singer->pitch)
        return engine_error(ctx, gs_speech_sing(model, phones, count, &params, samples, n), error);
    /* A sung phone's pitch is in octaves from the voice's own. */
    g_autofree gs_sung_phone *shifted = g_memdup2(phones, (gsize)count * sizeof *phones);
    for (int i = 0; i < count; i++)
        shifted[i].pitch += singer->pitch / 12.0f;
    return engine_error(ctx, gs_speech_sing(model, shifted, count, &params, samples, n), error);
}

static gs_sung_phone
sung(const char *symbol, float seconds, float pitch)
{
    gs_sung_phone p = { .stress = 1, .seconds = seconds, .pitch = pitch };
    g_strlcpy(p.symbol, symbol, sizeof p.symbol);
    return p;
}

static gint
compare_doubles(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Σ a[i]·b[i] in eight lanes, so that the compiler can vectorise it
 * without reassociating a single sum. */
static float
dot(const float *a, const float *b, int n)
{
    float lane[8] = { 0 };
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            lane[k] += a[i + k] * b[i + k];
    float sum = 0;
    for (; i < n; i++)
        sum += a[i] * b[i];
    for (int k = 0; k < 8; k++)
        sum += lane[k];
    return sum;
}

/* Median pitch of [from, to) s by normalised autocorrelation over 40 ms
 * windows; 0 when no window is clearly periodic. The lagged windows'
 * energies come from a running sum: only the products cost a pass. */
static double
median_pitch(const float *s, size_t n, int rate, double from, double to)
{
    const int window = rate / 25, min_lag = rate / 500, max_lag = rate / 60, span = window + max_lag + 1;
    GArray *found = g_array_new(FALSE, FALSE, sizeof(double));
    double *r = g_new(double, max_lag + 2), *energy = g_new(double, span + 1);
    for (size_t start = (size_t)(from * rate); start + span < n && start < to * rate; start += rate / 100) {
        const float *x = s + start;
        energy[0] = 0;
        for (int i = 0; i < span; i++)
            energy[i + 1] = energy[i] + (double)x[i] * x[i];
        double xx = energy[window], best = 0;
        for (int lag = min_lag; lag <= max_lag + 1; lag++) {
            double yy = energy[lag + window] - energy[lag];
            r[lag] = xx > 0 && yy > 0 ? dot(x, x + lag, window) / sqrt(xx * yy) : 0;
            best = MAX(best, r[lag]);
        }
        /* The shortest period whose peak is nearly the best: multiples of
         * the period correlate as well, and would read an octave low. */
        for (int lag = min_lag + 1; best > 0.8 && lag <= max_lag; lag++)
            if (r[lag] >= 0.9 * best && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) {
                double hz = (double)rate / lag;
                g_array_append_val(found, hz);
                break;
            }
    }
    g_free(r);
    g_free(energy);
    g_array_sort(found, compare_doubles);
    double median = found->len ? g_array_index(found, double, found->len / 2) : 0;
    g_array_free(found, TRUE);
    return median;
}

/* The pitches the voice reaches: test notes at each probe offset, keeping
 * the run around offset 0 (or the measured offset nearest it) where the
 * pitch rises with the offset. */
static GArray *
measure_range(gs_context *ctx, gs_speech *model, const GsSinger *singer, GError **error)
{
    int rate = gs_speech_sample_rate(model);
    PitchPoint points[G_N_ELEMENTS(probe_offsets)];
    for (guint i = 0; i < G_N_ELEMENTS(probe_offsets); i++) {
        gs_sung_phone la[] = { sung("l", 0.08f, probe_offsets[i]), sung("ɑː", PROBE_SECONDS, probe_offsets[i]) };
        float *s = NULL;
        size_t n = 0;
        if (!sing(ctx, model, singer, la, G_N_ELEMENTS(la), MEASURE_ITERATIONS, &s, &n, error))
            return NULL;
        points[i] = (PitchPoint){ probe_offsets[i], median_pitch(s, n, rate, 0.15, PROBE_SECONDS) };
        free(s);
    }
    /* The voice's own pitch, or the measured probe nearest it: a blend of
     * voices (a cloned one) may not hold every test note steadily. */
    int zero = -1;
    for (int i = 0; i < (int)G_N_ELEMENTS(points); i++)
        if (points[i].hz > 0 && (zero < 0 || fabsf(points[i].offset) < fabsf(points[zero].offset)))
            zero = i;
    if (zero < 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "The voice does not hold a steady pitch to sing with");
        return NULL;
    }
    int lo = zero, hi = zero;
    while (lo > 0 && points[lo - 1].hz > 0 && points[lo - 1].hz < points[lo].hz * 0.985)
        lo--;
    while (hi + 1 < (int)G_N_ELEMENTS(points) && points[hi + 1].hz > points[hi].hz * 1.015)
        hi++;
    GArray *range = g_array_new(FALSE, FALSE, sizeof(PitchPoint));
    g_array_append_vals(range, points + lo, (guint)(hi - lo + 1));
    return range;
}

/* The offset that sings `hz`, by linear interpolation of log pitch. */
static float
offset_for(const GArray *range, double hz)
{
    const PitchPoint *p = (const PitchPoint *)range->data;
    if (range->len == 1)
        return p[0].offset;
    guint i = 0;
    while (i + 2 < range->len && hz > p[i + 1].hz)
        i++;
    double a = log2(p[i].hz), b = log2(p[i + 1].hz), t = (log2(hz) - a) / (b - a);
    return (float)(p[i].offset + t * (p[i + 1].offset - p[i].offset));
}

static double
midi_to_hz(double midi)
{
    return 440.0 * pow(2.0, (midi - 69) / 12);
}

static double
hz_to_midi(double hz)
{
    return 69 + 12 * log2(hz / 440.0);
}

/* ---- syllables ------------------------------------------------------------- */

/* IPA vowels by their first letter, and syllabic consonants (U+0329). */
static gboolean
is_vowel(const char *symbol)
{
    static const gunichar vowels[] = { 'a', 'e', 'i', 'o', 'u', 0x00E6, 0x0250, 0x0251, 0x0254, 0x0259,
                                       0x025A, 0x025B, 0x025C, 0x026A, 0x028A, 0x028C, 0x1D7B };
    gunichar first = g_utf8_get_char(symbol);
    for (gsize i = 0; i < G_N_ELEMENTS(vowels); i++)
        if (first == vowels[i])
            return TRUE;
    return strstr(symbol, "\xcc\xa9") != NULL;
}

typedef struct {
    GArray *phones;      /* gs_phone of one syllable */
    int nucleus;         /* index of its vowel */
    gboolean word_start; /* the first syllable of a word */
} Syllable;

static void
syllable_clear(gpointer data)
{
    g_array_unref(((Syllable *)data)->phones);
}

/* One word's phones → syllables: a nucleus each; of the consonants between
 * two nuclei the last starts the next syllable. */
static void
split_word(const gs_phone *w, int n, GArray *out)
{
    int nuclei[64], count = 0;
    for (int i = 0; i < n && count < 64; i++)
        if (is_vowel(w[i].symbol))
            nuclei[count++] = i;
    for (int k = 0; k < count; k++) {
        int from = k == 0 ? 0 : nuclei[k] - (nuclei[k] - nuclei[k - 1] > 1 ? 1 : 0);
        int to = k + 1 < count ? nuclei[k + 1] - (nuclei[k + 1] - nuclei[k] > 1 ? 1 : 0) : n;
        Syllable s = { g_array_new(FALSE, FALSE, sizeof(gs_phone)), nuclei[k] - from, k == 0 };
        g_array_append_vals(s.phones, w + from, (guint)(to - from));
        g_array_append_val(out, s);
    }
}

/* A lyric line → its syllables, in order. */
static GArray *
line_syllables(gs_phonemizer *ph, const char *line, GError **error)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(Syllable));
    g_array_set_clear_func(out, syllable_clear);
    for (const char *rest = line; rest;) {
        gs_phone *phones = NULL;
        int count = 0;
        char *message = NULL;
        if (gs_phonemizer_next_sentence(ph, &rest, &phones, &count, &message) != GS_OK) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", message ? message : "bad lyrics");
            free(message);
            g_array_unref(out);
            return NULL;
        }
        int word = 0;
        for (int i = 0; i <= count; i++) {
            gboolean boundary = i == count || strchr(" ,.?!", phones[i].symbol[0]) != NULL;
            if (!boundary)
                continue;
            split_word(phones + word, i - word, out);
            word = i + 1;
        }
        gs_phones_free(phones);
    }
    return out;
}

/* ---- plan ------------------------------------------------------------------ */

/* Syllables [first, first + count) of a lyric line, sung as one phrase. */
typedef struct {
    const GArray *syllables;
    int first, count;
} Phrase;

/* Each line as one phrase, or, when it has more syllables than a phrase
 * holds (`capacity`), as several of about equal length, each ending before
 * a word: a long line is sung whole rather than cut. */
static GArray *
phrases_of(const GPtrArray *lines, int capacity)
{
    GArray *phrases = g_array_new(FALSE, FALSE, sizeof(Phrase));
    for (guint l = 0; l < lines->len; l++) {
        const GArray *syllables = g_ptr_array_index(lines, l);
        int n = (int)syllables->len;
        for (int first = 0; first < n;) {
            int parts = (n - first + capacity - 1) / capacity;
            int want = first + (n - first + parts - 1) / parts, end = want;
            /* The word start nearest the even split, within the capacity. */
            for (int k = first + 1, best = INT_MAX; parts > 1 && k <= first + capacity; k++)
                if (g_array_index(syllables, Syllable, k).word_start && abs(k - want) < best) {
                    best = abs(k - want);
                    end = k;
                }
            Phrase phrase = { syllables, first, end - first };
            g_array_append_val(phrases, phrase);
            first = end;
        }
    }
    return phrases;
}

static const GsMusicSection *
section_at(const GsArrangement *a, int bar)
{
    for (int i = a->n_sections - 1; i >= 0; i--)
        if (bar >= a->sections[i].first_bar)
            return &a->sections[i];
    return &a->sections[0];
}

/* The chord tone of `bar` nearest `previous` within [low, high] MIDI; the
 * nearest to the range's middle when none lies inside. */
static int
choose_note(const GsArrangement *a, int bar, double previous, double low, double high)
{
    const GsMusicChord *chord = &a->chords[MIN(bar, a->bars - 1)];
    int best = -1;
    double best_distance = 1e9, middle = (low + high) / 2;
    for (int midi = (int)floor(low) - 6; midi <= (int)ceil(high) + 6; midi++) {
        gboolean tone = FALSE;
        for (int t = 0; t < chord->n_tones && t < 3; t++)
            tone |= ((midi % 12) + 12) % 12 == chord->tones[t];
        if (!tone)
            continue;
        gboolean inside = midi >= low && midi <= high;
        double distance = inside ? fabs(midi - previous) : 100 + fabs(midi - middle);
        if (distance < best_distance) {
            best_distance = distance;
            best = midi;
        }
    }
    return best;
}

static void
add_note(GsVocalLine *line, GArray *notes, const Syllable *syllable, double start, double seconds, int midi,
         const GArray *range, int phrase)
{
    GsVocalNote note = { .start = start, .seconds = seconds, .hz = midi_to_hz(midi), .midi = midi, .phrase = phrase };
    int n = (int)syllable->phones->len;
    const gs_phone *p = (const gs_phone *)syllable->phones->data;
    float pitch = offset_for(range, note.hz);
    double onset = MIN(syllable->nucleus * ONSET_SECONDS, 0.4 * seconds);
    double coda = MIN((n - syllable->nucleus - 1) * CODA_SECONDS, 0.3 * seconds);
    note.phones = g_new(gs_sung_phone, n);
    note.n_phones = n;
    note.nucleus = syllable->nucleus;
    GString *text = g_string_new(NULL);
    for (int i = 0; i < n; i++) {
        double d = i < syllable->nucleus ? onset / syllable->nucleus
                   : i == syllable->nucleus ? seconds - onset - coda
                                            : coda / (n - syllable->nucleus - 1);
        /* One stress for all: the model's stress embedding moves pitch as
         * speech's intonation would, off the note. */
        note.phones[i] = sung(p[i].symbol, (float)d, pitch);
        g_string_append_printf(text, "%s%s", i ? " " : "", p[i].symbol);
    }
    note.text = g_string_free(text, FALSE);
    g_array_append_val(notes, note);
    line->n_phrases = MAX(line->n_phrases, phrase + 1);
}

static gboolean
check_lyrics(const char *lyrics, GError **error)
{
    if (!lyrics || !g_utf8_validate(lyrics, -1, NULL) || strlen(lyrics) > GS_VOCALS_MAX_BYTES) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "Lyrics must be UTF-8 text of at most %d KiB", GS_VOCALS_MAX_BYTES / 1024);
        return FALSE;
    }
    return TRUE;
}

GsVocalLine *
gs_vocal_line_plan(gs_context *ctx, gs_speech *model, const GsSinger *singer, const GsArrangement *a,
                   const char *lyrics, GError **error)
{
    if (!check_lyrics(lyrics, error))
        return NULL;
    g_auto(GStrv) raw = g_strsplit(lyrics, "\n", GS_VOCALS_MAX_LINES + 1);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    gs_phonemizer *ph = NULL;
    char *message = NULL;
    if (gs_phonemizer_new("en-us", &ph, &message) != GS_OK) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
        free(message);
        return NULL;
    }
    for (int i = 0; raw[i] && i < GS_VOCALS_MAX_LINES; i++) {
        GArray *syllables = line_syllables(ph, g_strstrip(raw[i]), error);
        if (!syllables) {
            gs_phonemizer_free(ph);
            return NULL;
        }
        if (syllables->len)
            g_ptr_array_add(lines, syllables);
        else
            g_array_unref(syllables);
    }
    gs_phonemizer_free(ph);
    if (lines->len == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "The lyrics have no words to sing");
        return NULL;
    }
    g_autoptr(GArray) range = measure_range(ctx, model, singer, error);
    if (!range)
        return NULL;
    const PitchPoint *ends = (const PitchPoint *)range->data;
    double low = hz_to_midi(ends[0].hz), high = hz_to_midi(ends[range->len - 1].hz);

    GsVocalLine *line = g_new0(GsVocalLine, 1);
    for (guint i = 0, nearest = 0; i < range->len; i++)
        if (fabsf(ends[i].offset) <= fabsf(ends[nearest].offset)) {
            nearest = i;
            line->voice_hz = ends[i].hz;
        }
    GArray *notes = g_array_new(FALSE, FALSE, sizeof(GsVocalNote));
    /* Lines take two bars each, in turn, from the first section after the
     * intro to the outro; the last syllable of a line is held. */
    int first = a->n_sections > 1 && a->sections[0].kind == GS_MUSIC_SECTION_INTRO ? a->sections[1].first_bar : 0;
    int last = a->n_sections > 1 && a->sections[a->n_sections - 1].kind == GS_MUSIC_SECTION_OUTRO
                   ? a->sections[a->n_sections - 1].first_bar : a->bars;
    double beat = gs_arrangement_bar_seconds(a, 1) / a->beats_per_bar, previous = (low + high) / 2;
    /* One syllable a beat, or every other beat when beats are short: the
     * model needs time on a vowel to reach its pitch. */
    int beats_per_slot = beat >= MIN_NOTE_SECONDS ? 1 : 2;
    double slot = beat * beats_per_slot;
    int slots_per_bar = MAX(a->beats_per_bar / beats_per_slot, 1);
    g_autoptr(GArray) phrases = phrases_of(lines, 8 * slots_per_bar - 1);
    for (int bar = first, phrase = 0;; phrase++) {
        const Phrase *p = &g_array_index(phrases, Phrase, (guint)phrase % phrases->len);
        int n = p->count;
        /* Two, four or eight bars: the phrase and a slot of rest. */
        int bars = 2;
        while (bars < 8 && bars * slots_per_bar < n + 1)
            bars *= 2;
        int slots = bars * slots_per_bar;
        if (bar + bars > last)
            break;
        gboolean chorus = section_at(a, bar)->kind == GS_MUSIC_SECTION_CHORUS;
        double start = gs_arrangement_bar_seconds(a, bar);
        for (int k = 0; k < n; k++) {
            int midi = choose_note(a, bar + k / slots_per_bar, chorus ? high : previous, low, high);
            previous = midi;
            double seconds = k == n - 1 ? slot * (slots - n) : slot; /* the line's last syllable is held */
            add_note(line, notes, &g_array_index(p->syllables, Syllable, p->first + k), start + k * slot, seconds,
                     midi, range, phrase);
        }
        bar += bars;
    }
    line->n_notes = (int)notes->len;
    line->notes = (GsVocalNote *)g_array_free(notes, FALSE);
    return line;
}

void
gs_vocal_line_free(GsVocalLine *line)
{
    if (!line)
        return;
    for (int i = 0; i < line->n_notes; i++) {
        g_free(line->notes[i].phones);
        g_free(line->notes[i].text);
    }
    g_free(line->notes);
    g_free(line);
}

/* ---- render ---------------------------------------------------------------- */

/* Mono at `rate` → added into interleaved stereo at GS_MUSIC_SAMPLE_RATE
 * from `start` seconds (linear interpolation). */
static void
mix_in(float *stereo, gsize frames, const float *mono, size_t n, int rate, double start)
{
    double step = (double)rate / GS_MUSIC_SAMPLE_RATE;
    gsize first = (gsize)llround(start * GS_MUSIC_SAMPLE_RATE);
    for (gsize f = 0; first + f < frames; f++) {
        double at = f * step;
        size_t i = (size_t)at;
        if (i + 1 >= n)
            break;
        float v = (float)(mono[i] + (at - i) * (mono[i + 1] - mono[i])) * VOCALS_GAIN;
        stereo[2 * (first + f)] += v;
        stereo[2 * (first + f) + 1] += v;
    }
}

/* The model learned pitch from speech: its decoder blends each phoneme's
 * pitch with its neighbours' and adds speech's own intonation, so a phrase
 * sung once drifts from its notes. Each pass measures every vowel (its
 * error in cents goes to `cents`) and moves each asked pitch by part of
 * its error. */
static void
tune_pass(const GsVocalLine *line, int first, int end, const float *mono, size_t n, int rate, gs_sung_phone *ph,
          double *cents)
{
    double phrase_start = line->notes[first].start;
    for (int i = first, k = 0; i < end; k += line->notes[i].n_phones, i++) {
        const GsVocalNote *note = &line->notes[i];
        double from = note->start - phrase_start;
        for (int p = 0; p < note->nucleus; p++)
            from += note->phones[p].seconds;
        double length = note->phones[note->nucleus].seconds;
        double heard = median_pitch(mono, n, rate, from + 0.2 * length, from + 0.8 * length);
        cents[i - first] = heard > 0 ? fabs(1200 * log2(note->hz / heard)) : INFINITY;
        if (heard <= 0)
            continue;
        float move = (float)(TUNING_GAIN * log2(note->hz / heard));
        for (int p = 0; p < note->n_phones; p++)
            if (!isnan(ph[k + p].pitch))
                ph[k + p].pitch = CLAMP(ph[k + p].pitch + move, -MAX_OFFSET, MAX_OFFSET);
    }
}

/* Sings the phrase TUNING_PASSES times cheaply, correcting as it goes,
 * keeps for every note the pitches of the pass that sang it closest
 * (neighbours pull on each other, so a correction can make a note worse),
 * and sings the phrase once more, in full, with those. */
static float *
sing_in_tune(gs_context *ctx, gs_speech *model, const GsSinger *singer, const GsVocalLine *line, int first,
             int end, size_t *n, GError **error)
{
    int rate = gs_speech_sample_rate(model), count = end - first;
    g_autoptr(GArray) phones = g_array_new(FALSE, FALSE, sizeof(gs_sung_phone));
    for (int i = first; i < end; i++)
        g_array_append_vals(phones, line->notes[i].phones, (guint)line->notes[i].n_phones);
    gs_sung_phone breath = sung(" ", RELEASE_SECONDS, NAN);
    g_array_append_val(phones, breath);
    gs_sung_phone *ph = (gs_sung_phone *)phones->data;
    gsize len = phones->len;
    g_autofree gs_sung_phone *tried = g_new(gs_sung_phone, len * TUNING_PASSES);
    g_autofree double *cents = g_new(double, (gsize)count * TUNING_PASSES);
    for (int pass = 0; pass < TUNING_PASSES; pass++) {
        float *heard = NULL;
        memcpy(tried + pass * len, ph, len * sizeof *ph);
        if (!sing(ctx, model, singer, ph, (int)len, MEASURE_ITERATIONS, &heard, n, error))
            return NULL;
        tune_pass(line, first, end, heard, *n, rate, ph, cents + (gsize)pass * count);
        free(heard);
    }
    for (int i = 0, k = 0; i < count; k += line->notes[first + i].n_phones, i++) {
        int best = 0;
        for (int pass = 1; pass < TUNING_PASSES; pass++)
            if (cents[(gsize)pass * count + i] < cents[(gsize)best * count + i])
                best = pass;
        memcpy(ph + k, tried + best * len + k, (gsize)line->notes[first + i].n_phones * sizeof *ph);
    }
    float *out = NULL;
    return sing(ctx, model, singer, ph, (int)len, SUNG_ITERATIONS, &out, n, error)
               ? out : NULL;
}

float *
gs_vocal_line_render(gs_context *ctx, gs_speech *model, const GsSinger *singer, const GsVocalLine *line,
                     gsize frames, GError **error)
{
    float *stereo = g_new0(float, frames * 2);
    int rate = gs_speech_sample_rate(model);
    for (int first = 0; first < line->n_notes;) {
        int end = first;
        while (end < line->n_notes && line->notes[end].phrase == line->notes[first].phrase)
            end++;
        size_t n = 0;
        float *mono = sing_in_tune(ctx, model, singer, line, first, end, &n, error);
        if (!mono) {
            g_free(stereo);
            return NULL;
        }
        mix_in(stereo, frames, mono, n, rate, line->notes[first].start);
        free(mono);
        first = end;
    }
    return stereo;
}

double
gs_vocal_line_pitch_accuracy(const GsVocalLine *line, const float *stereo, gsize frames, int *voiced)
{
    const int rate = GS_MUSIC_SAMPLE_RATE, window = rate / 40, hop = rate / 200;
    const double low_hz = 60, high_hz = 500;
    g_autofree float *mono = g_new(float, frames);
    for (gsize i = 0; i < frames; i++)
        mono[i] = stereo[2 * i];
    int heard = 0, in_tune = 0;
    for (int i = 0; i < line->n_notes; i++) {
        const GsVocalNote *n = &line->notes[i];
        double from = n->start;
        for (int p = 0; p < n->nucleus; p++)
            from += n->phones[p].seconds;
        double length = n->phones[n->nucleus].seconds;
        for (double t = from + 0.2 * length; t + (double)window / rate < from + 0.8 * length; t += (double)hop / rate) {
            gsize start = (gsize)(t * rate);
            if (start + window + (gsize)(rate / low_hz) + 2 >= frames)
                break;
            double f0 = gs_pitch_yin(mono + start, window, rate, low_hz, high_hz, GS_PITCH_YIN_THRESHOLD);
            if (f0 <= 0)
                continue;
            heard++;
            in_tune += fabs(1200 * log2(f0 / n->hz)) <= 50;
        }
    }
    *voiced = heard;
    return heard ? (double)in_tune / heard : 0;
}
