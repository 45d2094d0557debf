/* The style table. Where the grooves, progressions and tempi come from is
 * told in app/music/README.md.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-styles.h"

#define MAJOR GS_MUSIC_MODE_MAJOR
#define MINOR GS_MUSIC_MODE_MINOR
#define SONG GS_MUSIC_FORM_SONG
#define DANCE GS_MUSIC_FORM_DANCE

/* Latin and Brazilian grooves feel in two: a bar here (sixteen steps) holds
 * two bars of their 2/4, so their "bpm" is the quarter of that 4/4 bar. */
static const GsMusicStyleInfo styles[GS_MUSIC_STYLE_COUNT] = {
    [GS_MUSIC_STYLE_POP] = {
        "pop", GS_MUSIC_FAMILY_POPULAR, SONG, 80, 110, 135, 4, 0, 9, MAJOR, 33, 0, 80, "1564", "1637",
        FALSE, FALSE, "x.......x.x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R--RR-.A", "x-------x-------", 1, FALSE },
    [GS_MUSIC_STYLE_ROCK] = {
        "rock", GS_MUSIC_FAMILY_POPULAR, SONG, 90, 120, 180, 4, 4, 4, MAJOR, 34, 29, 30, "1454", "1767",
        FALSE, FALSE, "x.....x.x.....x.", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "RRRRRRRA", "x-x-x-x-x-x-x-x-", 1, FALSE },
    /* Ride with light skip notes, the hi-hat pedal on two and four. */
    [GS_MUSIC_STYLE_JAZZ] = {
        "jazz", GS_MUSIC_FAMILY_JAZZ_BLUES, SONG, 60, 140, 240, 4, 5, 2, MAJOR, 32, 0, 66, "2511", "2511",
        TRUE, FALSE, "o...............", "....x.......x...", "x...x.o.x...x.o.", GS_DRUM_PEDAL_HAT, GS_DRUM_RIDE,
        "R-T-F-A-", "x-.....x-.......", 2, TRUE },
    [GS_MUSIC_STYLE_BOSSA_NOVA] = {
        "bossa nova", GS_MUSIC_FAMILY_LATIN, SONG, 100, 126, 150, 4, 2, 9, MAJOR, 32, 24, 73, "1125", "1425",
        TRUE, FALSE, "x..xx..xx..xx..x", "x..x..x...x..x..", "o.o.o.o.o.o.o.o.", GS_DRUM_SIDE_STICK,
        GS_DRUM_CLOSED_HAT, "R--FR--F", "x--x--x---x--x--", 1, FALSE },
    [GS_MUSIC_STYLE_WALTZ] = {
        "waltz", GS_MUSIC_FAMILY_CLASSICAL_FILM, SONG, 84, 156, 200, 3, 7, 2, MAJOR, 32, 0, 40, "1451", "1451",
        FALSE, FALSE, "x...........", "....o...o...", "x...x...x...", GS_DRUM_SNARE, GS_DRUM_CLOSED_HAT,
        "R---F-", "....x---x---", 1, FALSE },
    [GS_MUSIC_STYLE_AMBIENT] = {
        "ambient", GS_MUSIC_FAMILY_ELECTRONIC, SONG, 50, 72, 90, 4, 2, 2, MINOR, 38, 89, 11, "1465", "1641",
        FALSE, FALSE, "o.......o.......", "", "o...o...o...o...", GS_DRUM_SNARE, GS_DRUM_CLOSED_HAT,
        "R-------", "x---------------", 0, FALSE },
    [GS_MUSIC_STYLE_TECHNO] = {
        "techno", GS_MUSIC_FAMILY_ELECTRONIC, DANCE, 120, 128, 150, 4, 9, 9, MINOR, 38, 90, 81, "1145", "1167",
        FALSE, FALSE, "x...x...x...x...", "....x.......x...", "..x...x...x...x.", GS_DRUM_CLAP,
        GS_DRUM_OPEN_HAT, ".R.R.R.R", "..x-..x-..x-..x-", 1, FALSE },
    [GS_MUSIC_STYLE_HIP_HOP] = {
        "hip hop", GS_MUSIC_FAMILY_POPULAR, SONG, 70, 88, 105, 4, 0, 0, MINOR, 33, 4, 11, "2516", "1645",
        TRUE, FALSE, "x......xx.x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R--R..OA", "x-------...x----", 1, TRUE },
    [GS_MUSIC_STYLE_FOLK] = {
        "folk", GS_MUSIC_FAMILY_FOLK_COUNTRY, SONG, 80, 104, 140, 4, 7, 4, MAJOR, 32, 25, 22, "1415", "1715",
        FALSE, FALSE, "x.......x.......", "....o.......o...", "x...x...x...x...", GS_DRUM_SIDE_STICK,
        GS_DRUM_CLOSED_HAT, "R---F---", "x---x-x-x---x-x-", 1, FALSE },
    /* No drums: an orchestra keeps time without a kit. */
    [GS_MUSIC_STYLE_CLASSICAL] = {
        "classical", GS_MUSIC_FAMILY_CLASSICAL_FILM, SONG, 50, 96, 160, 4, 0, 9, MAJOR, 43, 48, 40, "1451",
        "1451", FALSE, FALSE, "", "", "", GS_DRUM_SNARE, GS_DRUM_CLOSED_HAT, "R---F---", "x---------------", 1,
        FALSE },
    [GS_MUSIC_STYLE_BLUES] = {
        "blues", GS_MUSIC_FAMILY_JAZZ_BLUES, SONG, 60, 92, 140, 4, 9, 9, MAJOR, 33, 0, 27, "111144115415",
        "111144115415", TRUE, TRUE, "x.......x.......", "....x.......x...", "x...x.x.x...x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R-T-F-A-", "x-..x-..x-..x-..", 1, TRUE },
    [GS_MUSIC_STYLE_REGGAE] = {
        "reggae", GS_MUSIC_FAMILY_AFRICAN_CARIBBEAN, SONG, 60, 78, 100, 4, 7, 9, MAJOR, 33, 27, 16, "1454",
        "1414", FALSE, FALSE, "........x.......", "........x.......", "x.x.x.x.x.x.x.x.", GS_DRUM_SIDE_STICK,
        GS_DRUM_CLOSED_HAT, "R--R.F.A", "....x-......x-..", 1, FALSE },
    /* Kick on every beat under eighth-note power chords. */
    [GS_MUSIC_STYLE_PUNK] = {
        "punk", GS_MUSIC_FAMILY_POPULAR, SONG, 150, 180, 210, 4, 4, 4, MAJOR, 34, 30, 29, "1415", "1671",
        FALSE, FALSE, "x...x...x...x...", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_OPEN_HAT, "RRRRRRRR", "x-x-x-x-x-x-x-x-", 1, FALSE },
    /* Double-kick eighths, ride on the beat, palm-muted chugs; minor, with
     * the flat sixth and seventh. */
    [GS_MUSIC_STYLE_METAL] = {
        "metal", GS_MUSIC_FAMILY_POPULAR, SONG, 60, 140, 200, 4, 4, 4, MINOR, 34, 30, 30, "1454", "1617",
        FALSE, FALSE, "x.x.x.x.x.x.x.x.", "....x.......x...", "x...x...x...x...", GS_DRUM_SNARE, GS_DRUM_RIDE,
        "RRRRRRRR", "x.x.x.xxx.x.x.xx", 1, FALSE },
    /* The IV–V–iii–vi loop of East Asian pop over a four-on-the-floor. */
    [GS_MUSIC_STYLE_K_POP] = {
        "k-pop", GS_MUSIC_FAMILY_POPULAR, SONG, 100, 120, 135, 4, 7, 4, MAJOR, 38, 90, 81, "4536", "6751",
        TRUE, FALSE, "x...x...x...x...", "....x.......x...", "x.x.x.x.x.xxx.x.", GS_DRUM_CLAP,
        GS_DRUM_CLOSED_HAT, "R.RO.RFA", "..x-..x-..x-..xx", 2, FALSE },
    [GS_MUSIC_STYLE_RNB] = {
        "r&b", GS_MUSIC_FAMILY_POPULAR, SONG, 60, 76, 100, 4, 3, 5, MINOR, 33, 4, 65, "4321", "1476",
        TRUE, FALSE, "x......x..x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R--.R.FA", "x---..x-x---....", 1, FALSE },
    /* Organ on two and four, tambourine eighths, horns on top. */
    [GS_MUSIC_STYLE_SOUL] = {
        "soul", GS_MUSIC_FAMILY_POPULAR, SONG, 80, 100, 125, 4, 10, 7, MAJOR, 33, 16, 61, "1645", "1474",
        TRUE, FALSE, "x.....x...x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_TAMBOURINE, "R.FOR.TA", "....x-......x-..", 1, FALSE },
    /* A dominant-seventh vamp, ghosted snare, sixteenth hats, slap bass
     * and scratched muted guitar. */
    [GS_MUSIC_STYLE_FUNK] = {
        "funk", GS_MUSIC_FAMILY_POPULAR, SONG, 90, 104, 120, 4, 4, 4, MAJOR, 36, 28, 61, "1114", "1141",
        TRUE, TRUE, "x..x......x.....", "....x..o.o..x...", "xoooxoooxoooxooo", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R.OR.AFR", "..x.x..x..x.x..x", 1, FALSE },
    /* Four on the floor, open hats on the off-beats, octave bass. */
    [GS_MUSIC_STYLE_DISCO] = {
        "disco", GS_MUSIC_FAMILY_POPULAR, SONG, 110, 120, 132, 4, 9, 9, MINOR, 33, 27, 48, "1625", "1473",
        TRUE, FALSE, "x...x...x...x...", "....x.......x...", "..x...x...x...x.", GS_DRUM_SNARE,
        GS_DRUM_OPEN_HAT, "RORORORO", "..x-..x-..x-..x-", 1, FALSE },
    /* Shuffled claps on two and four, church organ and choir, a turnaround
     * round the circle of fifths. */
    [GS_MUSIC_STYLE_GOSPEL] = {
        "gospel", GS_MUSIC_FAMILY_POPULAR, SONG, 66, 88, 130, 4, 5, 0, MAJOR, 33, 19, 52, "14362551",
        "14751441", TRUE, FALSE, "x.....x.x.......", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_CLAP,
        GS_DRUM_CLOSED_HAT, "R-T-F-A-", "x-.x..x-x-.x..x-", 1, TRUE },
    /* Half time: the snare on beat three; hat eighths with a roll, long
     * 808-like bass. */
    [GS_MUSIC_STYLE_TRAP] = {
        "trap", GS_MUSIC_FAMILY_POPULAR, SONG, 130, 140, 160, 4, 0, 6, MINOR, 38, 89, 10, "1465", "1667",
        FALSE, FALSE, "x.........x.x...", "........x.......", "x.x.x.x.x.x.x.xx", GS_DRUM_CLAP,
        GS_DRUM_CLOSED_HAT, "R-----.O", "x---------------", 1, FALSE },
    [GS_MUSIC_STYLE_LO_FI] = {
        "lo-fi", GS_MUSIC_FAMILY_POPULAR, SONG, 65, 80, 95, 4, 5, 2, MAJOR, 32, 4, 26, "4361", "1476",
        TRUE, FALSE, "x.......x.x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SIDE_STICK,
        GS_DRUM_CLOSED_HAT, "R---F.A.", "x-----..x---....", 0, TRUE },
    [GS_MUSIC_STYLE_HOUSE] = {
        "house", GS_MUSIC_FAMILY_ELECTRONIC, DANCE, 118, 124, 130, 4, 5, 9, MAJOR, 38, 0, 17, "1465", "1467",
        TRUE, FALSE, "x...x...x...x...", "....x.......x...", "..x...x...x...x.", GS_DRUM_CLAP,
        GS_DRUM_OPEN_HAT, "R.OR.R.O", "x..x..x...x..x..", 1, FALSE },
    /* Two-step breakbeat: kick on one and the and of three. */
    [GS_MUSIC_STYLE_DRUM_AND_BASS] = {
        "drum and bass", GS_MUSIC_FAMILY_ELECTRONIC, DANCE, 160, 174, 180, 4, 5, 5, MINOR, 38, 89, 88, "1645",
        "1676", FALSE, FALSE, "x.........x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R-----RA", "x---------------", 1, FALSE },
    [GS_MUSIC_STYLE_DUBSTEP] = {
        "dubstep", GS_MUSIC_FAMILY_ELECTRONIC, DANCE, 135, 140, 150, 4, 2, 2, MINOR, 39, 90, 81, "1166", "1616",
        FALSE, FALSE, "x.........x.....", "........x.......", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "RR.RRORA", "x-------x-------", 1, FALSE },
    [GS_MUSIC_STYLE_SYNTHWAVE] = {
        "synthwave", GS_MUSIC_FAMILY_ELECTRONIC, SONG, 80, 100, 118, 4, 9, 9, MINOR, 38, 90, 81, "1564", "1637",
        FALSE, FALSE, "x.......x.......", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "RRRRRRRR", "x-------x-------", 1, FALSE },
    [GS_MUSIC_STYLE_TRANCE] = {
        "trance", GS_MUSIC_FAMILY_ELECTRONIC, DANCE, 130, 138, 145, 4, 7, 7, MINOR, 38, 50, 81, "6451", "1674",
        FALSE, FALSE, "x...x...x...x...", "....x.......x...", "..x...x...x...x.", GS_DRUM_CLAP,
        GS_DRUM_OPEN_HAT, ".RO.RO.R", "x.x.x.x.x.x.x.x.", 2, FALSE },
    /* Surdo answering on the second beat of two, tamborim and shaker. */
    [GS_MUSIC_STYLE_SAMBA] = {
        "samba", GS_MUSIC_FAMILY_LATIN, SONG, 92, 104, 120, 4, 7, 2, MAJOR, 32, 24, 65, "1625", "1425",
        TRUE, FALSE, "o...x...o...x...", "x.x.x.xxx.x.x.xx", "xoooxoooxoooxooo", GS_DRUM_HIGH_CONGA,
        GS_DRUM_MARACAS, "R..FR..F", "x.x..x.x.x..x.x.", 2, FALSE },
    /* Son clave 3–2, cowbell on the beat, an anticipating tumbao bass and a
     * piano montuno. */
    [GS_MUSIC_STYLE_SALSA] = {
        "salsa", GS_MUSIC_FAMILY_LATIN, SONG, 80, 96, 110, 4, 0, 2, MINOR, 32, 0, 56, "1451", "1451",
        FALSE, FALSE, "o.......o.......", "x..x..x...x.x...", "x...x...x...x...", GS_DRUM_CLAVES,
        GS_DRUM_COWBELL, "...F--R-", "x.x..x.x.x..x.x.", 2, FALSE },
    /* No kit: bandoneon marcato on every beat, bass on every beat. */
    [GS_MUSIC_STYLE_TANGO] = {
        "tango", GS_MUSIC_FAMILY_LATIN, SONG, 100, 118, 135, 4, 7, 2, MINOR, 32, 23, 40, "1451", "1415",
        FALSE, FALSE, "", "", "", GS_DRUM_SNARE, GS_DRUM_CLOSED_HAT, "R.F.R.F.", "x...x...x...x...", 1, FALSE },
    /* Off-beat congas, a scraped guacharaca on sixteenths, accordion lead. */
    [GS_MUSIC_STYLE_CUMBIA] = {
        "cumbia", GS_MUSIC_FAMILY_LATIN, SONG, 85, 95, 110, 4, 7, 9, MAJOR, 33, 24, 21, "1515", "1454",
        FALSE, FALSE, "x.......x.......", "..x...x...x...x.", "x.xxx.xxx.xxx.xx", GS_DRUM_HIGH_CONGA,
        GS_DRUM_CABASA, "R--.F-.A", "..x-..x-..x-..x-", 1, FALSE },
    /* Dembow: kick on every beat, snare on 3+3+2. */
    [GS_MUSIC_STYLE_REGGAETON] = {
        "reggaeton", GS_MUSIC_FAMILY_LATIN, SONG, 85, 94, 100, 4, 2, 9, MINOR, 38, 90, 80, "6451", "1467",
        FALSE, FALSE, "x...x...x...x...", "...o..x....o..x.", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R..R..R.", "x---------------", 1, FALSE },
    /* A one- or two-chord vamp, interlocking guitar, horn lines. */
    [GS_MUSIC_STYLE_AFROBEAT] = {
        "afrobeat", GS_MUSIC_FAMILY_AFRICAN_CARIBBEAN, SONG, 100, 112, 126, 4, 2, 9, MINOR, 33, 27, 61, "1515",
        "1414", TRUE, FALSE, "x.....x.x.......", "..o.x.o...o.x.o.", "x.xxx.xxx.xxx.xx", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R..OR.FA", "..x.x..x..x.x..x", 1, FALSE },
    /* Bright major guitars over a bell pattern. */
    [GS_MUSIC_STYLE_HIGHLIFE] = {
        "highlife", GS_MUSIC_FAMILY_AFRICAN_CARIBBEAN, SONG, 100, 120, 135, 4, 2, 11, MAJOR, 33, 27, 26, "1451",
        "1415", FALSE, FALSE, "x.......x.......", "....x.......x...", "x.x..x.x..x.x...", GS_DRUM_SIDE_STICK,
        GS_DRUM_COWBELL, "R.FRR.FA", "x.x.x.x.x.x.x.x.", 2, FALSE },
    [GS_MUSIC_STYLE_DANCEHALL] = {
        "dancehall", GS_MUSIC_FAMILY_AFRICAN_CARIBBEAN, SONG, 85, 96, 105, 4, 7, 4, MINOR, 38, 90, 81, "1515",
        "1414", FALSE, FALSE, "x..x....x..x....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R-.RR-.A", "x..x..x.x..x..x.", 1, FALSE },
    /* Guitar on every off-beat, walking bass, trumpet. */
    [GS_MUSIC_STYLE_SKA] = {
        "ska", GS_MUSIC_FAMILY_AFRICAN_CARIBBEAN, SONG, 120, 150, 190, 4, 0, 9, MAJOR, 33, 27, 56, "1625", "1474",
        FALSE, FALSE, "x.......x.......", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R.T.F.A.", "..x-..x-..x-..x-", 1, FALSE },
    /* Boom-chick: root and fifth against guitar on the off-beats. */
    [GS_MUSIC_STYLE_COUNTRY] = {
        "country", GS_MUSIC_FAMILY_FOLK_COUNTRY, SONG, 90, 112, 140, 4, 7, 4, MAJOR, 32, 25, 27, "1145", "1715",
        FALSE, FALSE, "x.......x.......", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "R-F-R-F-", "..x-..x-..x-..x-", 1, FALSE },
    /* No drums: a guitar's chop on every beat keeps time under a busy banjo. */
    [GS_MUSIC_STYLE_BLUEGRASS] = {
        "bluegrass", GS_MUSIC_FAMILY_FOLK_COUNTRY, SONG, 110, 140, 180, 4, 9, 4, MAJOR, 32, 25, 105, "1415",
        "1715", FALSE, FALSE, "", "", "", GS_DRUM_SNARE, GS_DRUM_CLOSED_HAT, "R-F-R-F-", "x...x...x...x...", 2,
        FALSE },
    /* A reel: bodhrán-like low tom, fiddle on top. */
    [GS_MUSIC_STYLE_CELTIC] = {
        "celtic", GS_MUSIC_FAMILY_FOLK_COUNTRY, SONG, 96, 112, 130, 4, 2, 9, MAJOR, 32, 24, 110, "1154", "1714",
        FALSE, FALSE, "x.......x.......", "..o...o...o...o.", "", GS_DRUM_LOW_TOM, GS_DRUM_CLOSED_HAT, "R---F---",
        "x--x--x-x--x--x-", 2, FALSE },
    /* Strings ostinato, horns, low drums instead of a kit's snare. */
    [GS_MUSIC_STYLE_CINEMATIC] = {
        "cinematic", GS_MUSIC_FAMILY_CLASSICAL_FILM, SONG, 60, 90, 130, 4, 2, 2, MINOR, 43, 48, 60, "1465",
        "1675", FALSE, FALSE, "x.......x.x.....", "....x.......x...", "", GS_DRUM_LOW_TOM, GS_DRUM_CLOSED_HAT,
        "R-------", "x-x-x-x-x-x-x-x-", 0, FALSE },
    /* Square-wave lead over arpeggiated stabs and a bouncing octave bass. */
    [GS_MUSIC_STYLE_CHIPTUNE] = {
        "chiptune", GS_MUSIC_FAMILY_GAME, SONG, 120, 150, 180, 4, 0, 9, MAJOR, 38, 81, 80, "1645", "1676",
        FALSE, FALSE, "x.......x.x.....", "....x.......x...", "x.x.x.x.x.x.x.x.", GS_DRUM_SNARE,
        GS_DRUM_CLOSED_HAT, "ROFOROFO", "x.x.x.x.x.x.x.x.", 2, FALSE },
};

static const char *const family_names[] = {
    "popular", "electronic", "Latin", "African and Caribbean", "jazz and blues", "folk and country",
    "classical and film", "game",
};

const GsMusicStyleInfo *
gs_music_style_info(GsMusicStyle style)
{
    return &styles[style];
}

const char *
gs_music_family_name(GsMusicFamily family)
{
    return family_names[family];
}
