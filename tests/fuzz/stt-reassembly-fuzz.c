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
 *                  into (shape & 15) + 1 pieces sent in an order drawn from
 *                  'seed'; shape 0x10 leaves one piece out, 0x20 sends one
 *                  piece twice, 0x40 flips CE on all pieces but the first
 *       OP_TIME    delta(2): the clock advances 'delta' msec
 *       OP_RUN     stt_reasm_run()
 *       OP_LIMITS  config byte as above: stt_reasm_set_limits()
 *     'sel' picks the key's addresses (bits 0-1 source, bit 2 destination;
 *     IPv4-mapped or IPv6) and sets CE (bit 3); 'id' is the frame ID.
 *
 * Segment data is a fixed pseudo-random pattern shifted by the frame key,
 * so every completed frame can be checked byte for byte.
 *
 * After every operation the table's statistics are compared with a simple
 * model of the documented behavior (stt-reassembly.h and the design notes
 * of stt-reassembly.c): held bytes never exceed the cap, the oldest other
 * frames are evicted to make room, frames expire 'timeout' msec after their
 * first segment, overlaps and duplicates are dropped and never counted, and
 * a frame completes exactly when its segments tile it.  Any difference
 * aborts. */

#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
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

static const size_t caps[] = { 65536, 8192, 2048, 131072 };
static const long long int timeouts[] = { 100, 1000, 5000, 30000 };

/* Mirrors the segment bound of stt-reassembly.c's design notes. */
#define SEG_COST 256
#define MIN_SEGS 64
#define MODEL_MAX_SEGS 512      /* Bound for the largest of 'caps'. */
#define MIN_FRAME_LEN 18

#define MAX_PIECES 16

/* Segment data: frame byte 'p' of the frame with key tag 't' is
 * pattern[p + t].  Key tags are below 2048. */
#define N_TAGS 2048
static uint8_t pattern[65536 + 65536 + N_TAGS];

/* The model. */
struct model_seg {
    uint16_t offset;
    uint16_t len;
};

struct model_frame {
    struct stt_reasm_key key;
    long long int created;
    uint16_t frame_len;
    size_t held;
    size_t n_segs;
    bool ce;
    struct model_seg segs[MODEL_MAX_SEGS];  /* Sorted by offset. */
};

struct model {
    size_t cap;
    size_t max_segs;
    long long int timeout;

    size_t bytes;
    size_t n_segs;
    uint64_t completed;
    uint64_t evictions;
    uint64_t timeouts;
    uint64_t drops[N_STT_DROPS];

    /* Frames held, oldest first.  Pointers, so that removal is cheap. */
    struct model_frame *frames[MODEL_MAX_SEGS];
    size_t n_frames;
};

enum outcome {
    HELD,
    COMPLETED,
    DROPPED
};

static struct model model;

static void OVS_PRINTF_FORMAT(1, 2)
fuzz_fail(const char *format, ...)
{
    va_list args;

    fputs("stt-reassembly-fuzz: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    abort();
}

int
LLVMFuzzerInitialize(int *argc OVS_UNUSED, char ***argv OVS_UNUSED)
{
    uint32_t x = 0x12345678;

    if (!getenv("STT_FUZZ_VERBOSE")) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    }
    for (size_t i = 0; i < ARRAY_SIZE(pattern); i++) {
        /* xorshift32: no short period, so shifted copies differ. */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        pattern[i] = x >> 24;
    }
    return 0;
}

static size_t
max_segments(size_t cap)
{
    return MAX(cap / SEG_COST, MIN_SEGS);
}

static void
model_init(size_t cap, long long int timeout)
{
    memset(&model, 0, sizeof model);
    model.cap = cap;
    model.max_segs = max_segments(cap);
    model.timeout = timeout;
}

static void
model_remove(size_t idx)
{
    struct model_frame *f = model.frames[idx];

    model.bytes -= f->held;
    model.n_segs -= f->n_segs;
    free(f);
    memmove(&model.frames[idx], &model.frames[idx + 1],
            (model.n_frames - idx - 1) * sizeof model.frames[0]);
    model.n_frames--;
}

static void
model_clear(void)
{
    while (model.n_frames) {
        model_remove(model.n_frames - 1);
    }
}

static void
model_expire(long long int now)
{
    while (model.n_frames && now - model.frames[0]->created > model.timeout) {
        model_remove(0);
        model.timeouts++;
    }
}

static void
model_set_limits(size_t cap, long long int timeout)
{
    model.cap = cap;
    model.max_segs = max_segments(cap);
    model.timeout = timeout;
    while (model.bytes > model.cap || model.n_segs > model.max_segs) {
        model_remove(0);
        model.evictions++;
    }
}

static enum outcome
model_drop(enum stt_reasm_drop drop, enum stt_reasm_drop *dropp)
{
    model.drops[drop]++;
    *dropp = drop;
    return DROPPED;
}

/* What adding 'seg' at 'now' must do, by the documented rules.  Sets
 * '*ce' to the CE of the completed frame, if any. */
static enum outcome
model_add(const struct stt_reasm_seg *seg, long long int now,
          enum stt_reasm_drop *drop, bool *ce)
{
    struct model_frame *f = NULL;
    size_t f_idx = 0, pos;

    if (!seg->len) {
        return model_drop(STT_DROP_EMPTY, drop);
    } else if (seg->frame_len < MIN_FRAME_LEN) {
        return model_drop(STT_DROP_SHORT_FRAME, drop);
    } else if ((size_t) seg->offset + seg->len > seg->frame_len) {
        return model_drop(STT_DROP_BEYOND_FRAME, drop);
    } else if (seg->len == seg->frame_len) {
        /* Whole frame: no state involved. */
        *ce = seg->ce;
        return COMPLETED;
    }

    model_expire(now);
    if (seg->frame_len > model.cap) {
        return model_drop(STT_DROP_TOO_BIG, drop);
    }

    for (size_t i = 0; i < model.n_frames; i++) {
        if (!memcmp(&model.frames[i]->key, &seg->key, sizeof seg->key)) {
            f = model.frames[i];
            f_idx = i;
            break;
        }
    }

    pos = 0;
    if (f) {
        const struct model_seg *prev, *next;

        if (f->frame_len != seg->frame_len) {
            return model_drop(STT_DROP_LEN_MISMATCH, drop);
        }
        while (pos < f->n_segs && f->segs[pos].offset <= seg->offset) {
            pos++;
        }
        prev = pos ? &f->segs[pos - 1] : NULL;
        next = pos < f->n_segs ? &f->segs[pos] : NULL;
        if (prev && prev->offset == seg->offset && prev->len == seg->len) {
            return model_drop(STT_DROP_DUPLICATE, drop);
        }
        if ((prev && prev->offset + prev->len > seg->offset)
            || (next && seg->offset + seg->len > next->offset)) {
            return model_drop(STT_DROP_OVERLAP, drop);
        }
    }

    /* Make room, evicting the oldest frames other than 'f'. */
    while (model.bytes + seg->len > model.cap
           || model.n_segs + 1 > model.max_segs) {
        size_t victim = f && f_idx == 0 ? 1 : 0;

        if (victim >= model.n_frames) {
            return model_drop(STT_DROP_TOO_BIG, drop);
        }
        model_remove(victim);
        model.evictions++;
        if (f && victim < f_idx) {
            f_idx--;
        }
    }

    if (!f) {
        if (model.n_frames >= MODEL_MAX_SEGS) {
            fuzz_fail("model: more frames than segments");
        }
        f = xzalloc(sizeof *f);
        f->key = seg->key;
        f->created = now;
        f->frame_len = seg->frame_len;
        model.frames[model.n_frames++] = f;
        f_idx = model.n_frames - 1;
    }
    if (f->n_segs >= MODEL_MAX_SEGS) {
        fuzz_fail("model: frame with too many segments");
    }
    memmove(&f->segs[pos + 1], &f->segs[pos],
            (f->n_segs - pos) * sizeof f->segs[0]);
    f->segs[pos].offset = seg->offset;
    f->segs[pos].len = seg->len;
    f->n_segs++;
    f->held += seg->len;
    f->ce |= seg->ce;
    model.bytes += seg->len;
    model.n_segs++;

    if (f->held == f->frame_len) {
        *ce = f->ce;
        model_remove(f_idx);
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

    /* The invariant the table promises whatever the model says. */
    if (s.bytes > s.mem_cap) {
        fuzz_fail("after %s: %"PRIu64" bytes held, cap %"PRIu64,
                  op, s.bytes, s.mem_cap);
    }

#define CHECK(FIELD, VALUE)                                             \
    if ((uint64_t) (s.FIELD) != (uint64_t) (VALUE)) {                   \
        fuzz_fail("after %s: %s is %"PRIu64", model says %"PRIu64,      \
                  op, #FIELD, (uint64_t) (s.FIELD), (uint64_t) (VALUE)); \
    }
    CHECK(frames, model.n_frames);
    CHECK(bytes, model.bytes);
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

/* Fills in 'key' from selector 'sel' and frame ID 'id' and returns the
 * key's tag, which picks its data pattern. */
static unsigned int
make_key(struct stt_reasm_key *key, uint8_t sel, uint8_t id)
{
    static const uint8_t v6_prefix[] = { 0x20, 0x01, 0x0d, 0xb8 };
    unsigned int src = sel & 3, dst = (sel >> 2) & 1;

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
    return (sel & 7) << 8 | id;
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

    memset(&seg, 0, sizeof seg);
    tag = make_key(&seg.key, sel, id);
    seg.frame_len = frame_len;
    seg.offset = offset;
    seg.data = &pattern[tag + offset];
    seg.len = len;
    seg.ce = (sel & 8) != 0;

    expected = model_add(&seg, now, &model_drop_reason, &model_ce);
    packet = stt_reasm_add(r, &seg, now, &result);
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
    size_t n = (shape & 15) + 1, piece, order[MAX_PIECES + 1], n_order;
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
