/* Section planning: the prompt's list or a template of the style's form,
 * with bars shared out by weight so that a long piece gets long sections.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-form.h"

#define MIN_STRUCTURED_BARS 8
/* A template is used when its weight unit gets at least this many bars
 * (verses and choruses then last twice that). */
#define MIN_BARS_PER_WEIGHT 2

/* In GsMusicSectionKind order. The chorus and the drop lift: louder, busier,
 * melody and chords higher, a crash every four bars. */
static const GsMusicSectionProfile profiles[GS_MUSIC_SECTION_KIND_COUNT] = {
    [GS_MUSIC_SECTION_INTRO] = { GS_DRUMS_LIGHT, FALSE, FALSE, FALSE, -1, -14, 0, 0, 0 },
    [GS_MUSIC_SECTION_VERSE] = { GS_DRUMS_FULL, TRUE, TRUE, FALSE, -1, -8, 0, 0, 0 },
    [GS_MUSIC_SECTION_CHORUS] = { GS_DRUMS_FULL, TRUE, TRUE, FALSE, 1, 12, 5, 12, 4 },
    [GS_MUSIC_SECTION_BRIDGE] = { GS_DRUMS_LIGHT, TRUE, TRUE, TRUE, 0, -4, 2, 0, 0 },
    [GS_MUSIC_SECTION_BUILD] = { GS_DRUMS_BUILD, FALSE, FALSE, FALSE, 0, -6, 0, 0, 0 },
    [GS_MUSIC_SECTION_DROP] = { GS_DRUMS_FULL, TRUE, TRUE, FALSE, 1, 14, 5, 12, 4 },
    [GS_MUSIC_SECTION_BREAKDOWN] = { GS_DRUMS_NONE, FALSE, TRUE, TRUE, -1, -10, 0, 0, 0 },
    [GS_MUSIC_SECTION_OUTRO] = { GS_DRUMS_LIGHT, TRUE, TRUE, TRUE, -1, -12, 0, 0, 0 },
};

#define INTRO GS_MUSIC_SECTION_INTRO
#define VERSE GS_MUSIC_SECTION_VERSE
#define CHORUS GS_MUSIC_SECTION_CHORUS
#define BRIDGE GS_MUSIC_SECTION_BRIDGE
#define BUILD GS_MUSIC_SECTION_BUILD
#define DROP GS_MUSIC_SECTION_DROP
#define BREAKDOWN GS_MUSIC_SECTION_BREAKDOWN
#define OUTRO GS_MUSIC_SECTION_OUTRO
#define END GS_MUSIC_SECTION_KIND_COUNT

/* Longest first; each ends with END. */
static const GsMusicSectionKind song_templates[][9] = {
    { INTRO, VERSE, CHORUS, VERSE, CHORUS, BRIDGE, CHORUS, OUTRO, END },
    { INTRO, VERSE, CHORUS, VERSE, CHORUS, OUTRO, END },
    { INTRO, VERSE, CHORUS, OUTRO, END },
};
static const GsMusicSectionKind dance_templates[][9] = {
    { INTRO, BUILD, DROP, BREAKDOWN, BUILD, DROP, OUTRO, END },
    { INTRO, BUILD, DROP, BREAKDOWN, DROP, OUTRO, END },
    { INTRO, BUILD, DROP, OUTRO, END },
};

const GsMusicSectionProfile *
gs_music_section_profile(GsMusicSectionKind kind)
{
    return &profiles[kind];
}

/* Intros, outros and builds are half as long as the sections they frame. */
static int
template_weight(GsMusicSectionKind kind)
{
    return kind == INTRO || kind == OUTRO || kind == BUILD ? 1 : 2;
}

static int
count_kinds(const GsMusicSectionKind *kinds)
{
    int n = 0;
    while (kinds[n] != END)
        n++;
    return n;
}

/* Shares `bars` among the sections by weight, in whole phrases (four bars,
 * or two for short sections) where they fit; what rounding leaves over goes
 * four bars at a time to the heaviest sections from the end backwards, and
 * the rest to the last section. */
static void
share_bars(GsMusicSection *sections, int n, const int *weights, int bars)
{
    int total_weight = 0, used = 0, heaviest = 0;
    for (int i = 0; i < n; i++) {
        total_weight += weights[i];
        heaviest = MAX(heaviest, weights[i]);
    }
    for (int i = 0; i < n; i++) {
        int share = MAX(1, bars * weights[i] / total_weight);
        if (share >= 4)
            share -= share % (share >= 8 ? 4 : 2);
        sections[i].bars = share;
        used += share;
    }
    for (int i = n - 1; bars - used >= 4; i = i > 0 ? i - 1 : n - 1)
        if (weights[i] == heaviest) {
            sections[i].bars += 4;
            used += 4;
        }
    sections[n - 1].bars += bars - used;
    /* The one-bar minimum may overshoot: the longest sections give back. */
    while (sections[n - 1].bars < 1) {
        int longest = 0;
        for (int i = 1; i < n; i++)
            if (sections[i].bars > sections[longest].bars)
                longest = i;
        sections[longest].bars--;
        sections[n - 1].bars++;
    }
    for (int i = 0, first = 0; i < n; i++) {
        sections[i].first_bar = first;
        first += sections[i].bars;
    }
}

GsMusicSection *
gs_music_plan_sections(const GsMusicPrompt *prompt, int bars, int *n_sections)
{
    const GsMusicSectionKind *kinds = NULL;
    GsMusicSectionKind single[2] = { VERSE, END }, asked[GS_MUSIC_MAX_SECTIONS + 1];
    gboolean dance = gs_music_style_info(prompt->style)->form == GS_MUSIC_FORM_DANCE;
    if (prompt->n_structure > 0) {
        /* Never more sections than bars. */
        int n = MIN(prompt->n_structure, bars);
        for (int i = 0; i < n; i++)
            asked[i] = prompt->structure[i];
        asked[n] = END;
        kinds = asked;
    } else if (bars >= MIN_STRUCTURED_BARS) {
        const GsMusicSectionKind(*templates)[9] = dance ? dance_templates : song_templates;
        int n_templates = (int)(dance ? G_N_ELEMENTS(dance_templates) : G_N_ELEMENTS(song_templates));
        for (int t = 0; t < n_templates && !kinds; t++) {
            int weight = 0;
            for (const GsMusicSectionKind *k = templates[t]; *k != END; k++)
                weight += template_weight(*k);
            if (bars >= weight * MIN_BARS_PER_WEIGHT || t == n_templates - 1)
                kinds = templates[t];
        }
    } else {
        single[0] = dance ? DROP : VERSE;
        kinds = single;
    }
    int n = count_kinds(kinds);
    GsMusicSection *sections = g_new0(GsMusicSection, n);
    int weights[GS_MUSIC_MAX_SECTIONS];
    for (int i = 0; i < n; i++) {
        sections[i].kind = kinds[i];
        /* Asked-for sections keep the proportions of their default lengths. */
        weights[i] = prompt->n_structure > 0 ? gs_music_section_default_bars(kinds[i]) : template_weight(kinds[i]);
    }
    share_bars(sections, n, weights, bars);
    *n_sections = n;
    return sections;
}
