/*
 * Copyright (c) 2026 The ovs-nvo3 authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/* libFuzzer target for the STT reassembly table (lib/stt-reassembly.c).
 *
 * The input is a script run against a fresh table with a small cap:
 *
 *     config   1 byte: bits 0-1 cap (index in 'caps'), bits 2-3 timeout
 *              (index in 'timeouts')
 *     then operations, each an opcode byte (low 3 bits, OP_*) and its
 *     arguments, big endian:
 *       OP_SEG     sel, id, frame_len(2), offset(2), len(2)
 *       OP_FRAME   sel, id, frame_len(2), shape, seed: a whole frame cut
 *                  into (shape & 15) + 1 pieces, 20 times as many with
 *                  shape 0x80, sent in an order drawn from 'seed'; shape
 *                  0x10 leaves one piece out, 0x20 sends one piece twice,
 *                  0x40 flips CE on all pieces but the first
 *       OP_TIME    delta(2): the clock advances 'delta' msec
 *       OP_RUN     stt_reasm_run()
 *       OP_LIMITS  config byte as above: stt_reasm_set_limits()
 *     'sel' picks the key: bits 0-1 the outer source address (two IPv4,
 *     stored IPv4-mapped, and two IPv6), bit 2 the destination, bits 4-5
 *     the TCP source port (index in 'src_ports'); bit 3 sets CE.  'id' is
 *     the frame ID.
 *
 * Segment data is a fixed pseudo-random pattern shifted by the frame key,
 * so every completed frame can be checked byte for byte.
 *
 * Every outcome (held, completed, dropped and why, CE) is compared with a
 * model of the documented behavior (stt-reassembly.h and the design notes
 * of stt-reassembly.c), and so is every counter of stt_reasm_get_stats()
 * after every operation: frames, sources, payload, bytes, peak_bytes,
 * mem_cap, timeout_ms, completed, evictions, timeouts and each drop reason.
 * The model evicts as documented: when a segment would take its outer
 * source past half the cap, that source's oldest other frames go; when it
 * would take the table past the cap, the oldest other frames of any source
 * go; the segment's own frame never goes for it, and a segment that cannot
 * be made room for is dropped as too-big.  Frames expire 'timeout' msec
 * after their first segment; overlaps and duplicates are dropped; a frame
 * holds at most STT_REASM_MAX_FRAME_SEGS segments; the TCP source port is
 * part of the key; a frame completes exactly when its segments tile it.
 *
 * 'bytes' counts what the table allocates, so the model has to price it as
 * the library does: each segment, frame and source record costs the size
 * of its private struct plus STT_REASM_ALLOC_OVERHEAD.  Those structs are
 * not in the header; 'struct cost_*' below mirror their layout, and
 * LLVMFuzzerInitialize() checks the resulting prices against the library
 * once, so that a changed layout gets its own message rather than a flood
 * of model mismatches.  Like the library, the model reserves room for a
 * source record with every new frame, whether or not its source has one
 * already (the record is then not charged): stt_reasm_add__() says so.
 *
 * Not compared, because stt_reasm_get_stats() does not report it: what each
 * source holds.  The model's per-source figures are what the library's must
 * be if all the totals agree, and they are checked against the documented
 * share, half the cap.
 *
 * Every completed frame's packet must also be sound: no more bytes in use
 * than dp_packet records as allocated.
 *
 * Two bugs this target found are fixed; the checks that found them stay
 * (tests/fuzz/README.md, "Findings"):
 *
 *   1. A packet for a frame longer than 65535 - 256 bytes (256 is
 *      STT_REASM_HEADROOM) had more than the 16 bits dp_packet has for
 *      its allocated size, and stt_reasm_finish() wrote past the end of
 *      it.  The largest frames now get less headroom.
 *   2. stt_reasm_make_room() weighed a segment against its source's share
 *      only when the source had a record, so a segment starting a frame
 *      for a source holding none was held whatever it cost.
 *
 * STT_FUZZ_TOLERATE in the environment tolerates both again, to fuzz an
 * older tree. */

#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_TARGET "stt-reassembly-fuzz"
#include "fuzz-harness.h"
#include "dp-packet.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "stt-reassembly.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    OP_SEG,
    OP_FRAME,
    OP_TIME,
    OP_RUN,
    OP_LIMITS,
    OP_SEG2,                    /* Same as OP_SEG: segments are the point. */
    OP_FRAME2,                  /* Same as OP_FRAME. */
    OP_TIME2                    /* Same as OP_TIME. */
};

/* 256 KiB is STT_REASM_MIN_CAP, the least stt_reasm_configure() sets: there
 * a source's share holds any frame.  The smaller ones make eviction and
 * too-big drops cheap to reach. */
static const size_t caps[] = { 65536, 8192, 2048, 262144 };
static const long long int timeouts[] = { 100, 1000, 5000, 30000 };
static const uint16_t src_ports[] = { 0, 1, 49152, 65535 };

/* The layouts of struct stt_reasm_segment, stt_reasm_frame and
 * stt_reasm_source in lib/stt-reassembly.c, for their sizes only. */
struct cost_segment {
    struct ovs_list node;
    uint16_t offset;
    uint16_t len;
    uint8_t data[];
};

struct cost_frame {
    struct hmap_node node;
    struct ovs_list age_node;
    struct ovs_list source_node;
    void *source;
    struct stt_reasm_key key;
    long long int created;
    uint16_t frame_len;
    size_t held;
    size_t cost;
    size_t n_segments;
    bool ce;
    struct ovs_list segments;
};

struct cost_source {
    struct hmap_node node;
    struct in6_addr addr;
    size_t bytes;
    struct ovs_list frames;
};

/* STT_REASM_ALLOC_OVERHEAD, STT_REASM_SOURCE_SHARE,
 * STT_REASM_MIN_FRAME_LEN and STT_REASM_HEADROOM of lib/stt-reassembly.c. */
#define ALLOC_OVERHEAD (16 + 2 * sizeof(void *))
#define SOURCE_SHARE 2
#define MIN_FRAME_LEN 18
#define HEADROOM 256

/* What the library charges, as its stt_reasm_*_cost() functions. */
#define SEGMENT_COST(LEN) (sizeof(struct cost_segment) + (LEN) \
                           + ALLOC_OVERHEAD)
#define FRAME_COST (sizeof(struct cost_frame) + ALLOC_OVERHEAD)
#define SOURCE_COST (sizeof(struct cost_source) + ALLOC_OVERHEAD)

#define MAX_PIECES (16 * 20)

/* Segment data: frame byte 'p' of the frame with key tag 't' is
 * pattern[p + t].  A key tag, below N_TAGS, is the key's 'sel' bits
 * 0-2 and 4-5 and its frame ID: it identifies the key. */
#define N_SOURCES 4
#define N_TAGS (32 * 256)
static uint8_t pattern[65536 + 65536 + N_TAGS];

/* The model. */
struct model_seg {
    uint16_t offset;
    uint16_t len;
};

struct model_source {
    bool active;                /* Has a record (holds frames). */
    size_t bytes;               /* Cost of its record and its frames. */
    struct ovs_list frames;     /* Its model_frames, oldest first. */
};

struct model_frame {
    struct ovs_list age_node;   /* In 'model.by_age'. */
    struct ovs_list source_node;    /* In its source's 'frames'. */
    struct model_source *source;
    unsigned int tag;
    long long int created;
    uint16_t frame_len;
    size_t held;
    size_t cost;
    bool ce;
    size_t n_segs;
    struct model_seg segs[STT_REASM_MAX_FRAME_SEGS];  /* Sorted. */
};

struct model {
    size_t cap;
    long long int timeout;

    size_t payload;
    size_t bytes;
    size_t peak_bytes;
    size_t n_frames;
    size_t n_sources;
    uint64_t completed;
    uint64_t evictions;
    uint64_t timeouts;
    uint64_t drops[N_STT_DROPS];

    struct ovs_list by_age;     /* All model_frames, oldest first. */
    struct model_frame *frames[N_TAGS];     /* By key tag. */
    struct model_source sources[N_SOURCES]; /* By 'sel' bits 0-1. */
};

enum outcome {
    HELD,
    COMPLETED,
    DROPPED
};

static struct model model;
static bool strict;


/* Fills in 'key' from selector 'sel' and frame ID 'id' and returns the
 * key's tag, which picks its data pattern. */
static unsigned int
make_key(struct stt_reasm_key *key, uint8_t sel, uint8_t id)
{
    static const uint8_t v6_prefix[] = { 0x20, 0x01, 0x0d, 0xb8 };
    unsigned int src = sel & 3, dst = (sel >> 2) & 1, port = (sel >> 4) & 3;

    memset(key, 0, sizeof *key);
    if (src < 2) {
        in6_addr_set_mapped_ipv4(&key->src, htonl(0xc0000201 + src));
        in6_addr_set_mapped_ipv4(&key->dst, htonl(0xc0000264 + dst));
    } else {
        memcpy(key->src.s6_addr, v6_prefix, sizeof v6_prefix);
        memcpy(key->dst.s6_addr, v6_prefix, sizeof v6_prefix);
        key->src.s6_addr[15] = src;
        key->dst.s6_addr[15] = 0x64 + dst;
    }
    key->frame_id = id;
    key->src_port = src_ports[port];
    return ((sel & 7) | port << 3) << 8 | id;
}

/* Checks once that the model prices segments, frames and source records as
 * the library does: each step below adds one of each kind that it names. */
static void
check_costs(void)
{
    static const struct {
        uint8_t sel, id;
        uint16_t len;
        size_t cost;
    } steps[] = {
        { 0, 1, 10, SOURCE_COST + FRAME_COST + SEGMENT_COST(10) },
        { 0, 1, 7, SEGMENT_COST(7) },
        { 0, 2, 1, FRAME_COST + SEGMENT_COST(1) },
        { 2, 1, 100, SOURCE_COST + FRAME_COST + SEGMENT_COST(100) },
    };
    struct stt_reasm *r = stt_reasm_create(1 << 20, 1000);
    struct stt_reasm_stats stats;
    size_t expected = 0;
    uint16_t offset = 0;

    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        struct stt_reasm_result result;
        struct stt_reasm_seg seg;
        struct dp_packet *packet;

        memset(&seg, 0, sizeof seg);
        make_key(&seg.key, steps[i].sel, steps[i].id);
        seg.frame_len = 1000;
        seg.offset = offset;
        seg.data = pattern;
        seg.len = steps[i].len;
        offset += steps[i].len;

        packet = stt_reasm_add(r, &seg, 0, &result);
        stt_reasm_flush();
        stt_reasm_get_stats(r, &stats);
        expected += steps[i].cost;
        if (packet || result.dropped || stats.bytes != expected) {
            fuzz_fail("step %"PRIuSIZE" of pricing: bytes %"PRIu64", "
                      "expected %"PRIuSIZE" (a segment costs %"PRIuSIZE
                      " plus its length, a frame %"PRIuSIZE", a source "
                      "%"PRIuSIZE"): has the layout of lib/stt-reassembly.c's"
                      " structs changed?", i, stats.bytes, expected,
                      SEGMENT_COST(0), FRAME_COST, SOURCE_COST);
        }
    }
    stt_reasm_destroy(r);
}

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    uint32_t x = 0x12345678;

    strict = !fuzz_harness_init("STT_FUZZ_VERBOSE", "STT_FUZZ_TOLERATE");
    for (size_t i = 0; i < ARRAY_SIZE(pattern); i++) {
        /* xorshift32: no short period, so shifted copies differ. */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        pattern[i] = x >> 24;
    }
    check_costs();
    return 0;
}

static void
model_init(size_t cap, long long int timeout)
{
    memset(&model, 0, sizeof model);
    model.cap = cap;
    model.timeout = timeout;
    ovs_list_init(&model.by_age);
    for (size_t i = 0; i < N_SOURCES; i++) {
        ovs_list_init(&model.sources[i].frames);
    }
}

static size_t
model_share(void)
{
    return model.cap / SOURCE_SHARE;
}

static struct model_frame *
model_oldest(void)
{
    return (ovs_list_is_empty(&model.by_age)
            ? NULL
            : CONTAINER_OF(ovs_list_front(&model.by_age),
                           struct model_frame, age_node));
}

/* Forgets 'f', and its source's record if 'f' was its last frame. */
static void
model_remove(struct model_frame *f)
{
    struct model_source *source = f->source;

    ovs_list_remove(&f->age_node);
    ovs_list_remove(&f->source_node);
    model.frames[f->tag] = NULL;
    model.n_frames--;
    model.payload -= f->held;
    model.bytes -= f->cost;
    source->bytes -= f->cost;
    free(f);

    if (ovs_list_is_empty(&source->frames)) {
        if (source->bytes != SOURCE_COST) {
            fuzz_fail("model: a source without frames holds %"PRIuSIZE
                      " bytes", source->bytes);
        }
        model.bytes -= source->bytes;
        source->bytes = 0;
        source->active = false;
        model.n_sources--;
    }
}

static void
model_evict(struct model_frame *f)
{
    model_remove(f);
    model.evictions++;
}

static void
model_clear(void)
{
    struct model_frame *f;

    while ((f = model_oldest())) {
        model_remove(f);
    }
}

static void
model_expire(long long int now)
{
    struct model_frame *f;

    while ((f = model_oldest()) && now - f->created > model.timeout) {
        model_remove(f);
        model.timeouts++;
    }
}

static void
model_set_limits(size_t cap, long long int timeout)
{
    model.cap = cap;
    model.timeout = timeout;

    /* Each source down to its share, its own oldest frames first, then the
     * table down to the cap, the oldest frames first. */
    for (size_t i = 0; i < N_SOURCES; i++) {
        struct model_source *source = &model.sources[i];

        while (source->active && source->bytes > model_share()) {
            model_evict(CONTAINER_OF(ovs_list_front(&source->frames),
                                     struct model_frame, source_node));
        }
    }
    while (model.bytes > model.cap) {
        model_evict(model_oldest());
    }
}

static enum outcome
model_drop(enum stt_reasm_drop drop, enum stt_reasm_drop *dropp)
{
    model.drops[drop]++;
    *dropp = drop;
    return DROPPED;
}

/* Evicts frames other than 'keep' (NULL for a new frame) so that 'cost'
 * more bytes fit in the share of 'source' and in the cap.  Returns false
 * if that is impossible. */
static bool
model_make_room(struct model_source *source, const struct model_frame *keep,
                size_t cost)
{
    struct model_frame *victim;

    while (source->active && source->bytes + cost > model_share()) {
        LIST_FOR_EACH (victim, source_node, &source->frames) {
            if (victim != keep) {
                break;
            }
        }
        if (!victim) {
            return false;
        }
        model_evict(victim);
    }
    /* A source without a record must fit its share too (fixed bug 2 at
     * the top; an older tree held such a segment). */
    if (strict && !source->active && cost > model_share()) {
        return false;
    }
    while (model.bytes + cost > model.cap) {
        LIST_FOR_EACH (victim, age_node, &model.by_age) {
            if (victim != keep) {
                break;
            }
        }
        if (!victim) {
            return false;
        }
        model_evict(victim);
    }
    return true;
}

/* Where a segment at 'offset' goes in 'f': the number of held segments
 * that start at or before 'offset'. */
static size_t
model_slot(const struct model_frame *f, uint16_t offset)
{
    size_t lo = 0, hi = f->n_segs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (f->segs[mid].offset <= offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* What adding 'seg', whose key has tag 'tag' and source 'src' (index in
 * 'model.sources'), at 'now' must do, by the documented rules.  Sets '*ce'
 * to the CE of the completed frame, if any. */
static enum outcome
model_add(const struct stt_reasm_seg *seg, unsigned int tag, unsigned int src,
          long long int now, enum stt_reasm_drop *drop, bool *ce)
{
    struct model_source *source = &model.sources[src];
    struct model_frame *f;
    size_t pos = 0, cost;

    if (!seg->len) {
        return model_drop(STT_DROP_EMPTY, drop);
    } else if (seg->frame_len < MIN_FRAME_LEN) {
        return model_drop(STT_DROP_SHORT_FRAME, drop);
    } else if ((size_t) seg->offset + seg->len > seg->frame_len) {
        return model_drop(STT_DROP_BEYOND_FRAME, drop);
    } else if (seg->len == seg->frame_len) {
        /* Whole frame: no state involved, not even the clock. */
        *ce = seg->ce;
        return COMPLETED;
    }

    model_expire(now);
    if (seg->frame_len > model_share()) {
        return model_drop(STT_DROP_TOO_BIG, drop);
    }

    f = model.frames[tag];
    if (f) {
        const struct model_seg *prev, *next;

        if (f->frame_len != seg->frame_len) {
            return model_drop(STT_DROP_LEN_MISMATCH, drop);
        }
        if (f->n_segs >= STT_REASM_MAX_FRAME_SEGS) {
            return model_drop(STT_DROP_TOO_MANY_SEGS, drop);
        }
        pos = model_slot(f, seg->offset);
        prev = pos ? &f->segs[pos - 1] : NULL;
        next = pos < f->n_segs ? &f->segs[pos] : NULL;
        if (prev && prev->offset == seg->offset && prev->len == seg->len) {
            return model_drop(STT_DROP_DUPLICATE, drop);
        }
        if ((prev && prev->offset + prev->len > seg->offset)
            || (next && seg->offset + seg->len > next->offset)) {
            return model_drop(STT_DROP_OVERLAP, drop);
        }
        cost = SEGMENT_COST(seg->len);
    } else {
        cost = SEGMENT_COST(seg->len) + FRAME_COST + SOURCE_COST;
    }

    if (!model_make_room(source, f, cost)) {
        return model_drop(STT_DROP_TOO_BIG, drop);
    }

    if (!f) {
        if (!source->active) {
            source->active = true;
            source->bytes = SOURCE_COST;
            model.bytes += SOURCE_COST;
            model.n_sources++;
        }
        f = xzalloc(sizeof *f);
        f->source = source;
        f->tag = tag;
        f->created = now;
        f->frame_len = seg->frame_len;
        f->cost = FRAME_COST;
        ovs_list_push_back(&model.by_age, &f->age_node);
        ovs_list_push_back(&source->frames, &f->source_node);
        model.frames[tag] = f;
        model.n_frames++;
        source->bytes += FRAME_COST;
        model.bytes += FRAME_COST;
    }

    cost = SEGMENT_COST(seg->len);
    memmove(&f->segs[pos + 1], &f->segs[pos],
            (f->n_segs - pos) * sizeof f->segs[0]);
    f->segs[pos].offset = seg->offset;
    f->segs[pos].len = seg->len;
    f->n_segs++;
    f->held += seg->len;
    f->cost += cost;
    f->ce |= seg->ce;
    source->bytes += cost;
    model.payload += seg->len;
    model.bytes += cost;
    model.peak_bytes = MAX(model.peak_bytes, model.bytes);

    if (f->held == f->frame_len) {
        *ce = f->ce;
        model_remove(f);
        model.completed++;
        return COMPLETED;
    }
    return HELD;
}

static void
check_stats(struct stt_reasm *r, const char *op)
{
    struct stt_reasm_stats s;

    stt_reasm_get_stats(r, &s);

    /* The invariants the table promises whatever the model says. */
    if (s.bytes > s.mem_cap) {
        fuzz_fail("after %s: %"PRIu64" bytes held, cap %"PRIu64,
                  op, s.bytes, s.mem_cap);
    }
    for (size_t i = 0; i < N_SOURCES; i++) {
        const struct model_source *source = &model.sources[i];

        /* Bug 2 of an older tree left one frame over the share. */
        if (source->active && source->bytes > model_share()
            && (strict || !ovs_list_is_short(&source->frames))) {
            fuzz_fail("after %s: source %"PRIuSIZE" holds %"PRIuSIZE" bytes "
                      "in %"PRIuSIZE" frames, more than its share %"PRIuSIZE,
                      op, i, source->bytes, ovs_list_size(&source->frames),
                      model_share());
        }
    }

#define CHECK(FIELD, VALUE)                                             \
    if ((uint64_t) (s.FIELD) != (uint64_t) (VALUE)) {                   \
        fuzz_fail("after %s: %s is %"PRIu64", model says %"PRIu64,      \
                  op, #FIELD, (uint64_t) (s.FIELD), (uint64_t) (VALUE)); \
    }
    CHECK(frames, model.n_frames);
    CHECK(sources, model.n_sources);
    CHECK(payload, model.payload);
    CHECK(bytes, model.bytes);
    CHECK(peak_bytes, model.peak_bytes);
    CHECK(mem_cap, model.cap);
    CHECK(timeout_ms, model.timeout);
    CHECK(completed, model.completed);
    CHECK(evictions, model.evictions);
    CHECK(timeouts, model.timeouts);
    for (int i = 0; i < N_STT_DROPS; i++) {
        if (s.drops[i] != model.drops[i]) {
            fuzz_fail("after %s: drop-%s is %"PRIu64", model says %"PRIu64,
                      op, stt_reasm_drop_name(i), s.drops[i],
                      model.drops[i]);
        }
    }
#undef CHECK
}

static void
do_segment(struct stt_reasm *r, uint8_t sel, uint8_t id, uint16_t frame_len,
           uint16_t offset, uint16_t len, long long int now)
{
    enum stt_reasm_drop model_drop_reason = N_STT_DROPS;
    struct stt_reasm_result result;
    enum outcome expected, got;
    struct stt_reasm_seg seg;
    struct dp_packet *packet;
    bool model_ce = false;
    unsigned int tag;

    /* Bug 1 of an older tree: a frame that reaches the table and makes a
     * packet too large for dp_packet. */
    if (!strict && len && frame_len >= MIN_FRAME_LEN
        && offset + len <= frame_len && frame_len > UINT16_MAX - HEADROOM) {
        return;
    }

    memset(&seg, 0, sizeof seg);
    tag = make_key(&seg.key, sel, id);
    seg.frame_len = frame_len;
    seg.offset = offset;
    seg.data = &pattern[tag + offset];
    seg.len = len;
    seg.ce = (sel & 8) != 0;

    expected = model_add(&seg, tag, sel & 3, now, &model_drop_reason,
                         &model_ce);
    packet = stt_reasm_add(r, &seg, now, &result);
    /* A batch of one: what the model knows (frames joined in place within a
     * batch are the unit tests' part). */
    stt_reasm_flush();
    got = packet ? COMPLETED : result.dropped ? DROPPED : HELD;

    if (packet && result.dropped) {
        fuzz_fail("segment both completed a frame and was dropped");
    }
    if (got != expected) {
        fuzz_fail("segment (sel %#x id %u frame_len %u offset %u len %u "
                  "at %lld): outcome %d, model says %d",
                  sel, id, frame_len, offset, len, now, got, expected);
    }
    if (got == DROPPED && result.drop != model_drop_reason) {
        fuzz_fail("segment dropped as %s, model says %s",
                  stt_reasm_drop_name(result.drop),
                  stt_reasm_drop_name(model_drop_reason));
    }
    if (got != COMPLETED && result.ce) {
        fuzz_fail("CE reported without a completed frame");
    }
    if (packet) {
        if ((char *) dp_packet_tail(packet) > (char *) dp_packet_end(packet)) {
            fuzz_fail("completed frame's packet uses %"PRIuSIZE" bytes but "
                      "records %"PRIu16" as allocated",
                      dp_packet_headroom(packet) + dp_packet_size(packet),
                      dp_packet_get_allocated(packet));
        }
        if (dp_packet_size(packet) != frame_len) {
            fuzz_fail("completed frame has %"PRIu32" bytes, expected %u",
                      dp_packet_size(packet), frame_len);
        }
        if (memcmp(dp_packet_data(packet), &pattern[tag], frame_len)) {
            fuzz_fail("completed frame has wrong contents");
        }
        if (result.ce != model_ce) {
            fuzz_fail("completed frame has CE %d, model says %d",
                      result.ce, model_ce);
        }
        dp_packet_delete(packet);
    }
    check_stats(r, "segment");
}

/* Sends a frame cut into pieces, in an order drawn from 'seed'. */
static void
do_frame(struct stt_reasm *r, uint8_t sel, uint8_t id, uint16_t frame_len,
         uint8_t shape, uint8_t seed, long long int now)
{
    size_t n = ((shape & 15) + 1) * (shape & 0x80 ? 20 : 1);
    size_t piece, order[MAX_PIECES + 1], n_order;
    uint32_t x = seed * 2654435761u + 1;

    if (n > frame_len) {
        n = MAX(frame_len, 1);
    }
    piece = DIV_ROUND_UP(frame_len, n);
    n = frame_len ? DIV_ROUND_UP(frame_len, piece) : 1;

    for (size_t i = 0; i < n; i++) {
        order[i] = i;
    }
    for (size_t i = n - 1; i > 0; i--) {
        size_t j, tmp;

        x = x * 1103515245 + 12345;
        j = (x >> 16) % (i + 1);
        tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    n_order = n;
    if (shape & 0x10) {
        n_order--;               /* Leaves out the last one in the order. */
    }
    if (shape & 0x20 && n_order) {
        order[n_order] = order[(x >> 8) % n_order];
        n_order++;
    }

    for (size_t i = 0; i < n_order; i++) {
        size_t ofs = order[i] * piece;
        size_t len = frame_len ? MIN(piece, frame_len - ofs) : 0;

        do_segment(r, sel ^ (i && shape & 0x40 ? 8 : 0), id, frame_len, ofs,
                   len, now);
    }
}

static void
parse_config(uint8_t config, size_t *cap, long long int *timeout)
{
    *cap = caps[config & 3];
    *timeout = timeouts[(config >> 2) & 3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *end = data + size;
    long long int now = 1000000;
    long long int timeout;
    struct stt_reasm *r;
    size_t cap;

    if (!size) {
        return 0;
    }
    parse_config(*data++, &cap, &timeout);
    r = stt_reasm_create(cap, timeout);
    model_init(cap, timeout);
    check_stats(r, "create");

#define ARG8(I) (data[I])
#define ARG16(I) ((uint16_t) (data[I] << 8 | data[(I) + 1]))
    while (data < end) {
        uint8_t op = *data++ & 7;
        size_t avail = end - data;

        switch (op) {
        case OP_SEG:
        case OP_SEG2:
            if (avail < 8) {
                goto out;
            }
            do_segment(r, ARG8(0), ARG8(1), ARG16(2), ARG16(4), ARG16(6),
                       now);
            data += 8;
            break;

        case OP_FRAME:
        case OP_FRAME2:
            if (avail < 6) {
                goto out;
            }
            do_frame(r, ARG8(0), ARG8(1), ARG16(2), ARG8(4), ARG8(5), now);
            data += 6;
            break;

        case OP_TIME:
        case OP_TIME2:
            if (avail < 2) {
                goto out;
            }
            now += ARG16(0);
            data += 2;
            break;

        case OP_RUN:
            stt_reasm_run(r, now);
            model_expire(now);
            check_stats(r, "run");
            break;

        case OP_LIMITS:
            if (avail < 1) {
                goto out;
            }
            parse_config(ARG8(0), &cap, &timeout);
            stt_reasm_set_limits(r, cap, timeout);
            model_set_limits(cap, timeout);
            check_stats(r, "set-limits");
            data += 1;
            break;

        default:
            OVS_NOT_REACHED();
        }
    }
#undef ARG8
#undef ARG16

out:
    stt_reasm_destroy(r);
    model_clear();
    return 0;
}
