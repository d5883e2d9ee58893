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

#ifndef STT_REASSEMBLY_H
#define STT_REASSEMBLY_H 1

/* Bounded reassembly of STT frames from TCP-like segments.
 *
 * An STT frame (STT header + padding + inner Ethernet frame) travels as one
 * or more segments.  Each segment's TCP SEQ carries the frame length (high
 * 16 bits) and the segment's byte offset in the frame (low 16 bits); its ACK
 * carries a frame ID.  Segments of one frame are matched by (outer source
 * address, outer destination address, TCP source port, frame ID).
 *
 * Reassembly runs before any tunnel port is looked up, so every host that
 * reaches the STT port feeds it.  The table is shared by all datapath
 * threads (a mutex protects it) and holds at most 'mem_cap' bytes of memory
 * in all, counting its bookkeeping and not only segment data.  One outer
 * source address may hold at most half of that: beyond it, the source's own
 * oldest frames make room.  Beyond the whole cap, the oldest frames of any
 * source do.  Frames whose first segment arrived more than 'timeout_ms' ago
 * are dropped, by stt_reasm_run() even when no further segment comes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct dp_packet;

/* Why a segment was dropped.  Each reason has its own counter (and its own
 * coverage counter). */
enum stt_reasm_drop {
    STT_DROP_EMPTY,             /* Segment with no payload. */
    STT_DROP_SHORT_FRAME,       /* Frame length < STT header + padding. */
    STT_DROP_BEYOND_FRAME,      /* offset + length > frame length. */
    STT_DROP_LEN_MISMATCH,      /* Frame length differs from the frame's. */
    STT_DROP_OVERLAP,           /* Overlaps data already held. */
    STT_DROP_DUPLICATE,         /* Exactly repeats data already held. */
    STT_DROP_TOO_BIG,           /* A frame larger than a source's share. */
    STT_DROP_TOO_MANY_SEGS,     /* More than STT_REASM_MAX_FRAME_SEGS. */
    N_STT_DROPS
};

const char *stt_reasm_drop_name(enum stt_reasm_drop);

/* Identifies the frame a segment belongs to.  IPv4 addresses are stored
 * IPv4-mapped.  The struct is hashed and compared as bytes: zero it before
 * filling it in.  The source port is part of it so that a spoofed first
 * segment must also guess the port a sender picked for its inner flow. */
struct stt_reasm_key {
    struct in6_addr src;
    struct in6_addr dst;
    uint32_t frame_id;          /* Host byte order. */
    uint16_t src_port;          /* Host byte order. */
    uint16_t pad;               /* Always 0. */
};

/* Most segments one frame may have.  A 64 kB frame cut for a 576-byte path
 * has 123; more means someone is trying to make insertion expensive. */
#define STT_REASM_MAX_FRAME_SEGS 256

/* A segment offered to the table: 'data' points to its TCP payload. */
struct stt_reasm_seg {
    struct stt_reasm_key key;
    uint16_t frame_len;         /* SEQ >> 16. */
    uint16_t offset;            /* SEQ & 0xffff. */
    const void *data;
    size_t len;
    bool ce;                    /* Outer IP header had ECN CE. */
};

struct stt_reasm_stats {
    uint64_t frames;            /* Incomplete frames held now. */
    uint64_t sources;           /* Outer source addresses holding them. */
    uint64_t payload;           /* Segment data held now. */
    uint64_t bytes;             /* Memory held now, bookkeeping included. */
    uint64_t peak_bytes;        /* Highest 'bytes' so far. */
    uint64_t mem_cap;           /* Configured cap on 'bytes'. */
    long long timeout_ms;       /* Configured timeout. */
    uint64_t completed;         /* Frames completed from 2+ segments. */
    uint64_t evictions;         /* Frames evicted to respect the cap. */
    uint64_t timeouts;          /* Frames expired incomplete. */
    uint64_t drops[N_STT_DROPS];
};

#define STT_REASM_DEFAULT_CAP (4 * 1024 * 1024)
#define STT_REASM_DEFAULT_TIMEOUT_MS (30 * 1000)

struct stt_reasm;

struct stt_reasm *stt_reasm_create(size_t mem_cap, long long timeout_ms);
void stt_reasm_destroy(struct stt_reasm *);
void stt_reasm_set_limits(struct stt_reasm *, size_t mem_cap,
                          long long timeout_ms);

/* What became of a segment offered to stt_reasm_add(). */
struct stt_reasm_result {
    bool ce;                    /* Completed a frame one of whose segments
                                 * had CE. */
    bool dropped;               /* Dropped (and counted)... */
    enum stt_reasm_drop drop;   /* ...for this reason. */
};

/* Offers 'seg', which arrived at time 'now' (msec).  The caller keeps
 * ownership of the segment's data.
 *
 * Returns a new packet holding the whole frame, starting at the STT header,
 * once 'seg' completes it, otherwise NULL: the segment is held or dropped.
 * '*result' says which, and whether the frame had CE.
 *
 * Segments are offered in batches: after each batch, the thread that
 * offered it calls stt_reasm_flush(), which hands the frames it joined in
 * place and did not complete to their tables. */
struct dp_packet *stt_reasm_add(struct stt_reasm *,
                                const struct stt_reasm_seg *,
                                long long now, struct stt_reasm_result *);

/* Expires frames older than the timeout.  Cheap when there is nothing to
 * do.  stt_reasm_wait() makes the poll loop wake up when a frame is due. */
void stt_reasm_flush(void);

void stt_reasm_run(struct stt_reasm *, long long now);
void stt_reasm_wait(struct stt_reasm *);

void stt_reasm_get_stats(struct stt_reasm *, struct stt_reasm_stats *);

/* The switch-wide table used by the STT ports of the userspace datapath,
 * created on first use, with the unixctl command "stt/reassembly-show"
 * registered. */
struct stt_reasm *stt_reasm_global(void);

struct smap;
/* Applies other_config:stt-reassembly-max-bytes and
 * other_config:stt-reassembly-timeout (msec) of the Open_vSwitch table to
 * the global table (defaults when absent or invalid). */
void stt_reasm_configure(const struct smap *other_config);

#endif /* stt-reassembly.h */
