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

#include <config.h>

#include "stt-reassembly.h"

#include <string.h>
#include <sys/random.h>

#include "coverage.h"
#include "dp-packet.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "random.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(stt_reassembly);

COVERAGE_DEFINE(stt_reasm_drop_empty);
COVERAGE_DEFINE(stt_reasm_drop_short_frame);
COVERAGE_DEFINE(stt_reasm_drop_beyond_frame);
COVERAGE_DEFINE(stt_reasm_drop_len_mismatch);
COVERAGE_DEFINE(stt_reasm_drop_overlap);
COVERAGE_DEFINE(stt_reasm_drop_duplicate);
COVERAGE_DEFINE(stt_reasm_drop_too_big);
COVERAGE_DEFINE(stt_reasm_drop_too_many_segs);
COVERAGE_DEFINE(stt_reasm_eviction);
COVERAGE_DEFINE(stt_reasm_timeout);
COVERAGE_DEFINE(stt_reasm_completed);
COVERAGE_DEFINE(stt_reasm_joined_in_place);
COVERAGE_DEFINE(stt_reasm_flush_race);

/* Design notes.
 *
 * A frame in progress keeps the segments it received as separate buffers,
 * sorted by offset, and copies them into one packet only when the last
 * piece arrives.  A tiny first segment thus costs a tiny buffer, never a
 * 64 kB one, and because held segments never overlap, the frame is
 * complete exactly when the bytes it holds add up to its length.  (Frames
 * whose pieces arrive in order within one batch skip the table: see
 * "Frames joined in order" below.)
 *
 * Whoever reaches the STT port can send segments here, so every step is
 * bounded and costs are charged to whoever causes them:
 *
 *   - Memory.  'bytes' counts what the table allocates (segment data and
 *     headers, frames, per-source records, an allowance for the allocator
 *     and the hash buckets) and never exceeds 'mem_cap'.  Each outer source
 *     address may hold at most half of 'mem_cap': when a segment would take
 *     its source past that, the source's own oldest frames go first.  When
 *     it would take the table past 'mem_cap', the oldest frames of any
 *     source go.  So a flood from one address only ever evicts its own
 *     frames, and a flood from many spoofed addresses evicts the oldest
 *     frames, while a real peer's frames complete within microseconds of
 *     their first segment.  The segment's own frame is never evicted to
 *     make room for it: it is the one about to make progress.
 *
 *   - CPU.  A frame holds at most STT_REASM_MAX_FRAME_SEGS segments.  A
 *     segment that follows the last one held is appended at once; only an
 *     out-of-order one walks the (bounded) list.  The hash of the key is
 *     seeded at random, so that colliding frame IDs cannot be computed
 *     offline.  Cheap checks come first: a segment that cannot fit is
 *     dropped before any list is walked.
 *
 *   - Time.  A frame expires when its first segment arrived more than
 *     'timeout_ms' before 'now'.  Frames sit on 'by_age' in creation order,
 *     so both expiry and eviction only look at the front of the list.
 *     stt_reasm_run() expires due frames with or without traffic, and
 *     stt_reasm_wait() wakes the poll loop for it.  (This assumes 'now'
 *     does not go backward; if it does, frames merely expire late.)
 *
 * A segment that is a whole frame by itself (offset 0, length == frame
 * length), by far the common case once the sender's NIC or the receiver's
 * GRO has merged segments, is validated and copied out without the mutex:
 * it needs no state, and it must not contend with the other threads.  Such
 * a segment does not look up the table either, so it neither completes nor
 * disturbs a frame in progress with the same key.  The other segments take
 * one mutex for a hash lookup and an O(1) insertion: short enough that
 * sharding the table per thread would cost more in fairness (one table-wide
 * cap and age order) than it would save in contention. */

/* What the allocator and the hash table buckets cost per allocation, on
 * top of the allocation's own size: malloc's chunk header and rounding, and
 * up to two bucket pointers per hash node. */
#define STT_REASM_ALLOC_OVERHEAD (16 + 2 * sizeof(void *))

/* One outer source address may hold 1/STT_REASM_SOURCE_SHARE of the cap. */
#define STT_REASM_SOURCE_SHARE 2

/* STT header (18 bytes) and its 2 bytes of padding are the least a frame
 * can hold; the spec (section 3) drops shorter frames. */
#define STT_REASM_MIN_FRAME_LEN 18

/* Headroom of the packets we return: the caller pops the STT header and may
 * push outer headers again (or other encapsulations) without copying.  A
 * dp_packet counts its allocation in 16 bits, so the largest frames get
 * less: what is left of 64 kB. */
#define STT_REASM_HEADROOM 256

/* Bounds of the other_config knobs.  A source's share of the smallest cap
 * still holds a 64 kB frame in 256 segments. */
#define STT_REASM_MIN_CAP (256 * 1024)
#define STT_REASM_MIN_TIMEOUT_MS 100

/* stt_reasm_wait() wakes up at most this often while frames are held, so
 * that a flood of frames that expire one by one does not spin the main
 * loop.  Frames thus go at most this late. */
#define STT_REASM_SWEEP_MS 100

struct stt_reasm_segment {
    struct ovs_list node;       /* In stt_reasm_frame's 'segments'. */
    uint16_t offset;
    uint16_t len;               /* Nonzero. */
    uint8_t data[];
};

/* The frames in progress from one outer source address. */
struct stt_reasm_source {
    struct hmap_node node;      /* In stt_reasm's 'sources', by address. */
    struct in6_addr addr;
    size_t bytes;               /* Cost of its frames and of itself. */
    struct ovs_list frames;     /* Its stt_reasm_frames, oldest first. */
};

struct stt_reasm_frame {
    struct hmap_node node;      /* In stt_reasm's 'frames', by key hash. */
    struct ovs_list age_node;   /* In stt_reasm's 'by_age'. */
    struct ovs_list source_node;    /* In 'source''s 'frames'. */
    struct stt_reasm_source *source;
    struct stt_reasm_key key;
    long long int created;      /* Arrival of the first segment (msec). */
    uint16_t frame_len;
    size_t held;                /* Sum of the segments' 'len'. */
    size_t cost;                /* Memory charged for it and its segments. */
    size_t n_segments;
    bool ce;                    /* Some segment had CE. */
    struct ovs_list segments;   /* stt_reasm_segments, sorted by offset. */
};

struct stt_reasm {
    struct ovs_mutex mutex;
    uint32_t hash_basis;                    /* Random, fixed at creation. */
    struct hmap frames OVS_GUARDED;         /* Contains stt_reasm_frames. */
    struct hmap sources OVS_GUARDED;        /* Contains stt_reasm_sources. */
    struct ovs_list by_age OVS_GUARDED;     /* Oldest frame first. */

    size_t mem_cap OVS_GUARDED;
    long long int timeout_ms OVS_GUARDED;

    size_t payload OVS_GUARDED;             /* Segment data, all frames. */
    size_t bytes OVS_GUARDED;               /* Memory held, all frames. */
    size_t peak_bytes OVS_GUARDED;

    uint64_t completed OVS_GUARDED;
    atomic_uint64_t joined;         /* Completed in place, not counted in
                                     * 'completed'. */
    uint64_t evictions OVS_GUARDED;
    uint64_t timeouts OVS_GUARDED;
    uint64_t drops[N_STT_DROPS] OVS_GUARDED;
};

static struct stt_reasm *global_reasm;

const char *
stt_reasm_drop_name(enum stt_reasm_drop drop)
{
    switch (drop) {
    case STT_DROP_EMPTY:
        return "empty";
    case STT_DROP_SHORT_FRAME:
        return "short-frame";
    case STT_DROP_BEYOND_FRAME:
        return "beyond-frame";
    case STT_DROP_LEN_MISMATCH:
        return "len-mismatch";
    case STT_DROP_OVERLAP:
        return "overlap";
    case STT_DROP_DUPLICATE:
        return "duplicate";
    case STT_DROP_TOO_BIG:
        return "too-big";
    case STT_DROP_TOO_MANY_SEGS:
        return "too-many-segments";
    case N_STT_DROPS:
    default:
        return "unknown";
    }
}

static size_t
stt_reasm_segment_cost(size_t len)
{
    return sizeof(struct stt_reasm_segment) + len + STT_REASM_ALLOC_OVERHEAD;
}

static size_t
stt_reasm_frame_cost(void)
{
    return sizeof(struct stt_reasm_frame) + STT_REASM_ALLOC_OVERHEAD;
}

static size_t
stt_reasm_source_cost(void)
{
    return sizeof(struct stt_reasm_source) + STT_REASM_ALLOC_OVERHEAD;
}

static size_t
stt_reasm_source_cap(const struct stt_reasm *r)
    OVS_REQUIRES(r->mutex)
{
    return r->mem_cap / STT_REASM_SOURCE_SHARE;
}

/* A seed for the table's hash that nobody outside can know: from the
 * kernel's random pool, or OVS's own generator if that fails. */
static uint32_t
stt_reasm_random_basis(void)
{
    uint32_t basis;

    if (getrandom(&basis, sizeof basis, 0) != sizeof basis) {
        basis = random_uint32();
    }
    return basis;
}

struct stt_reasm *
stt_reasm_create(size_t mem_cap, long long timeout_ms)
{
    struct stt_reasm *r = xzalloc(sizeof *r);

    ovs_mutex_init(&r->mutex);
    ovs_mutex_lock(&r->mutex);
    r->hash_basis = stt_reasm_random_basis();
    hmap_init(&r->frames);
    hmap_init(&r->sources);
    ovs_list_init(&r->by_age);
    r->mem_cap = mem_cap;
    r->timeout_ms = timeout_ms;
    atomic_init(&r->joined, 0);
    ovs_mutex_unlock(&r->mutex);

    return r;
}

static uint32_t
stt_reasm_source_hash(const struct stt_reasm *r, const struct in6_addr *addr)
{
    return hash_bytes(addr, sizeof *addr, r->hash_basis);
}

static struct stt_reasm_source *
stt_reasm_source_find(const struct stt_reasm *r, const struct in6_addr *addr)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_source *source;

    HMAP_FOR_EACH_WITH_HASH (source, node, stt_reasm_source_hash(r, addr),
                             &r->sources) {
        if (ipv6_addr_equals(&source->addr, addr)) {
            return source;
        }
    }
    return NULL;
}

/* Returns the record of 'addr', created if need be (the caller made room
 * for it). */
static struct stt_reasm_source *
stt_reasm_source_get(struct stt_reasm *r, const struct in6_addr *addr)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_source *source = stt_reasm_source_find(r, addr);

    if (!source) {
        source = xmalloc(sizeof *source);
        source->addr = *addr;
        source->bytes = stt_reasm_source_cost();
        ovs_list_init(&source->frames);
        hmap_insert(&r->sources, &source->node,
                    stt_reasm_source_hash(r, addr));
        r->bytes += source->bytes;
    }
    return source;
}

/* Removes 'frame' from 'r' and frees it with its segments, and its source's
 * record if that was the source's last frame. */
static void
stt_reasm_frame_destroy(struct stt_reasm *r, struct stt_reasm_frame *frame)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_source *source = frame->source;
    struct stt_reasm_segment *seg;

    hmap_remove(&r->frames, &frame->node);
    ovs_list_remove(&frame->age_node);
    ovs_list_remove(&frame->source_node);
    LIST_FOR_EACH_POP (seg, node, &frame->segments) {
        free(seg);
    }
    r->payload -= frame->held;
    r->bytes -= frame->cost;
    source->bytes -= frame->cost;
    free(frame);

    if (ovs_list_is_empty(&source->frames)) {
        hmap_remove(&r->sources, &source->node);
        r->bytes -= source->bytes;
        free(source);
    }
}

void
stt_reasm_destroy(struct stt_reasm *r)
{
    if (r) {
        struct stt_reasm_frame *frame;

        ovs_mutex_lock(&r->mutex);
        LIST_FOR_EACH_SAFE (frame, age_node, &r->by_age) {
            stt_reasm_frame_destroy(r, frame);
        }
        hmap_destroy(&r->frames);
        hmap_destroy(&r->sources);
        ovs_mutex_unlock(&r->mutex);
        ovs_mutex_destroy(&r->mutex);
        free(r);
    }
}

static struct stt_reasm_frame *
stt_reasm_oldest(const struct stt_reasm *r)
    OVS_REQUIRES(r->mutex)
{
    return (ovs_list_is_empty(&r->by_age)
            ? NULL
            : CONTAINER_OF(ovs_list_front(&r->by_age),
                           struct stt_reasm_frame, age_node));
}

static void
stt_reasm_evict(struct stt_reasm *r, struct stt_reasm_frame *victim)
    OVS_REQUIRES(r->mutex)
{
    stt_reasm_frame_destroy(r, victim);
    r->evictions++;
    COVERAGE_INC(stt_reasm_eviction);
}

/* Returns the oldest frame of 'source', or of all of 'r' if 'source' is
 * NULL, that is not 'keep', or NULL if there is none. */
static struct stt_reasm_frame *
stt_reasm_oldest_but(struct stt_reasm *r, struct stt_reasm_source *source,
                     const struct stt_reasm_frame *keep)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_frame *frame;

    if (source) {
        LIST_FOR_EACH (frame, source_node, &source->frames) {
            if (frame != keep) {
                return frame;
            }
        }
    } else {
        LIST_FOR_EACH (frame, age_node, &r->by_age) {
            if (frame != keep) {
                return frame;
            }
        }
    }
    return NULL;
}

/* Evicts frames other than 'keep' (which may be NULL) until 'cost' more
 * bytes fit, for source 'src' and for the whole table: first the oldest
 * frames of 'src' while it is over its share, then the oldest frames of
 * all.  Returns false if that is impossible even with 'keep' alone.  At
 * most two frames are looked at per eviction: 'keep' and the next. */
static bool
stt_reasm_make_room(struct stt_reasm *r, const struct in6_addr *src,
                    const struct stt_reasm_frame *keep, size_t cost)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_source *source;
    struct stt_reasm_frame *victim;

    while ((source = stt_reasm_source_find(r, src))
           && source->bytes + cost > stt_reasm_source_cap(r)) {
        victim = stt_reasm_oldest_but(r, source, keep);
        if (!victim) {
            return false;
        }
        stt_reasm_evict(r, victim);
    }
    /* A source that holds nothing (yet, or any more) has no record, so the
     * loop above did not weigh 'cost' against its share. */
    if (!source && cost > stt_reasm_source_cap(r)) {
        return false;
    }

    while (r->bytes + cost > r->mem_cap) {
        victim = stt_reasm_oldest_but(r, NULL, keep);
        if (!victim) {
            return false;
        }
        stt_reasm_evict(r, victim);
    }
    return true;
}

/* Expires the frames of 'r' whose first segment is more than the timeout
 * older than 'now'. */
static void
stt_reasm_expire(struct stt_reasm *r, long long int now)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_frame *frame;

    while ((frame = stt_reasm_oldest(r))
           && now - frame->created > r->timeout_ms) {
        stt_reasm_frame_destroy(r, frame);
        r->timeouts++;
        COVERAGE_INC(stt_reasm_timeout);
    }
}

void
stt_reasm_set_limits(struct stt_reasm *r, size_t mem_cap,
                     long long timeout_ms)
{
    struct stt_reasm_source *source, *next;

    ovs_mutex_lock(&r->mutex);
    r->mem_cap = mem_cap;
    r->timeout_ms = timeout_ms;

    /* Honor a lower cap now rather than at the next segment, so that the
     * limits hold at all times. */
    HMAP_FOR_EACH_SAFE (source, next, node, &r->sources) {
        while (source->bytes > stt_reasm_source_cap(r)) {
            bool last = ovs_list_is_short(&source->frames);

            stt_reasm_evict(r, CONTAINER_OF(ovs_list_front(&source->frames),
                                            struct stt_reasm_frame,
                                            source_node));
            if (last) {
                break;
            }
        }
    }
    while (r->bytes > r->mem_cap) {
        stt_reasm_evict(r, stt_reasm_oldest(r));
    }
    ovs_mutex_unlock(&r->mutex);
}

static void
stt_reasm_count_drop(struct stt_reasm *r, enum stt_reasm_drop drop)
    OVS_REQUIRES(r->mutex)
{
    r->drops[drop]++;

    /* Coverage counters are named at compile time, hence the switch. */
    switch (drop) {
    case STT_DROP_EMPTY:
        COVERAGE_INC(stt_reasm_drop_empty);
        break;
    case STT_DROP_SHORT_FRAME:
        COVERAGE_INC(stt_reasm_drop_short_frame);
        break;
    case STT_DROP_BEYOND_FRAME:
        COVERAGE_INC(stt_reasm_drop_beyond_frame);
        break;
    case STT_DROP_LEN_MISMATCH:
        COVERAGE_INC(stt_reasm_drop_len_mismatch);
        break;
    case STT_DROP_OVERLAP:
        COVERAGE_INC(stt_reasm_drop_overlap);
        break;
    case STT_DROP_DUPLICATE:
        COVERAGE_INC(stt_reasm_drop_duplicate);
        break;
    case STT_DROP_TOO_BIG:
        COVERAGE_INC(stt_reasm_drop_too_big);
        break;
    case STT_DROP_TOO_MANY_SEGS:
        COVERAGE_INC(stt_reasm_drop_too_many_segs);
        break;
    case N_STT_DROPS:
    default:
        OVS_NOT_REACHED();
    }
}

static struct stt_reasm_frame *
stt_reasm_lookup(const struct stt_reasm *r, const struct stt_reasm_key *key,
                 uint32_t hash)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_frame *frame;

    HMAP_FOR_EACH_WITH_HASH (frame, node, hash, &r->frames) {
        if (!memcmp(&frame->key, key, sizeof *key)) {
            return frame;
        }
    }
    return NULL;
}

/* Finds where a segment of 'len' bytes at 'offset' goes in 'frame'.  On
 * success, returns true and sets '*prevp' to the held segment it must
 * follow (NULL if it goes first).  Otherwise returns false and sets '*drop'
 * to the reason to drop it. */
static bool
stt_reasm_find_slot(const struct stt_reasm_frame *frame, size_t offset,
                    size_t len, struct stt_reasm_segment **prevp,
                    enum stt_reasm_drop *drop)
{
    struct stt_reasm_segment *prev = NULL, *next = NULL, *seg;

    /* In-order arrival, the usual case, costs one comparison.  A frame
     * always holds at least one segment. */
    seg = CONTAINER_OF(ovs_list_back(&frame->segments),
                       struct stt_reasm_segment, node);
    if (offset >= seg->offset + seg->len) {
        *prevp = seg;
        return true;
    }

    LIST_FOR_EACH_REVERSE (seg, node, &frame->segments) {
        if (seg->offset <= offset) {
            prev = seg;
            break;
        }
        next = seg;
    }

    if (prev && prev->offset == offset) {
        *drop = prev->len == len ? STT_DROP_DUPLICATE : STT_DROP_OVERLAP;
        return false;
    } else if ((prev && prev->offset + prev->len > offset)
               || (next && offset + len > next->offset)) {
        *drop = STT_DROP_OVERLAP;
        return false;
    }
    *prevp = prev;
    return true;
}

/* Returns a new, empty packet with room for 'frame_len' bytes and headroom
 * for the caller. */
static struct dp_packet *
stt_reasm_packet_new(size_t frame_len)
{
    return dp_packet_new_with_headroom(frame_len,
                                       MIN(STT_REASM_HEADROOM,
                                           UINT16_MAX - frame_len));
}

/* Copies out complete 'frame' into a new packet and destroys it. */
static struct dp_packet *
stt_reasm_finish(struct stt_reasm *r, struct stt_reasm_frame *frame)
    OVS_REQUIRES(r->mutex)
{
    struct dp_packet *packet = stt_reasm_packet_new(frame->frame_len);
    struct stt_reasm_segment *seg;

    LIST_FOR_EACH (seg, node, &frame->segments) {
        ovs_assert(seg->offset == dp_packet_size(packet));
        dp_packet_put(packet, seg->data, seg->len);
    }
    ovs_assert(dp_packet_size(packet) == frame->frame_len);

    stt_reasm_frame_destroy(r, frame);
    r->completed++;
    COVERAGE_INC(stt_reasm_completed);
    return packet;
}

/* Creates an empty frame for 'seg' in 'r' (the caller made room for it). */
static struct stt_reasm_frame *
stt_reasm_frame_create(struct stt_reasm *r, const struct stt_reasm_seg *seg,
                       uint32_t hash, long long int now)
    OVS_REQUIRES(r->mutex)
{
    struct stt_reasm_frame *frame = xmalloc(sizeof *frame);

    frame->source = stt_reasm_source_get(r, &seg->key.src);
    frame->key = seg->key;
    frame->created = now;
    frame->frame_len = seg->frame_len;
    frame->held = 0;
    frame->cost = stt_reasm_frame_cost();
    frame->n_segments = 0;
    frame->ce = false;
    ovs_list_init(&frame->segments);
    hmap_insert(&r->frames, &frame->node, hash);
    ovs_list_push_back(&r->by_age, &frame->age_node);
    ovs_list_push_back(&frame->source->frames, &frame->source_node);
    frame->source->bytes += frame->cost;
    r->bytes += frame->cost;
    return frame;
}

/* Holds 'seg', which passed the stateless checks, or completes its frame.
 * Returns the completed frame, otherwise NULL, with 'result' saying whether
 * 'seg' must be dropped. */
static struct dp_packet *
stt_reasm_add__(struct stt_reasm *r, const struct stt_reasm_seg *seg,
                long long int now, struct stt_reasm_result *result)
    OVS_REQUIRES(r->mutex)
{
    uint32_t hash = hash_bytes(&seg->key, sizeof seg->key, r->hash_basis);
    size_t cost = stt_reasm_segment_cost(seg->len);
    struct stt_reasm_segment *prev = NULL, *held;
    struct stt_reasm_frame *frame;

    stt_reasm_expire(r, now);

    if (seg->frame_len > stt_reasm_source_cap(r)) {
        result->drop = STT_DROP_TOO_BIG;
        result->dropped = true;
        return NULL;
    }

    frame = stt_reasm_lookup(r, &seg->key, hash);
    if (frame) {
        if (frame->frame_len != seg->frame_len) {
            result->drop = STT_DROP_LEN_MISMATCH;
        } else if (frame->n_segments >= STT_REASM_MAX_FRAME_SEGS) {
            result->drop = STT_DROP_TOO_MANY_SEGS;
        } else if (stt_reasm_find_slot(frame, seg->offset, seg->len, &prev,
                                       &result->drop)) {
            goto hold;
        }
        result->dropped = true;
        return NULL;
    } else {
        /* Room for the frame and possibly its source's record too. */
        cost += stt_reasm_frame_cost() + stt_reasm_source_cost();
    }

hold:
    if (!stt_reasm_make_room(r, &seg->key.src, frame, cost)) {
        result->drop = STT_DROP_TOO_BIG;
        result->dropped = true;
        return NULL;
    }
    if (!frame) {
        /* Created only now so that making room above cannot evict it. */
        frame = stt_reasm_frame_create(r, seg, hash, now);
    }

    cost = stt_reasm_segment_cost(seg->len);
    held = xmalloc(sizeof *held + seg->len);
    held->offset = seg->offset;
    held->len = seg->len;
    memcpy(held->data, seg->data, seg->len);
    /* Inserting before the list head appends. */
    ovs_list_insert(prev ? prev->node.next : frame->segments.next,
                    &held->node);
    frame->held += seg->len;
    frame->cost += cost;
    frame->n_segments++;
    frame->ce |= seg->ce;
    frame->source->bytes += cost;
    r->payload += seg->len;
    r->bytes += cost;
    r->peak_bytes = MAX(r->peak_bytes, r->bytes);

    if (frame->held == frame->frame_len) {
        result->ce = frame->ce;
        return stt_reasm_finish(r, frame);
    }
    return NULL;
}

/* Frames joined in order, without the table.
 *
 * The common multi-segment frame is a full-size VM frame cut in two by the
 * sender: its segments arrive back to back, in order, in one receive batch
 * of one datapath thread.  Such a frame is built in place in a packet of
 * its own, one copy per byte, with one table lookup (under the mutex, for
 * the first segment: the table must not already hold the frame) and none
 * for the rest.  Each thread keeps a few such frames, for one batch only:
 * stt_reasm_flush(), at the end of every batch, hands what did not
 * complete to the table, as one segment, so that a frame held across
 * batches is accounted, capped and timed out as any other.
 *
 * A first segment starts one if its frame takes STT_REASM_LOCAL_MAX_SEGS
 * segments of its size at most: the frames that a sender's STT joins from
 * a VM's segments span a dozen underlay segments, and more would likely
 * cross the end of a batch (NETDEV_MAX_BURST packets), where the flush
 * copies them once more.  The packet allocated is thus at most 16 times
 * what arrived, and a thread holds STT_REASM_LOCAL_FRAMES of them at most,
 * each freed or handed to the table at the end of its batch. */
#define STT_REASM_LOCAL_FRAMES 4
#define STT_REASM_LOCAL_MAX_SEGS 16

struct stt_reasm_local_frame {
    struct stt_reasm *r;        /* Table it belongs to; NULL if unused. */
    struct stt_reasm_key key;
    uint16_t frame_len;
    bool ce;
    long long int created;
    struct dp_packet *packet;   /* The frame's first bytes, in order. */
};

struct stt_reasm_local {
    struct stt_reasm_local_frame frames[STT_REASM_LOCAL_FRAMES];
};

DEFINE_STATIC_PER_THREAD_DATA(struct stt_reasm_local, stt_reasm_local,
                              { .frames = { { .r = NULL } } });

static bool
stt_reasm_key_equals(const struct stt_reasm_key *a,
                     const struct stt_reasm_key *b)
{
    return !memcmp(a, b, sizeof *a);
}

/* Hands 'lf' to its table and frees it.  The table may complete the frame
 * with segments another thread gave it meanwhile: a race that needs one
 * frame's segments on two threads at once, which the sender's one flow
 * (one receive queue) rules out; such a frame is dropped and counted. */
static void
stt_reasm_local_flush(struct stt_reasm_local_frame *lf)
{
    struct stt_reasm *r = lf->r;
    struct stt_reasm_result result;
    struct stt_reasm_seg seg;
    struct dp_packet *packet;

    memset(&seg, 0, sizeof seg);
    seg.key = lf->key;
    seg.frame_len = lf->frame_len;
    seg.offset = 0;
    seg.data = dp_packet_data(lf->packet);
    seg.len = dp_packet_size(lf->packet);
    seg.ce = lf->ce;
    memset(&result, 0, sizeof result);

    ovs_mutex_lock(&r->mutex);
    packet = stt_reasm_add__(r, &seg, lf->created, &result);
    if (result.dropped) {
        stt_reasm_count_drop(r, result.drop);
    }
    ovs_mutex_unlock(&r->mutex);

    if (packet) {
        COVERAGE_INC(stt_reasm_flush_race);
        dp_packet_delete(packet);
    }
    dp_packet_delete(lf->packet);
    lf->packet = NULL;
    lf->r = NULL;
}

/* Hands the frames this thread joined in the batch now ending, and did not
 * complete, to their tables.  Called after every batch of segments that
 * went to stt_reasm_add(), by the thread that added them. */
void
stt_reasm_flush(void)
{
    struct stt_reasm_local *local = stt_reasm_local_get();

    for (size_t i = 0; i < STT_REASM_LOCAL_FRAMES; i++) {
        if (local->frames[i].r) {
            stt_reasm_local_flush(&local->frames[i]);
        }
    }
}

/* Adds 'seg' to the frame this thread is joining in place, if it is that
 * frame's next piece.  Returns true if it did, with '*packetp' the frame if
 * 'seg' completed it (NULL otherwise).  A segment of such a frame that is
 * not its next piece first sends the frame to the table, where it joins. */
static bool
stt_reasm_local_add(struct stt_reasm_local *local, struct stt_reasm *r,
                    const struct stt_reasm_seg *seg, bool *cep,
                    struct dp_packet **packetp)
{
    for (size_t i = 0; i < STT_REASM_LOCAL_FRAMES; i++) {
        struct stt_reasm_local_frame *lf = &local->frames[i];

        if (lf->r != r || !stt_reasm_key_equals(&lf->key, &seg->key)) {
            continue;
        }
        if (seg->frame_len != lf->frame_len
            || seg->offset != dp_packet_size(lf->packet)) {
            stt_reasm_local_flush(lf);
            return false;
        }
        dp_packet_put(lf->packet, seg->data, seg->len);
        lf->ce |= seg->ce;
        *packetp = NULL;
        if (dp_packet_size(lf->packet) == lf->frame_len) {
            *packetp = lf->packet;
            *cep = lf->ce;
            lf->packet = NULL;
            lf->r = NULL;
            uint64_t joined;

            atomic_add_relaxed(&r->joined, 1, &joined);
            COVERAGE_INC(stt_reasm_completed);
            COVERAGE_INC(stt_reasm_joined_in_place);
        }
        return true;
    }
    return false;
}

/* Whether first segment 'seg' may start a frame joined in place: its frame
 * takes STT_REASM_LOCAL_MAX_SEGS segments of its size at most, 'r' has no
 * frame of that key (which it must then join), and 'r' could hold it as it
 * is, without evicting anything (otherwise the table's rules decide now, not
 * at the flush).  Makes expired frames go, as every add does. */
static bool
stt_reasm_local_may_start(struct stt_reasm *r, const struct stt_reasm_seg *seg,
                          long long int now)
    OVS_REQUIRES(r->mutex)
{
    size_t cost = (stt_reasm_segment_cost(seg->len) + stt_reasm_frame_cost()
                   + stt_reasm_source_cost());
    const struct stt_reasm_source *source;
    uint32_t hash;

    if (seg->offset
        || (size_t) seg->len * STT_REASM_LOCAL_MAX_SEGS < seg->frame_len) {
        return false;
    }
    stt_reasm_expire(r, now);
    source = stt_reasm_source_find(r, &seg->key.src);
    if (seg->frame_len > stt_reasm_source_cap(r)
        || (source ? source->bytes : 0) + cost > stt_reasm_source_cap(r)
        || r->bytes + cost > r->mem_cap) {
        return false;
    }
    hash = hash_bytes(&seg->key, sizeof seg->key, r->hash_basis);
    return !stt_reasm_lookup(r, &seg->key, hash);
}

/* Starts joining the frame of first segment 'seg' in place, in a free
 * slot of 'local', or in the oldest one's after handing it to its table. */
static void
stt_reasm_local_start(struct stt_reasm_local *local, struct stt_reasm *r,
                      const struct stt_reasm_seg *seg, long long int now)
{
    struct stt_reasm_local_frame *lf = NULL;

    for (size_t i = 0; i < STT_REASM_LOCAL_FRAMES; i++) {
        if (!local->frames[i].r) {
            lf = &local->frames[i];
            break;
        }
        if (!lf || local->frames[i].created < lf->created) {
            lf = &local->frames[i];
        }
    }
    if (lf->r) {
        stt_reasm_local_flush(lf);
    }
    lf->r = r;
    lf->key = seg->key;
    lf->frame_len = seg->frame_len;
    lf->ce = seg->ce;
    lf->created = now;
    lf->packet = stt_reasm_packet_new(seg->frame_len);
    dp_packet_put(lf->packet, seg->data, seg->len);
}

struct dp_packet *
stt_reasm_add(struct stt_reasm *r, const struct stt_reasm_seg *seg,
              long long now, struct stt_reasm_result *result)
{
    struct stt_reasm_local *local;
    struct dp_packet *packet = NULL;
    bool start = false;

    memset(result, 0, sizeof *result);

    /* Checks that need no state, in the order the spec lists them. */
    if (!seg->len) {
        result->drop = STT_DROP_EMPTY;
        result->dropped = true;
    } else if (seg->frame_len < STT_REASM_MIN_FRAME_LEN) {
        result->drop = STT_DROP_SHORT_FRAME;
        result->dropped = true;
    } else if ((size_t) seg->offset + seg->len > seg->frame_len) {
        result->drop = STT_DROP_BEYOND_FRAME;
        result->dropped = true;
    } else if (seg->len == seg->frame_len) {
        /* Fast path: the segment is a whole frame (so its offset is 0).  It
         * needs no state, so it takes neither the lock nor the table. */
        packet = stt_reasm_packet_new(seg->len);
        dp_packet_put(packet, seg->data, seg->len);
        result->ce = seg->ce;
        return packet;
    }

    local = stt_reasm_local_get();
    if (!result->dropped
        && stt_reasm_local_add(local, r, seg, &result->ce, &packet)) {
        return packet;
    }

    ovs_mutex_lock(&r->mutex);
    if (!result->dropped) {
        start = stt_reasm_local_may_start(r, seg, now);
        if (!start) {
            packet = stt_reasm_add__(r, seg, now, result);
        }
    }
    if (result->dropped) {
        stt_reasm_count_drop(r, result->drop);
    }
    ovs_mutex_unlock(&r->mutex);

    if (start) {
        stt_reasm_local_start(local, r, seg, now);
    }
    return packet;
}

void
stt_reasm_run(struct stt_reasm *r, long long now)
{
    ovs_mutex_lock(&r->mutex);
    stt_reasm_expire(r, now);
    ovs_mutex_unlock(&r->mutex);
}

void
stt_reasm_wait(struct stt_reasm *r)
{
    struct stt_reasm_frame *oldest;

    ovs_mutex_lock(&r->mutex);
    oldest = stt_reasm_oldest(r);
    if (oldest) {
        long long int due = oldest->created + r->timeout_ms + 1;

        poll_timer_wait_until(MAX(due, time_msec() + STT_REASM_SWEEP_MS));
    }
    ovs_mutex_unlock(&r->mutex);
}

void
stt_reasm_get_stats(struct stt_reasm *r, struct stt_reasm_stats *stats)
{
    ovs_mutex_lock(&r->mutex);
    stats->frames = hmap_count(&r->frames);
    stats->sources = hmap_count(&r->sources);
    stats->payload = r->payload;
    stats->bytes = r->bytes;
    stats->peak_bytes = r->peak_bytes;
    stats->mem_cap = r->mem_cap;
    stats->timeout_ms = r->timeout_ms;
    atomic_read_relaxed(&r->joined, &stats->completed);
    stats->completed += r->completed;
    stats->evictions = r->evictions;
    stats->timeouts = r->timeouts;
    memcpy(stats->drops, r->drops, sizeof stats->drops);
    ovs_mutex_unlock(&r->mutex);
}

static void
stt_reasm_unixctl_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                       const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct stt_reasm_stats stats;
    struct ds s = DS_EMPTY_INITIALIZER;

    /* One "name: value" per line, so that scripts and tests can grep. */
    stt_reasm_get_stats(stt_reasm_global(), &stats);
    ds_put_format(&s, "frames: %"PRIu64"\n", stats.frames);
    ds_put_format(&s, "sources: %"PRIu64"\n", stats.sources);
    ds_put_format(&s, "payload: %"PRIu64"\n", stats.payload);
    ds_put_format(&s, "bytes: %"PRIu64"\n", stats.bytes);
    ds_put_format(&s, "peak-bytes: %"PRIu64"\n", stats.peak_bytes);
    ds_put_format(&s, "max-bytes: %"PRIu64"\n", stats.mem_cap);
    ds_put_format(&s, "timeout-ms: %lld\n", stats.timeout_ms);
    ds_put_format(&s, "completed: %"PRIu64"\n", stats.completed);
    ds_put_format(&s, "evictions: %"PRIu64"\n", stats.evictions);
    ds_put_format(&s, "timeouts: %"PRIu64"\n", stats.timeouts);
    for (int i = 0; i < N_STT_DROPS; i++) {
        ds_put_format(&s, "drop-%s: %"PRIu64"\n",
                      stt_reasm_drop_name(i), stats.drops[i]);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

/* The first call registers a unixctl command, which is not thread-safe:
 * make it from the main thread (stt_reasm_configure() from the bridge code
 * does) before datapath threads use the table. */
struct stt_reasm *
stt_reasm_global(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;

    if (ovsthread_once_start(&once)) {
        global_reasm = stt_reasm_create(STT_REASM_DEFAULT_CAP,
                                        STT_REASM_DEFAULT_TIMEOUT_MS);
        unixctl_command_register("stt/reassembly-show", "", 0, 0,
                                 stt_reasm_unixctl_show, NULL);
        ovsthread_once_done(&once);
    }
    return global_reasm;
}

/* Values below the minimums are raised to them: a tiny cap or timeout would
 * make every multi-segment frame fail.  Unparsable values mean the
 * defaults.  Called from the main thread only (bridge reconfiguration),
 * which is what makes the static "last" values safe. */
void
stt_reasm_configure(const struct smap *other_config)
{
    static unsigned long long int last_cap = STT_REASM_DEFAULT_CAP;
    static long long int last_timeout = STT_REASM_DEFAULT_TIMEOUT_MS;
    struct stt_reasm *r = stt_reasm_global();
    unsigned long long int cap;
    long long int timeout;

    cap = smap_get_ullong(other_config, "stt-reassembly-max-bytes",
                          STT_REASM_DEFAULT_CAP);
    cap = MIN(MAX(cap, STT_REASM_MIN_CAP), SIZE_MAX);
    timeout = smap_get_int(other_config, "stt-reassembly-timeout",
                           STT_REASM_DEFAULT_TIMEOUT_MS);
    timeout = MAX(timeout, STT_REASM_MIN_TIMEOUT_MS);

    if (cap != last_cap || timeout != last_timeout) {
        VLOG_INFO("STT reassembly: max %llu bytes, timeout %lld ms",
                  cap, timeout);
        last_cap = cap;
        last_timeout = timeout;
    }
    stt_reasm_set_limits(r, cap, timeout);
}
