/* The music prompt's vocabulary. Longer phrases win over their first
 * words ("punk rock" over "punk"), so aliases that share words need no
 * ordering here.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-music-words.h"

typedef struct {
    int program;
    const char *name;
} program_name;

static const program_name program_names[] = {
    { 0, "acoustic grand piano" }, { 4, "electric piano" }, { 6, "harpsichord" }, { 7, "clavinet" },
    { 8, "celesta" }, { 9, "glockenspiel" }, { 10, "music box" }, { 11, "vibraphone" }, { 12, "marimba" },
    { 13, "xylophone" }, { 14, "tubular bells" }, { 16, "drawbar organ" }, { 17, "percussive organ" },
    { 19, "church organ" }, { 21, "accordion" }, { 22, "harmonica" }, { 23, "bandoneon" },
    { 24, "nylon guitar" }, { 25, "steel guitar" }, { 26, "jazz guitar" }, { 27, "clean electric guitar" },
    { 28, "muted electric guitar" }, { 29, "overdriven guitar" }, { 30, "distortion guitar" },
    { 32, "acoustic bass" }, { 33, "electric bass (finger)" }, { 34, "electric bass (pick)" },
    { 35, "fretless bass" }, { 36, "slap bass" }, { 38, "synth bass" }, { 39, "synth bass 2" },
    { 40, "violin" }, { 41, "viola" }, { 42, "cello" }, { 43, "contrabass" }, { 46, "harp" },
    { 48, "string ensemble" }, { 50, "synth strings" }, { 52, "choir" }, { 56, "trumpet" }, { 57, "trombone" },
    { 58, "tuba" }, { 60, "french horn" }, { 61, "brass section" }, { 64, "soprano sax" }, { 65, "alto sax" },
    { 66, "tenor sax" }, { 67, "baritone sax" }, { 68, "oboe" }, { 70, "bassoon" }, { 71, "clarinet" },
    { 72, "piccolo" }, { 73, "flute" }, { 74, "recorder" }, { 75, "pan flute" }, { 78, "whistle" },
    { 79, "ocarina" }, { 80, "square lead" }, { 81, "sawtooth lead" }, { 88, "new age pad" },
    { 89, "warm pad" }, { 90, "polysynth pad" }, { 104, "sitar" }, { 105, "banjo" }, { 107, "koto" },
    { 108, "kalimba" }, { 109, "bagpipe" }, { 110, "fiddle" }, { 114, "steel drums" },
};

#define STYLE(phrase, style) { phrase, WORD_STYLE, GS_MUSIC_STYLE_##style, 0, 0, FALSE, FALSE }
#define SUBGENRE(phrase, style, tempo, density, sevenths, swing) \
    { phrase, WORD_SUBGENRE, GS_MUSIC_STYLE_##style, tempo, density, sevenths, swing }
#define FEEL(phrase, style, tempo, density, sevenths, swing) \
    { phrase, WORD_FEEL, style, tempo, density, sevenths, swing }
#define WORD(phrase, kind, value) { phrase, kind, value, 0, 0, FALSE, FALSE }
#define MOOD(phrase, mood) WORD(phrase, WORD_MOOD, GS_MUSIC_MOOD_##mood)
#define INSTRUMENT(phrase, program) WORD(phrase, WORD_INSTRUMENT, program)
#define SECTION(phrase, kind) WORD(phrase, WORD_SECTION, GS_MUSIC_SECTION_##kind)
#define GLUE(phrase) WORD(phrase, WORD_GLUE, 0)

const phrase_entry gs_music_phrases[] = {
    /* Popular */
    STYLE("pop", POP), SUBGENRE("dream pop", POP, 85, -1, TRUE, FALSE),
    STYLE("rock", ROCK), SUBGENRE("hard rock", ROCK, 105, 1, FALSE, FALSE),
    SUBGENRE("soft rock", ROCK, 85, -1, FALSE, FALSE), STYLE("indie", ROCK), STYLE("indie rock", ROCK),
    STYLE("alternative", ROCK), SUBGENRE("grunge", ROCK, 85, 0, FALSE, FALSE),
    SUBGENRE("rock and roll", ROCK, 130, 1, FALSE, TRUE), SUBGENRE("rock n roll", ROCK, 130, 1, FALSE, TRUE),
    STYLE("punk", PUNK), STYLE("punk rock", PUNK), SUBGENRE("pop punk", PUNK, 92, 0, FALSE, FALSE),
    SUBGENRE("hardcore", PUNK, 110, 1, FALSE, FALSE), SUBGENRE("emo", PUNK, 88, 0, FALSE, FALSE),
    STYLE("metal", METAL), STYLE("heavy metal", METAL), SUBGENRE("thrash", METAL, 130, 1, FALSE, FALSE),
    SUBGENRE("thrash metal", METAL, 130, 1, FALSE, FALSE), SUBGENRE("death metal", METAL, 125, 1, FALSE, FALSE),
    SUBGENRE("doom", METAL, 50, -1, FALSE, FALSE), SUBGENRE("doom metal", METAL, 50, -1, FALSE, FALSE),
    STYLE("k-pop", K_POP), STYLE("kpop", K_POP), STYLE("j-pop", K_POP), STYLE("jpop", K_POP),
    STYLE("r&b", RNB), STYLE("rnb", RNB), STYLE("r and b", RNB), STYLE("rhythm and blues", RNB),
    SUBGENRE("neo soul", RNB, 95, 0, TRUE, TRUE), SUBGENRE("neo-soul", RNB, 95, 0, TRUE, TRUE),
    STYLE("soul", SOUL), STYLE("motown", SOUL), SUBGENRE("northern soul", SOUL, 120, 1, FALSE, FALSE),
    STYLE("funk", FUNK), FEEL("funky", GS_MUSIC_STYLE_FUNK, 0, 1, TRUE, FALSE),
    STYLE("disco", DISCO), SUBGENRE("nu disco", DISCO, 100, 0, FALSE, FALSE),
    SUBGENRE("nu-disco", DISCO, 100, 0, FALSE, FALSE), STYLE("gospel", GOSPEL),
    STYLE("hip hop", HIP_HOP), STYLE("hip-hop", HIP_HOP), STYLE("hiphop", HIP_HOP), STYLE("rap", HIP_HOP),
    STYLE("boom bap", HIP_HOP), SUBGENRE("trip hop", HIP_HOP, 85, -1, FALSE, FALSE),
    SUBGENRE("trip-hop", HIP_HOP, 85, -1, FALSE, FALSE), STYLE("trap", TRAP), STYLE("drill", TRAP),
    STYLE("lo-fi", LO_FI), STYLE("lofi", LO_FI), STYLE("lo fi", LO_FI), STYLE("chillhop", LO_FI),
    FEEL("ballad", GS_MUSIC_STYLE_POP, 70, -1, FALSE, FALSE),
    /* Electronic */
    STYLE("techno", TECHNO), STYLE("electronic", TECHNO), STYLE("edm", TECHNO), STYLE("electro", TECHNO),
    SUBGENRE("minimal techno", TECHNO, 100, -1, FALSE, FALSE), STYLE("house", HOUSE),
    SUBGENRE("deep house", HOUSE, 98, -1, TRUE, FALSE), STYLE("tech house", HOUSE),
    SUBGENRE("progressive house", HOUSE, 103, 1, FALSE, FALSE), STYLE("drum and bass", DRUM_AND_BASS),
    STYLE("drum n bass", DRUM_AND_BASS), STYLE("dnb", DRUM_AND_BASS), STYLE("d&b", DRUM_AND_BASS),
    SUBGENRE("jungle", DRUM_AND_BASS, 100, 1, FALSE, FALSE), SUBGENRE("liquid", DRUM_AND_BASS, 100, -1, TRUE, FALSE),
    STYLE("dubstep", DUBSTEP), SUBGENRE("brostep", DUBSTEP, 100, 1, FALSE, FALSE), STYLE("synthwave", SYNTHWAVE),
    STYLE("retrowave", SYNTHWAVE), STYLE("outrun", SYNTHWAVE), STYLE("synthpop", SYNTHWAVE),
    STYLE("synth pop", SYNTHWAVE), STYLE("synth-pop", SYNTHWAVE),
    SUBGENRE("vaporwave", SYNTHWAVE, 75, -1, TRUE, FALSE), STYLE("trance", TRANCE),
    SUBGENRE("psytrance", TRANCE, 105, 1, FALSE, FALSE), STYLE("ambient", AMBIENT),
    SUBGENRE("drone", AMBIENT, 85, -1, FALSE, FALSE), STYLE("new age", AMBIENT),
    /* Latin */
    STYLE("bossa nova", BOSSA_NOVA), STYLE("bossa", BOSSA_NOVA), STYLE("samba", SAMBA), STYLE("salsa", SALSA),
    STYLE("latin", SALSA), SUBGENRE("latin jazz", SALSA, 100, 0, TRUE, FALSE),
    SUBGENRE("mambo", SALSA, 110, 1, FALSE, FALSE), STYLE("tango", TANGO), STYLE("cumbia", CUMBIA),
    STYLE("reggaeton", REGGAETON), STYLE("dembow", REGGAETON),
    /* African and Caribbean */
    STYLE("afrobeat", AFROBEAT), SUBGENRE("afrobeats", AFROBEAT, 92, 0, FALSE, FALSE), STYLE("highlife", HIGHLIFE),
    STYLE("reggae", REGGAE), STYLE("one drop", REGGAE), SUBGENRE("dub", REGGAE, 92, -1, FALSE, FALSE),
    STYLE("dancehall", DANCEHALL), STYLE("ska", SKA), SUBGENRE("rocksteady", SKA, 75, -1, FALSE, FALSE),
    /* Jazz and blues */
    STYLE("jazz", JAZZ), STYLE("swing", JAZZ), STYLE("swing jazz", JAZZ), STYLE("big band", JAZZ),
    SUBGENRE("bebop", JAZZ, 140, 1, FALSE, FALSE), SUBGENRE("bop", JAZZ, 140, 1, FALSE, FALSE),
    SUBGENRE("cool jazz", JAZZ, 75, -1, FALSE, FALSE), SUBGENRE("smooth jazz", JAZZ, 65, -1, FALSE, FALSE),
    FEEL("jazzy", GS_MUSIC_STYLE_JAZZ, 0, 0, TRUE, TRUE), STYLE("blues", BLUES),
    FEEL("bluesy", GS_MUSIC_STYLE_BLUES, 0, 0, TRUE, TRUE),
    /* Folk and country */
    STYLE("folk", FOLK), STYLE("country", COUNTRY), STYLE("americana", COUNTRY), STYLE("bluegrass", BLUEGRASS),
    STYLE("celtic", CELTIC), STYLE("irish", CELTIC), STYLE("scottish", CELTIC), STYLE("reel", CELTIC),
    /* Classical and film */
    STYLE("classical", CLASSICAL), STYLE("orchestral", CLASSICAL), STYLE("symphonic", CLASSICAL),
    SUBGENRE("baroque", CLASSICAL, 105, 1, FALSE, FALSE), STYLE("waltz", WALTZ), STYLE("cinematic", CINEMATIC),
    STYLE("film", CINEMATIC), STYLE("film score", CINEMATIC), STYLE("movie", CINEMATIC),
    STYLE("soundtrack", CINEMATIC), SUBGENRE("trailer", CINEMATIC, 110, 1, FALSE, FALSE),
    /* Game */
    STYLE("chiptune", CHIPTUNE), STYLE("8 bit", CHIPTUNE), STYLE("video game", CHIPTUNE),
    STYLE("videogame", CHIPTUNE), STYLE("game", CHIPTUNE), STYLE("retro game", CHIPTUNE),
    STYLE("arcade", CHIPTUNE),

    FEEL("groovy", NO_STYLE, 0, 1, FALSE, FALSE), FEEL("busy", NO_STYLE, 0, 1, FALSE, FALSE),
    FEEL("dense", NO_STYLE, 0, 1, FALSE, FALSE), FEEL("lush", NO_STYLE, 0, 1, TRUE, FALSE),
    FEEL("sparse", NO_STYLE, 0, -1, FALSE, FALSE), FEEL("minimal", NO_STYLE, 0, -1, FALSE, FALSE),
    FEEL("minimalist", NO_STYLE, 0, -1, FALSE, FALSE), FEEL("simple", NO_STYLE, 0, -1, FALSE, FALSE),
    FEEL("swung", NO_STYLE, 0, 0, FALSE, TRUE), FEEL("swinging", NO_STYLE, 0, 0, FALSE, TRUE),
    FEEL("shuffle", NO_STYLE, 0, 0, FALSE, TRUE),

    MOOD("happy", HAPPY), MOOD("joyful", HAPPY), MOOD("cheerful", HAPPY), MOOD("bright", HAPPY),
    MOOD("uplifting", HAPPY), MOOD("upbeat", HAPPY), MOOD("playful", HAPPY), MOOD("sunny", HAPPY),
    MOOD("hopeful", HAPPY), MOOD("fun", HAPPY), MOOD("triumphant", HAPPY), MOOD("sad", SAD),
    MOOD("melancholic", SAD), MOOD("melancholy", SAD), MOOD("gloomy", SAD), MOOD("somber", SAD),
    MOOD("sombre", SAD), MOOD("dark", SAD), MOOD("nostalgic", SAD), MOOD("emotional", SAD), MOOD("lonely", SAD),
    MOOD("wistful", SAD), MOOD("tense", TENSE), MOOD("dramatic", TENSE), MOOD("suspenseful", TENSE),
    MOOD("ominous", TENSE), MOOD("anxious", TENSE), MOOD("mysterious", TENSE), MOOD("spooky", TENSE),
    MOOD("scary", TENSE), MOOD("eerie", TENSE), MOOD("haunting", TENSE), MOOD("calm", CALM),
    MOOD("relaxed", CALM), MOOD("relaxing", CALM), MOOD("peaceful", CALM), MOOD("chill", CALM),
    MOOD("mellow", CALM), MOOD("gentle", CALM), MOOD("dreamy", CALM), MOOD("soft", CALM), MOOD("smooth", CALM),
    MOOD("romantic", CALM), MOOD("soothing", CALM), MOOD("laid-back", CALM), MOOD("laid back", CALM),
    MOOD("energetic", ENERGETIC), MOOD("driving", ENERGETIC), MOOD("powerful", ENERGETIC),
    MOOD("aggressive", ENERGETIC), MOOD("epic", ENERGETIC), MOOD("intense", ENERGETIC), MOOD("heavy", ENERGETIC),
    MOOD("angry", ENERGETIC), MOOD("fierce", ENERGETIC), MOOD("exciting", ENERGETIC), MOOD("heroic", ENERGETIC),

    WORD("slow", WORD_TEMPO, 75), WORD("very slow", WORD_TEMPO, 60), WORD("fast", WORD_TEMPO, 130),
    WORD("very fast", WORD_TEMPO, 150), WORD("quick", WORD_TEMPO, 130), WORD("uptempo", WORD_TEMPO, 120),
    WORD("up-tempo", WORD_TEMPO, 120), WORD("moderate", WORD_TEMPO, 100), WORD("medium", WORD_TEMPO, 100),
    WORD("major", WORD_MODE, GS_MUSIC_MODE_MAJOR), WORD("minor", WORD_MODE, GS_MUSIC_MODE_MINOR),

    INSTRUMENT("piano", 0), INSTRUMENT("grand piano", 0), INSTRUMENT("electric piano", 4), INSTRUMENT("rhodes", 4),
    INSTRUMENT("keys", 4), INSTRUMENT("harpsichord", 6), INSTRUMENT("clavinet", 7), INSTRUMENT("clav", 7),
    INSTRUMENT("celesta", 8), INSTRUMENT("glockenspiel", 9), INSTRUMENT("music box", 10),
    INSTRUMENT("vibraphone", 11), INSTRUMENT("vibes", 11), INSTRUMENT("marimba", 12), INSTRUMENT("xylophone", 13),
    INSTRUMENT("bells", 14), INSTRUMENT("organ", 16), INSTRUMENT("hammond", 16), INSTRUMENT("hammond organ", 16),
    INSTRUMENT("church organ", 19), INSTRUMENT("accordion", 21), INSTRUMENT("harmonica", 22),
    INSTRUMENT("bandoneon", 23), INSTRUMENT("guitar", 25), INSTRUMENT("acoustic guitar", 25),
    INSTRUMENT("nylon guitar", 24), INSTRUMENT("classical guitar", 24), INSTRUMENT("jazz guitar", 26),
    INSTRUMENT("electric guitar", 27), INSTRUMENT("muted guitar", 28), INSTRUMENT("funk guitar", 28),
    INSTRUMENT("overdriven guitar", 29), INSTRUMENT("distorted guitar", 30), INSTRUMENT("violin", 40),
    INSTRUMENT("fiddle", 40), INSTRUMENT("viola", 41), INSTRUMENT("cello", 42), INSTRUMENT("harp", 46),
    INSTRUMENT("strings", 48), INSTRUMENT("string", 48), INSTRUMENT("orchestra", 48),
    INSTRUMENT("synth strings", 50), INSTRUMENT("choir", 52), INSTRUMENT("trumpet", 56),
    INSTRUMENT("trombone", 57), INSTRUMENT("tuba", 58), INSTRUMENT("horn", 60), INSTRUMENT("french horn", 60),
    INSTRUMENT("brass", 61), INSTRUMENT("sax", 65), INSTRUMENT("saxophone", 65), INSTRUMENT("soprano sax", 64),
    INSTRUMENT("alto sax", 65), INSTRUMENT("tenor sax", 66), INSTRUMENT("baritone sax", 67),
    INSTRUMENT("oboe", 68), INSTRUMENT("bassoon", 70), INSTRUMENT("clarinet", 71), INSTRUMENT("piccolo", 72),
    INSTRUMENT("flute", 73), INSTRUMENT("recorder", 74), INSTRUMENT("pan flute", 75), INSTRUMENT("whistle", 78),
    INSTRUMENT("tin whistle", 78), INSTRUMENT("ocarina", 79), INSTRUMENT("synth", 80),
    INSTRUMENT("synth lead", 81), INSTRUMENT("pad", 89), INSTRUMENT("synth pad", 89), INSTRUMENT("sitar", 104),
    INSTRUMENT("banjo", 105), INSTRUMENT("koto", 107), INSTRUMENT("kalimba", 108), INSTRUMENT("bagpipe", 109),
    INSTRUMENT("steel drums", 114), INSTRUMENT("steel pan", 114),
    WORD("bass", WORD_BASS, 33), WORD("bass guitar", WORD_BASS, 33), WORD("electric bass", WORD_BASS, 33),
    WORD("double bass", WORD_BASS, 32), WORD("upright bass", WORD_BASS, 32), WORD("acoustic bass", WORD_BASS, 32),
    WORD("contrabass", WORD_BASS, 43), WORD("fretless bass", WORD_BASS, 35), WORD("slap bass", WORD_BASS, 36),
    WORD("slapped bass", WORD_BASS, 36), WORD("synth bass", WORD_BASS, 38), WORD("sub bass", WORD_BASS, 38),
    WORD("808", WORD_BASS, 38), WORD("wobble bass", WORD_BASS, 39),
    WORD("drums", WORD_DRUMS, 0), WORD("drum", WORD_DRUMS, 0), WORD("percussion", WORD_DRUMS, 0),
    WORD("beat", WORD_DRUMS, 0), WORD("beats", WORD_DRUMS, 0),

    SECTION("intro", INTRO), SECTION("introduction", INTRO), SECTION("verse", VERSE), SECTION("chorus", CHORUS),
    SECTION("hook", CHORUS), SECTION("refrain", CHORUS), SECTION("bridge", BRIDGE), SECTION("build", BUILD),
    SECTION("build up", BUILD), SECTION("build-up", BUILD), SECTION("buildup", BUILD), SECTION("drop", DROP),
    SECTION("breakdown", BREAKDOWN), SECTION("outro", OUTRO), SECTION("ending", OUTRO), SECTION("coda", OUTRO),

    GLUE("a"), GLUE("an"), GLUE("the"), GLUE("and"), GLUE("with"), GLUE("in"), GLUE("of"), GLUE("on"), GLUE("at"),
    GLUE("for"), GLUE("about"), GLUE("around"), GLUE("song"), GLUE("music"), GLUE("track"), GLUE("tune"),
    GLUE("piece"), GLUE("style"), GLUE("feel"), GLUE("vibe"), GLUE("key"), GLUE("tempo"), GLUE("long"),
    GLUE("lasting"), GLUE("instrumental"), GLUE("featuring"), GLUE("plus"), GLUE("some"), GLUE("very"), GLUE("&"),
    GLUE("then"), GLUE("followed"), GLUE("by"), GLUE("into"), GLUE("structure"), GLUE("form"), GLUE("genre"),
    GLUE("section"),
};

const gsize gs_music_n_phrases = G_N_ELEMENTS(gs_music_phrases);

const char *
gs_music_program_name(int program)
{
    for (gsize i = 0; i < G_N_ELEMENTS(program_names); i++)
        if (program_names[i].program == program)
            return program_names[i].name;
    return "General MIDI instrument";
}
