/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "gs-graph.h"
#include "vk/gs-vk-private.h"

/* ---- plans ---------------------------------------------------------------
 * A pass's trace is the sequence of its events, as words: a new temporary
 * (EV_NEW, then its rounded size as two words) and a dispatch touching
 * temporaries (EV_OP | count, then temporary << 2 | access per binding).
 * Dispatches that touch no temporary are not events. A plan is valid for a
 * pass exactly when the pass records the same words (and no upload into a
 * temporary the plan did not see uploaded): offsets depend on nothing else. */

#define EV_NEW 0x80000000u
#define EV_OP 0x40000000u
#define ALIGN 256u            /* the allocator's */
#define KEPT UINT64_MAX       /* offset of a kept temporary: memory of its own */
#define MAX_PLANS 4           /* per stream: text encoder, UNet, VAE, one spare */
#define MAX_PLANNED_PASSES 2  /* a third pass runs unplanned */

typedef struct {
    uint32_t *trace;
    size_t trace_len;
    int temp_count;
    uint64_t *offsets;
    bool *host_written;
    uint64_t arena_bytes, temporary_bytes;
    uint64_t live_bound; /* the most bytes alive at once: no arena is smaller */
    uint64_t used;       /* LRU stamp */
} plan;

typedef struct {
    plan *plans[MAX_PLANS];
    uint64_t clock;
} plan_cache;

typedef struct {
    gs_storage *storage; /* a reference, for its flags */
    uint64_t bytes;
    int first, last; /* events */
    bool kept;
} temp_record;

struct gs_graph_planner {
    plan_cache *cache;
    uint64_t pass_id; /* tags this pass's storages */
    bool started, dry, closed;
    plan *follow; /* the plan this pass places by, until it diverges */
    size_t cursor;
    uint32_t *trace;
    size_t trace_len, trace_capacity;
    temp_record *temps;
    int temp_count, temp_capacity;
    int events;
    gs_tensor *arena;
    gs_tensor **kept; /* this pass's: freed if the pass is dropped */
    int kept_count, kept_capacity;
};

static void
plan_free(plan *pl)
{
    if (!pl)
        return;
    free(pl->trace);
    free(pl->offsets);
    free(pl->host_written);
    free(pl);
}

static void
plan_cache_free(void *data)
{
    plan_cache *c = data;
    for (int i = 0; i < MAX_PLANS; i++)
        plan_free(c->plans[i]);
    free(c);
}

static bool
grow(void **items, int *capacity, int count, size_t item_size)
{
    if (count < *capacity)
        return true;
    int cap = *capacity ? *capacity * 2 : 64;
    void *grown = realloc(*items, (size_t)cap * item_size);
    if (!grown)
        return false;
    *items = grown;
    *capacity = cap;
    return true;
}

static bool
intervals_overlap(const int *first, const int *last, int a, int b)
{
    return first[a] <= last[b] && first[b] <= last[a];
}

typedef struct {
    uint64_t bytes;
    int index;
} sized;

static int
by_size_then_birth(const void *pa, const void *pb)
{
    const sized *a = pa, *b = pb;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return a->index - b->index;
}

/* Places every temporary but the kept ones: largest first, each at the
 * lowest offset free of the temporaries already placed whose lifetimes
 * overlap its own. An uploaded temporary lives from the start of the step,
 * since the host writes it before any dispatch runs. */
static plan *
build_plan(const gs_graph_planner *p)
{
    int n = p->temp_count;
    plan *pl = calloc(1, sizeof *pl);
    sized *order = malloc(((size_t)n + 1) * sizeof *order);
    int *placed = malloc(((size_t)n + 1) * sizeof *placed);
    int *first = malloc(((size_t)n + 1) * sizeof *first), *last = malloc(((size_t)n + 1) * sizeof *last);
    if (pl) {
        pl->trace = malloc((p->trace_len + 1) * sizeof *pl->trace);
        pl->offsets = malloc(((size_t)n + 1) * sizeof *pl->offsets);
        pl->host_written = malloc(((size_t)n + 1) * sizeof *pl->host_written);
    }
    if (!pl || !order || !placed || !first || !last || !pl->trace || !pl->offsets || !pl->host_written) {
        plan_free(pl);
        pl = NULL;
        goto out;
    }
    memcpy(pl->trace, p->trace, p->trace_len * sizeof *pl->trace);
    pl->trace_len = p->trace_len;
    pl->temp_count = n;
    int count = 0;
    for (int i = 0; i < n; i++) {
        const temp_record *t = &p->temps[i];
        pl->host_written[i] = t->storage->host_written;
        pl->temporary_bytes += t->bytes;
        first[i] = pl->host_written[i] ? 0 : t->first;
        last[i] = t->last;
        pl->offsets[i] = KEPT;
        if (!t->kept)
            order[count++] = (sized){ t->bytes, i };
    }
    int64_t *delta = calloc((size_t)p->events + 2, sizeof *delta);
    if (delta) {
        for (int k = 0; k < count; k++) {
            delta[first[order[k].index]] += (int64_t)order[k].bytes;
            delta[last[order[k].index] + 1] -= (int64_t)order[k].bytes;
        }
        int64_t live = 0;
        for (int e = 0; e <= p->events; e++) {
            live += delta[e];
            if ((uint64_t)live > pl->live_bound)
                pl->live_bound = (uint64_t)live;
        }
        free(delta);
    }
    qsort(order, (size_t)count, sizeof *order, by_size_then_birth);
    int placed_count = 0; /* by offset */
    for (int k = 0; k < count; k++) {
        int i = order[k].index;
        uint64_t bytes = order[k].bytes, offset = 0;
        for (int j = 0; j < placed_count; j++) {
            int other = placed[j];
            if (!intervals_overlap(first, last, i, other))
                continue;
            if (offset + bytes <= pl->offsets[other])
                break;
            uint64_t end = pl->offsets[other] + p->temps[other].bytes;
            if (end > offset)
                offset = end;
        }
        pl->offsets[i] = offset;
        if (offset + bytes > pl->arena_bytes)
            pl->arena_bytes = offset + bytes;
        int at = placed_count++;
        while (at > 0 && pl->offsets[placed[at - 1]] > offset) {
            placed[at] = placed[at - 1];
            at--;
        }
        placed[at] = i;
    }
out:
    free(order);
    free(placed);
    free(first);
    free(last);
    return pl;
}

static void
cache_insert(plan_cache *c, plan *pl)
{
    int slot = 0;
    for (int i = 0; i < MAX_PLANS; i++) {
        if (!c->plans[i]) {
            slot = i;
            break;
        }
        if (c->plans[i]->used < c->plans[slot]->used)
            slot = i;
    }
    plan_free(c->plans[slot]);
    pl->used = ++c->clock;
    c->plans[slot] = pl;
}

/* The most recently used plan that starts with the pass's first event. */
static plan *
cache_choose(plan_cache *c, const uint32_t *words, size_t n)
{
    plan *best = NULL;
    for (int i = 0; i < MAX_PLANS; i++) {
        plan *pl = c->plans[i];
        if (pl && pl->trace_len >= n && memcmp(pl->trace, words, n * sizeof *words) == 0 &&
            (!best || pl->used > best->used))
            best = pl;
    }
    return best;
}

/* ---- passes -------------------------------------------------------------- */

/* Appends an event to the pass's trace and checks it against the plan being
 * followed; true while the pass still places by that plan (memory and
 * dispatches real), false once it runs dry (virtual, skipped). */
static bool
record_event(gs_graph *g, const uint32_t *words, size_t n)
{
    gs_graph_planner *p = g->planner;
    while (p->trace_len + n > p->trace_capacity) {
        size_t cap = p->trace_capacity ? p->trace_capacity * 2 : 1024;
        uint32_t *grown = realloc(p->trace, cap * sizeof *grown);
        if (!grown) {
            gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory"));
            p->dry = true;
            return false;
        }
        p->trace = grown;
        p->trace_capacity = cap;
    }
    memcpy(p->trace + p->trace_len, words, n * sizeof *words);
    p->trace_len += n;
    p->events++;
    if (!p->started) {
        p->started = true;
        p->follow = g->dry_run ? NULL : cache_choose(p->cache, words, n);
        p->dry = !p->follow;
        p->cursor = 0;
        if (p->follow && p->follow->arena_bytes > 0) {
            int64_t floats = (int64_t)(p->follow->arena_bytes / 4);
            p->arena = gs_tensor_new(g->ctx, GS_F32, 1, &floats);
            if (!p->arena) {
                gs_graph_fail(g, gs_last_status(g->ctx));
                p->dry = true;
            }
        }
    } else if (!p->dry && (p->cursor + n > p->follow->trace_len ||
                           memcmp(p->follow->trace + p->cursor, words, n * sizeof *words) != 0)) {
        p->dry = true;
    }
    if (!p->dry)
        p->cursor += n;
    return !p->dry;
}

static bool
observe_dispatch(void *user, const gs_binding *bindings, int count)
{
    gs_graph *g = user;
    gs_graph_planner *p = g->planner;
    uint32_t words[33];
    size_t n = 1;
    for (int i = 0; i < count && n < 33; i++) {
        const gs_storage *s = bindings[i].tensor->storage;
        if (s->graph_pass == p->pass_id)
            words[n++] = (uint32_t)s->graph_temp << 2 | (uint32_t)bindings[i].access;
    }
    if (n == 1)
        return p->closed || !p->dry; /* dry passes record nothing at all */
    if (p->closed) {
        /* Its memory may already hold another temporary. */
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_INVALID_ARGUMENT,
                                 "a dispatch on a planned graph's temporary was recorded after its last pass"));
        return false;
    }
    words[0] = EV_OP | (uint32_t)(n - 1);
    bool real = record_event(g, words, n);
    for (size_t i = 1; i < n; i++)
        p->temps[words[i] >> 2].last = p->events - 1;
    return real;
}

static void
begin_pass(gs_graph *g)
{
    gs_graph_planner *p = g->planner;
    p->pass_id = ++g->ctx->graph_passes;
    p->started = p->dry = p->closed = false;
    p->follow = NULL;
    p->cursor = p->trace_len = 0;
    p->events = 0;
    g->flops = 0;
    g->temporary_bytes = g->arena_bytes = g->live_bound = 0;
    gs_stream_set_observer(g->stream, observe_dispatch, g);
}

/* Forgets this pass's temporaries (the storage references, not the tensors). */
static void
release_records(gs_graph_planner *p)
{
    for (int i = 0; i < p->temp_count; i++)
        gs_storage_unref(p->temps[i].storage);
    p->temp_count = 0;
}

static void
planner_free(gs_graph *g)
{
    gs_graph_planner *p = g->planner;
    if (!p)
        return;
    gs_stream_set_observer(g->stream, NULL, NULL);
    release_records(p);
    gs_tensor_free(p->arena);
    free(p->trace);
    free(p->temps);
    free(p->kept);
    free(p);
    g->planner = NULL;
}

static bool
pass_followed_plan(const gs_graph_planner *p)
{
    if (!p->started)
        return true; /* no temporaries, no dispatches on them: nothing to plan */
    if (p->dry || p->cursor != p->follow->trace_len)
        return false;
    for (int i = 0; i < p->temp_count; i++)
        if (p->temps[i].storage->host_written && !p->follow->host_written[i])
            return false;
    return true;
}

/* Drops an unrun pass: its recording, temporaries, kept outputs and arena. */
static void
drop_pass(gs_graph *g)
{
    gs_graph_planner *p = g->planner;
    gs_stream_discard(g->stream);
    for (int i = 0; i < g->temp_count; i++)
        gs_tensor_free(g->temps[i]);
    g->temp_count = 0;
    for (int i = 0; i < p->kept_count; i++)
        gs_tensor_free(p->kept[i]);
    p->kept_count = 0;
    release_records(p);
    gs_tensor_free(p->arena);
    p->arena = NULL;
}

bool
gs_graph_pass(gs_graph *g)
{
    if (g->pass == 0) {
        g->pass = 1;
        /* Dropping a pass drops the stream's recording: only from a clean start. */
        if (g->status == GS_OK && g->ctx->graph_planning && !gs_stream_recording(g->stream)) {
            plan_cache *cache = gs_stream_graph_data(g->stream);
            if (!cache && (cache = calloc(1, sizeof *cache)))
                gs_stream_set_graph_data(g->stream, cache, plan_cache_free);
            g->planner = cache ? calloc(1, sizeof *g->planner) : NULL;
            if (g->planner) {
                g->planner->cache = cache;
                begin_pass(g);
            }
        }
        return g->status == GS_OK;
    }
    gs_graph_planner *p = g->planner;
    if (!p || p->closed || g->status != GS_OK) {
        if (p)
            p->closed = true;
        return false;
    }
    if (pass_followed_plan(p)) {
        p->closed = true;
        if (p->follow) {
            p->follow->used = ++p->cache->clock;
            g->arena_bytes = p->follow->arena_bytes;
            g->live_bound = p->follow->live_bound;
            if (g->arena_bytes > g->ctx->arena_peak) {
                g->ctx->arena_peak = g->arena_bytes;
                g->ctx->arena_peak_temporaries = g->temporary_bytes;
            }
        }
        /* Kept outputs outlive the graph: no tag of a finished pass on them. */
        for (int i = 0; i < p->temp_count; i++)
            if (p->temps[i].kept)
                p->temps[i].storage->graph_pass = 0;
        return false;
    }
    plan *pl = build_plan(p);
    if (!pl) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory"));
        p->closed = true;
        return false;
    }
    g->live_bound = pl->live_bound;
    if (g->dry_run) {
        g->arena_bytes = pl->arena_bytes;
        plan_free(pl);
        drop_pass(g);
        p->closed = true;
        return false;
    }
    cache_insert(p->cache, pl);
    drop_pass(g);
    g->pass++;
    if (g->pass > MAX_PLANNED_PASSES) {
        /* The body recorded something else on the same plan: not
         * deterministic. Correct beats small: no plan this time. */
        planner_free(g);
        g->flops = 0;
        g->temporary_bytes = g->arena_bytes = 0;
    } else {
        begin_pass(g);
    }
    return true;
}

void
gs_graph_init(gs_graph *g, gs_context *ctx, gs_stream *stream)
{
    memset(g, 0, sizeof *g);
    g->ctx = ctx;
    g->stream = stream;
}

void
gs_graph_clear(gs_graph *g)
{
    for (int i = 0; i < g->temp_count; i++)
        gs_tensor_free(g->temps[i]);
    free(g->temps);
    g->temps = NULL;
    g->temp_count = g->temp_capacity = 0;
    planner_free(g);
}

gs_status
gs_graph_finish(gs_graph *g)
{
    /* Submit even after a failure: it ends the recording; the stream then
     * reports the first error itself or we report ours. */
    if (g->planner)
        g->planner->closed = true;
    gs_status submitted = gs_stream_submit(g->stream);
    gs_graph_clear(g);
    return g->status != GS_OK ? g->status : submitted;
}

void
gs_graph_fail(gs_graph *g, gs_status status)
{
    if (g->status == GS_OK)
        g->status = status;
}

static gs_tensor *
track(gs_graph *g, gs_tensor *t)
{
    if (!t) {
        gs_graph_fail(g, gs_last_status(g->ctx));
        return NULL;
    }
    if (!grow((void **)&g->temps, &g->temp_capacity, g->temp_count, sizeof *g->temps)) {
        gs_tensor_free(t);
        gs_graph_fail(g, GS_ERR_OUT_OF_MEMORY);
        return NULL;
    }
    g->temps[g->temp_count++] = t;
    return t;
}

/* A temporary of a planned pass: placed by the plan, or virtual once the
 * pass runs dry. */
static gs_tensor *
planned_tensor(gs_graph *g, int ndim, const int64_t *shape, uint64_t bytes)
{
    gs_graph_planner *p = g->planner;
    if (!grow((void **)&p->temps, &p->temp_capacity, p->temp_count, sizeof *p->temps)) {
        gs_graph_fail(g, gs_fail(g->ctx, GS_ERR_OUT_OF_MEMORY, "out of host memory"));
        return NULL;
    }
    uint32_t words[3] = { EV_NEW, (uint32_t)bytes, (uint32_t)(bytes >> 32) };
    int id = p->temp_count;
    gs_tensor *t;
    if (record_event(g, words, 3)) {
        uint64_t offset = p->follow->offsets[id];
        t = offset == KEPT ? gs_tensor_new(g->ctx, GS_F32, ndim, shape)
                           : gs_tensor_new_alias(p->arena, offset, GS_F32, ndim, shape);
    } else {
        t = g->status == GS_OK ? gs_tensor_new_virtual(g->ctx, GS_F32, ndim, shape) : NULL;
    }
    if (!t)
        return NULL;
    t->storage->graph_pass = p->pass_id;
    t->storage->graph_temp = id;
    p->temps[p->temp_count++] = (temp_record){
        .storage = gs_storage_ref(t->storage), .bytes = bytes, .first = p->events - 1, .last = p->events - 1
    };
    return t;
}

gs_tensor *
gs_graph_tensor(gs_graph *g, int ndim, const int64_t *shape)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++)
        numel *= shape[i];
    uint64_t bytes = ((uint64_t)numel * 4 + ALIGN - 1) / ALIGN * ALIGN;
    g->temporary_bytes += bytes;
    bool planned = g->planner && !g->planner->closed;
    return track(g, planned ? planned_tensor(g, ndim, shape, bytes) : gs_tensor_new(g->ctx, GS_F32, ndim, shape));
}

gs_tensor *
gs_graph_reshape(gs_graph *g, gs_tensor *x, int ndim, const int64_t *shape)
{
    if (g->status != GS_OK)
        return NULL;
    return track(g, gs_tensor_view(x, 0, ndim, shape));
}

gs_tensor *
gs_graph_view(gs_graph *g, const gs_tensor *x, int64_t offset, int ndim, const int64_t *shape)
{
    if (g->status != GS_OK)
        return NULL;
    /* Views never write through their source's handle; the cast only
     * satisfies gs_tensor_view's signature. */
    return track(g, gs_tensor_view((gs_tensor *)x, offset, ndim, shape));
}

gs_tensor *
gs_graph_keep(gs_graph *g, gs_tensor *t)
{
    bool owned = false;
    for (int i = 0; i < g->temp_count; i++) {
        if (g->temps[i] == t) {
            g->temps[i] = g->temps[--g->temp_count];
            owned = true;
            break;
        }
    }
    gs_graph_planner *p = g->planner;
    if (!p || p->closed || !t || t->storage->graph_pass != p->pass_id)
        return t;
    int id = t->storage->graph_temp;
    p->temps[id].kept = true;
    if (!p->dry && p->follow->offsets[id] != KEPT)
        p->dry = true; /* it sits in the arena: plan again */
    if (owned && grow((void **)&p->kept, &p->kept_capacity, p->kept_count, sizeof *p->kept))
        p->kept[p->kept_count++] = t;
    return t;
}

static void
shape_of(const gs_tensor *x, int *ndim, int64_t *shape)
{
    *ndim = gs_tensor_ndim(x);
    for (int i = 0; i < *ndim; i++)
        shape[i] = gs_tensor_dim(x, i);
}

static gs_tensor *
like(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    return gs_graph_tensor(g, ndim, shape);
}

/* Records an op's status; returns `out` on success. */
static gs_tensor *
checked(gs_graph *g, gs_status status, gs_tensor *out)
{
    gs_graph_fail(g, status);
    return g->status == GS_OK ? out : NULL;
}

gs_tensor *
gs_graph_linear(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    shape[ndim - 1] = gs_tensor_dim(w, 1);
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    g->flops += 2.0 * (double)gs_tensor_numel(x) * (double)gs_tensor_dim(w, 1);
    return out ? checked(g, gs_op_matmul(g->stream, out, x, w, b, false), out) : NULL;
}

/* Taps-major [O,k,k,C] (gs_weights_conv on CPU drivers) rather than [O,C,k,k]. */
static bool
taps_major(const gs_tensor *x, const gs_tensor *w)
{
    int64_t c = gs_tensor_dim(x, 1);
    return gs_tensor_dim(w, 3) == c && gs_tensor_dim(w, 1) == gs_tensor_dim(w, 2) && gs_tensor_dim(w, 1) != c;
}

/* The conv's output, counting its FLOPs. */
static gs_tensor *
conv2d_out(gs_graph *g, const gs_tensor *x, const gs_tensor *w, int stride, int padding)
{
    int64_t c = gs_tensor_dim(x, 1), k = taps_major(x, w) ? gs_tensor_dim(w, 1) : gs_tensor_dim(w, 2);
    int64_t shape[4] = {
        gs_tensor_dim(x, 0), gs_tensor_dim(w, 0),
        (gs_tensor_dim(x, 2) + 2 * padding - k) / stride + 1,
        (gs_tensor_dim(x, 3) + 2 * padding - k) / stride + 1,
    };
    g->flops += 2.0 * (double)(shape[0] * shape[1] * shape[2] * shape[3]) * (double)(c * k * k);
    return gs_graph_tensor(g, 4, shape);
}

/* x's padded channels-last copy [N, H+2·padding, W+2·padding, C], unfilled. */
static gs_tensor *
padded_nhwc(gs_graph *g, const gs_tensor *x, int padding)
{
    int64_t shape[4] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 2) + 2 * padding, gs_tensor_dim(x, 3) + 2 * padding,
                         gs_tensor_dim(x, 1) };
    return gs_graph_tensor(g, 4, shape);
}

gs_tensor *
gs_graph_conv2d(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b, int stride, int padding)
{
    if (g->status != GS_OK)
        return NULL;
    gs_tensor *out = conv2d_out(g, x, w, stride, padding);
    if (out && taps_major(x, w)) {
        gs_tensor *xp = padded_nhwc(g, x, padding);
        if (!xp || !checked(g, gs_op_padded_nhwc(g->stream, xp, x, padding), xp))
            return NULL;
        return checked(g, gs_op_conv2d_implicit(g->stream, out, xp, w, b, NULL, stride), out);
    }
    /* CPU drivers: unfold + GEMM, in chunks of output rows, from 64 channels
     * in and out; below that the direct kernel is as fast or faster
     * (engine/README.md). */
    int64_t k = gs_tensor_dim(w, 2);
    bool wide = gs_tensor_dim(x, 1) >= 64 && gs_tensor_dim(w, 0) >= 64;
    int64_t rows = out && wide ? gs_conv2d_gemm_rows(g->ctx, x, w, stride, padding) : 0;
    if (rows > 0) {
        int64_t shape[3] = { rows, gs_tensor_dim(out, 3), gs_tensor_dim(x, 1) * k * k };
        gs_tensor *columns = gs_graph_tensor(g, 3, shape);
        return columns ? checked(g, gs_op_conv2d_gemm(g->stream, out, x, w, b, stride, padding, columns), out) : NULL;
    }
    return out ? checked(g, gs_op_conv2d(g->stream, out, x, w, b, stride, padding), out) : NULL;
}

gs_tensor *
gs_graph_group_norm_conv2d(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta,
                           int groups, float eps, bool silu, const gs_tensor *w, const gs_tensor *b,
                           const gs_tensor *image_bias, int padding)
{
    if (g->status != GS_OK)
        return NULL;
    if (!taps_major(x, w)) {
        gs_tensor *h = gs_graph_conv2d(g, gs_graph_group_norm(g, x, gamma, beta, groups, eps, silu), w, b, 1, padding);
        if (h && image_bias)
            gs_graph_add_into(g, h, gs_graph_reshape(g, (gs_tensor *)image_bias, 4,
                                                     (int64_t[]){ gs_tensor_dim(h, 0), gs_tensor_dim(h, 1), 1, 1 }));
        return g->status == GS_OK ? h : NULL;
    }
    gs_tensor *out = conv2d_out(g, x, w, 1, padding), *xp = out ? padded_nhwc(g, x, padding) : NULL;
    gs_tensor *stats = xp ? gs_graph_tensor(g, 1, (int64_t[]){ 2 * gs_tensor_dim(x, 0) * groups }) : NULL;
    if (!stats ||
        !checked(g, gs_op_group_norm_padded_nhwc(g->stream, xp, stats, x, gamma, beta, groups, eps, silu, padding),
                 xp))
        return NULL;
    return checked(g, gs_op_conv2d_implicit(g->stream, out, xp, w, b, image_bias, 1), out);
}

gs_tensor *
gs_graph_conv1d_tokens(gs_graph *g, const gs_tensor *x, const gs_tensor *w, const gs_tensor *b, int kernel,
                       int padding, int dilation)
{
    if (g->status != GS_OK)
        return NULL;
    if (kernel == 1 && padding == 0)
        return gs_graph_linear(g, x, w, b);
    int64_t shape[3] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1) + 2 * padding - (int64_t)dilation * (kernel - 1),
                         gs_tensor_dim(x, 2) * kernel };
    gs_tensor *columns = gs_graph_tensor(g, 3, shape);
    columns = columns ? checked(g, gs_op_unfold1d(g->stream, columns, x, kernel, padding, dilation), columns) : NULL;
    return columns ? gs_graph_linear(g, columns, w, b) : NULL;
}

/* An elementwise op into a new tensor shaped like x. */
static gs_tensor *
unary(gs_graph *g, const gs_tensor *x, gs_status (*op)(gs_stream *s, gs_tensor *out, const gs_tensor *x))
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, op(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_exp(gs_graph *g, const gs_tensor *x)
{
    return unary(g, x, gs_op_exp);
}

gs_tensor *
gs_graph_group_norm(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta, int groups,
                    float eps, bool silu)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_group_norm(g->stream, out, x, gamma, beta, groups, eps, silu), out) : NULL;
}

gs_tensor *
gs_graph_layer_norm(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta, float eps)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_layer_norm(g->stream, out, x, gamma, beta, eps), out) : NULL;
}

gs_tensor *
gs_graph_layer_norm_gelu(gs_graph *g, const gs_tensor *x, const gs_tensor *gamma, const gs_tensor *beta, float eps)
{
    gs_tensor *out = like(g, x);
    return out ? checked(g, gs_op_layer_norm_gelu(g->stream, out, x, gamma, beta, eps), out) : NULL;
}

gs_tensor *
gs_graph_attention(gs_graph *g, const gs_tensor *q, const gs_tensor *k, const gs_tensor *v, int heads, bool causal)
{
    gs_tensor *out = like(g, q);
    if (out) /* QK^T and PV: 2·2·B·Lq·Lk·(H·D) */
        g->flops += 4.0 * (double)gs_tensor_numel(q) * (double)gs_tensor_dim(k, gs_tensor_ndim(k) - 2);
    return out ? checked(g, gs_op_attention(g->stream, out, q, k, v, heads, causal), out) : NULL;
}

gs_tensor *
gs_graph_gelu(gs_graph *g, const gs_tensor *x)
{
    return unary(g, x, gs_op_gelu);
}

gs_tensor *
gs_graph_silu(gs_graph *g, const gs_tensor *x)
{
    return unary(g, x, gs_op_silu);
}

gs_tensor *
gs_graph_relu(gs_graph *g, const gs_tensor *x)
{
    return unary(g, x, gs_op_relu);
}

gs_tensor *
gs_graph_geglu(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    shape[ndim - 1] /= 2;
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    return out ? checked(g, gs_op_geglu(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_add(gs_graph *g, const gs_tensor *a, const gs_tensor *b)
{
    gs_tensor *out = like(g, a);
    return out ? checked(g, gs_op_add(g->stream, out, a, b), out) : NULL;
}

gs_tensor *
gs_graph_mul(gs_graph *g, const gs_tensor *a, const gs_tensor *b)
{
    gs_tensor *out = like(g, a);
    return out ? checked(g, gs_op_mul(g->stream, out, a, b), out) : NULL;
}

void
gs_graph_add_into(gs_graph *g, gs_tensor *a, const gs_tensor *b)
{
    if (g->status == GS_OK)
        gs_graph_fail(g, gs_op_add(g->stream, a, a, b));
}

gs_tensor *
gs_graph_concat(gs_graph *g, const gs_tensor *a, const gs_tensor *b, int dim)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(a, &ndim, shape);
    shape[dim] += gs_tensor_dim(b, dim);
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    return out ? checked(g, gs_op_concat(g->stream, out, a, b, dim), out) : NULL;
}

gs_tensor *
gs_graph_transpose(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(x, &ndim, shape);
    int64_t last = shape[ndim - 1];
    shape[ndim - 1] = shape[ndim - 2];
    shape[ndim - 2] = last;
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    return out ? checked(g, gs_op_transpose(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_upsample2x(gs_graph *g, const gs_tensor *x)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t shape[4] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1), 2 * gs_tensor_dim(x, 2),
                         2 * gs_tensor_dim(x, 3) };
    gs_tensor *out = gs_graph_tensor(g, 4, shape);
    return out ? checked(g, gs_op_upsample_nearest2x(g->stream, out, x), out) : NULL;
}

gs_tensor *
gs_graph_depth_to_space(gs_graph *g, const gs_tensor *x, int block)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t r = block < 1 ? 1 : block;
    int64_t shape[4] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1) / (r * r), r * gs_tensor_dim(x, 2),
                         r * gs_tensor_dim(x, 3) };
    gs_tensor *out = gs_graph_tensor(g, 4, shape);
    return out ? checked(g, gs_op_depth_to_space(g->stream, out, x, block), out) : NULL;
}

gs_tensor *
gs_graph_timestep_embedding(gs_graph *g, const gs_tensor *t, int dim)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t shape[2] = { gs_tensor_dim(t, 0), dim };
    gs_tensor *out = gs_graph_tensor(g, 2, shape);
    return out ? checked(g, gs_op_timestep_embedding(g->stream, out, t, dim, 10000.0f, true), out) : NULL;
}

gs_tensor *
gs_graph_quick_gelu(gs_graph *g, const gs_tensor *x)
{
    return unary(g, x, gs_op_quick_gelu);
}

gs_tensor *
gs_graph_softmax(gs_graph *g, const gs_tensor *x)
{
    return unary(g, x, gs_op_softmax);
}

gs_tensor *
gs_graph_matmul(gs_graph *g, const gs_tensor *a, const gs_tensor *b, bool transpose_b)
{
    if (g->status != GS_OK)
        return NULL;
    int ndim;
    int64_t shape[GS_MAX_DIMS];
    shape_of(a, &ndim, shape);
    shape[ndim - 1] = gs_tensor_dim(b, transpose_b ? 0 : 1);
    gs_tensor *out = gs_graph_tensor(g, ndim, shape);
    g->flops += 2.0 * (double)gs_tensor_numel(a) * (double)shape[ndim - 1];
    return out ? checked(g, gs_op_matmul(g->stream, out, a, b, NULL, transpose_b), out) : NULL;
}

gs_tensor *
gs_graph_scale(gs_graph *g, const gs_tensor *x, float factor)
{
    int64_t one = 1;
    gs_tensor *f = g->status == GS_OK ? gs_graph_tensor(g, 1, &one) : NULL;
    if (f)
        gs_graph_fail(g, gs_tensor_upload(f, &factor, 1));
    gs_tensor *out = f ? like(g, x) : NULL;
    return out ? checked(g, gs_op_mul(g->stream, out, x, f), out) : NULL;
}

gs_tensor *
gs_graph_pad2d(gs_graph *g, const gs_tensor *x, int top, int bottom, int left, int right)
{
    if (g->status != GS_OK)
        return NULL;
    int64_t shape[4] = { gs_tensor_dim(x, 0), gs_tensor_dim(x, 1), gs_tensor_dim(x, 2) + top + bottom,
                         gs_tensor_dim(x, 3) + left + right };
    gs_tensor *out = gs_graph_tensor(g, 4, shape);
    return out ? checked(g, gs_op_pad2d(g->stream, out, x, top, bottom, left, right), out) : NULL;
}

gs_tensor *
gs_graph_flush(gs_graph *g, gs_tensor *keep)
{
    if (keep)
        gs_graph_keep(g, keep);
    gs_status submitted = gs_stream_submit(g->stream);
    for (int i = 0; i < g->temp_count; i++)
        gs_tensor_free(g->temps[i]);
    g->temp_count = 0;
    gs_graph_fail(g, submitted);
    if (!keep)
        return NULL;
    if (g->status != GS_OK) {
        gs_tensor_free(keep);
        return NULL;
    }
    return track(g, keep);
}
