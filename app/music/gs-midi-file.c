/* Standard MIDI File writer: big-endian chunks, variable-length delta times.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gs-midi-file.h"

#include <string.h>

typedef struct {
    guint32 tick;
    guint8 status, data1, data2;
} midi_event;

static void
put_u32(GByteArray *out, guint32 value)
{
    guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };
    g_byte_array_append(out, bytes, 4);
}

static void
put_u16(GByteArray *out, guint16 value)
{
    guint8 bytes[2] = { value >> 8, value };
    g_byte_array_append(out, bytes, 2);
}

/* Seven bits a byte, most significant first, the high bit marking "more". */
static void
put_delta(GByteArray *out, guint32 value)
{
    guint8 bytes[5];
    int n = 0;
    do {
        bytes[n++] = value & 0x7f;
        value >>= 7;
    } while (value);
    while (n--) {
        guint8 byte = bytes[n] | (n ? 0x80 : 0);
        g_byte_array_append(out, &byte, 1);
    }
}

static void
put_meta(GByteArray *out, guint32 delta, guint8 type, const void *data, guint8 length)
{
    guint8 head[3] = { 0xff, type, length };
    put_delta(out, delta);
    g_byte_array_append(out, head, 3);
    g_byte_array_append(out, data, length);
}

static void
put_chunk(GByteArray *file, const char *id, GByteArray *body)
{
    g_byte_array_append(file, (const guint8 *)id, 4);
    put_u32(file, body->len);
    g_byte_array_append(file, body->data, body->len);
}

static GByteArray *
tempo_track(const GsArrangement *arr)
{
    GByteArray *track = g_byte_array_new();
    guint32 micros_per_quarter = 60000000u / (guint32)arr->bpm;
    guint8 tempo[3] = { micros_per_quarter >> 16, micros_per_quarter >> 8, micros_per_quarter };
    guint8 meter[4] = { (guint8)arr->beats_per_bar, 2, 24, 8 }; /* n/4, a click per quarter */
    put_meta(track, 0, 0x51, tempo, 3);
    put_meta(track, 0, 0x58, meter, 4);
    put_meta(track, gs_arrangement_total_ticks(arr), 0x2f, NULL, 0);
    return track;
}

static int
compare_events(gconstpointer a, gconstpointer b)
{
    const midi_event *x = a, *y = b;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    /* Note-offs first, so a repeated note is not cut by its own release. */
    int x_on = (x->status & 0xf0) == 0x90, y_on = (y->status & 0xf0) == 0x90;
    if (x_on != y_on)
        return x_on - y_on;
    return (int)x->data1 - (int)y->data1;
}

static GByteArray *
part_track(const GsArrangement *arr, const GsMusicTrack *part)
{
    GByteArray *track = g_byte_array_new();
    const char *name = gs_music_part_name(part->part);
    put_meta(track, 0, 0x03, name, (guint8)strlen(name));
    guint8 program[3] = { 0xc0 | part->channel, part->program };
    put_delta(track, 0);
    g_byte_array_append(track, program, 2);

    g_autoptr(GArray) events = g_array_sized_new(FALSE, FALSE, sizeof(midi_event), part->notes->len * 2);
    for (guint i = 0; i < part->notes->len; i++) {
        const GsMusicNote *note = &g_array_index(part->notes, GsMusicNote, i);
        midi_event on = { note->tick, 0x90 | part->channel, note->key, note->velocity };
        midi_event off = { note->tick + note->duration, 0x80 | part->channel, note->key, 0 };
        g_array_append_val(events, on);
        g_array_append_val(events, off);
    }
    g_array_sort(events, compare_events);
    guint32 now = 0;
    for (guint i = 0; i < events->len; i++) {
        const midi_event *e = &g_array_index(events, midi_event, i);
        guint8 message[3] = { e->status, e->data1, e->data2 };
        put_delta(track, e->tick - now);
        g_byte_array_append(track, message, 3);
        now = e->tick;
    }
    guint32 end = MAX(now, gs_arrangement_total_ticks(arr));
    put_meta(track, end - now, 0x2f, NULL, 0);
    return track;
}

GBytes *
gs_midi_file_build(const GsArrangement *arrangement)
{
    GByteArray *file = g_byte_array_new();
    g_autoptr(GByteArray) header = g_byte_array_new();
    put_u16(header, 1); /* type 1: tracks play together */
    put_u16(header, 1 + GS_MUSIC_PART_COUNT);
    put_u16(header, GS_MUSIC_TICKS_PER_QUARTER);
    put_chunk(file, "MThd", header);
    g_autoptr(GByteArray) tempo = tempo_track(arrangement);
    put_chunk(file, "MTrk", tempo);
    for (int part = 0; part < GS_MUSIC_PART_COUNT; part++) {
        g_autoptr(GByteArray) track = part_track(arrangement, &arrangement->tracks[part]);
        put_chunk(file, "MTrk", track);
    }
    return g_byte_array_free_to_bytes(file);
}

gboolean
gs_midi_file_write(const GsArrangement *arrangement, const char *path, GError **error)
{
    g_autoptr(GBytes) bytes = gs_midi_file_build(arrangement);
    gsize size;
    const char *data = g_bytes_get_data(bytes, &size);
    return g_file_set_contents(path, data, (gssize)size, error);
}
