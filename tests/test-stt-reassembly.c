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

/* Drives lib/stt-reassembly from a line-based script on stdin.
 *
 * usage: ovstest test-stt-reassembly [run]
 *        ovstest test-stt-reassembly [DAEMON-OPTIONS] serve
 *
 * "run" (the default) executes the script and exits.  "serve" executes it
 * on the global table, then serves unixctl commands (among them
 * stt/reassembly-show) until "ovs-appctl -t test-stt-reassembly exit".
 *
 * Script commands, one per line ('#' starts a comment):
 *
 *   create CAP TIMEOUT     Use a new table (the first one is 4 MiB, 30 s).
 *   global                 Use stt_reasm_global().
 *   configure [K=V]...     stt_reasm_configure() with these other_config.
 *   limits CAP TIMEOUT     stt_reasm_set_limits() on the current table.
 *   time NOW               Set the clock (msec) for later "seg" and "run".
 *   seg SRC DST ID FRAME_LEN OFFSET LEN [ce] [sport=PORT]
 *                          Offer a segment of LEN bytes at OFFSET of frame
 *                          ID, from SRC to DST (IPv4 or IPv6) and TCP
 *                          source port PORT (default 0), the outer header
 *                          with CE if "ce" is given.
 *   batch                  Offer the following segments as one batch: no
 *                          stt_reasm_flush() until "flush".  (Otherwise
 *                          every "seg" is a batch of its own.)
 *   flush                  stt_reasm_flush(), ending a batch.
 *   run                    stt_reasm_run().
 *   threads N FRAMES       N threads at once each offer FRAMES frames of
 *                          3 segments, in varying orders, and as many whole
 *                          frames, on the current table; print a summary.
 *   stats                  Print the statistics on one line: "data" is
 *                          segment data held, "mem" all memory charged.
 *   show                   Print them as stt/reassembly-show does.
 *
 * Segment payloads come from pattern_byte(), a function of the frame key and
 * of the byte's offset in the frame, so that a completed frame can be
 * checked byte by byte.  "seg" prints "held", "drop REASON" or, when the
 * frame completes, "frame len=N ce=0|1 sum=S pattern=ok|BAD" plus, for
 * frames up to 32 bytes, "hex=..." (S is the sum of (i + 1) * byte[i],
 * modulo 2**32).  After every command, the statistics must show that the
 * bytes held respect the cap. */

#include <config.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "daemon.h"
#include "dp-packet.h"
#include "nvo3-compat.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "ovstest.h"
#include "packets.h"
#include "smap.h"
#include "stt-reassembly.h"
#include "unixctl.h"
#include "util.h"

struct test_ctx {
    struct stt_reasm *reasm;    /* Table under test. */
    bool owned;                 /* Destroy 'reasm' when replaced? */
    long long int now;          /* Clock for "seg" and "run". */
    int line_number;
    bool in_batch;              /* Between "batch" and "flush". */
};

static void OVS_PRINTF_FORMAT(2, 3) OVS_NO_RETURN
script_error(const struct test_ctx *ctx, const char *format, ...)
{
    va_list args;
    char *msg;

    va_start(args, format);
    msg = xvasprintf(format, args);
    va_end(args);
    ovs_fatal(0, "stdin:%d: %s", ctx->line_number, msg);
}

static void
use_table(struct test_ctx *ctx, struct stt_reasm *reasm, bool owned)
{
    if (ctx->owned) {
        stt_reasm_destroy(ctx->reasm);
    }
    ctx->reasm = reasm;
    ctx->owned = owned;
}

static long long int
parse_number(const struct test_ctx *ctx, const char *s)
{
    long long int value;

    if (!s || !str_to_llong(s, 10, &value)) {
        script_error(ctx, "%s: number expected", s ? s : "(end of line)");
    }
    return value;
}

static void
parse_address(const struct test_ctx *ctx, const char *s,
              struct in6_addr *addr)
{
    struct in_addr ip4;

    if (s && inet_pton(AF_INET, s, &ip4) == 1) {
        in6_addr_set_mapped_ipv4(addr, ip4.s_addr);
    } else if (!s || inet_pton(AF_INET6, s, addr) != 1) {
        script_error(ctx, "%s: address expected", s ? s : "(end of line)");
    }
}

/* The byte at 'offset' in the frame with 'key'.  Mixing in the source
 * address distinguishes frames that only differ by address pair; the
 * 'offset >> 8' term makes misplaced 256-byte blocks visible. */
static uint8_t
pattern_byte(const struct stt_reasm_key *key, size_t offset)
{
    return offset * 7 + (offset >> 8) + key->frame_id + key->src.s6_addr[15];
}

static void
print_frame(const struct stt_reasm_key *key, const struct dp_packet *packet,
            bool ce)
{
    const uint8_t *data = dp_packet_data(packet);
    size_t len = dp_packet_size(packet);
    bool pattern_ok = true;
    uint32_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum += (uint32_t) (i + 1) * data[i];
        pattern_ok &= data[i] == pattern_byte(key, i);
    }
    printf("frame len=%"PRIuSIZE" ce=%d sum=%"PRIu32" pattern=%s",
           len, ce, sum, pattern_ok ? "ok" : "BAD");
    if (len <= 32) {
        printf(" hex=");
        for (size_t i = 0; i < len; i++) {
            printf("%02x", data[i]);
        }
    }
    putchar('\n');

    /* The caller pushes and pulls headers on the result: it needs headroom,
     * as much as a dp_packet, whose allocation is counted in 16 bits, can
     * have beside the frame. */
    if (dp_packet_headroom(packet) < MIN(128, UINT16_MAX - len)) {
        printf("BUG: only %"PRIuSIZE" bytes of headroom\n",
               dp_packet_headroom(packet));
    }
    if ((const char *) dp_packet_end(packet)
        < (const char *) dp_packet_tail(packet)) {
        printf("BUG: the packet's allocation size wrapped\n");
    }
}

static void
do_seg(struct test_ctx *ctx, char *args[], int n_args)
{
    struct stt_reasm_result result;
    struct stt_reasm_seg seg;
    struct dp_packet *packet;
    uint8_t *data;

    if (n_args < 6) {
        script_error(ctx, "usage: seg SRC DST ID FRAME_LEN OFFSET LEN [ce] "
                     "[sport=PORT]");
    }

    memset(&seg, 0, sizeof seg);
    for (int i = 6; i < n_args; i++) {
        if (!strcmp(args[i], "ce")) {
            seg.ce = true;
        } else if (!strncmp(args[i], "sport=", 6)) {
            seg.key.src_port = parse_number(ctx, args[i] + 6);
        } else {
            script_error(ctx, "unknown segment option %s", args[i]);
        }
    }
    parse_address(ctx, args[0], &seg.key.src);
    parse_address(ctx, args[1], &seg.key.dst);
    seg.key.frame_id = parse_number(ctx, args[2]);
    seg.frame_len = parse_number(ctx, args[3]);
    seg.offset = parse_number(ctx, args[4]);
    seg.len = parse_number(ctx, args[5]);

    /* Exactly 'len' bytes, so that a reader past the end trips valgrind or
     * the address sanitizer. */
    data = xmalloc(MAX(seg.len, 1));
    for (size_t i = 0; i < seg.len; i++) {
        data[i] = pattern_byte(&seg.key, seg.offset + i);
    }
    seg.data = data;

    packet = stt_reasm_add(ctx->reasm, &seg, ctx->now, &result);
    if (!ctx->in_batch) {
        stt_reasm_flush();
    }
    if (packet) {
        if (result.dropped) {
            printf("BUG: packet returned with a drop\n");
        }
        print_frame(&seg.key, packet, result.ce);
        dp_packet_delete(packet);
    } else if (result.dropped) {
        printf("drop %s\n", stt_reasm_drop_name(result.drop));
    } else {
        printf("held\n");
        if (result.ce) {
            printf("BUG: ce set on a held segment\n");
        }
    }
    free(data);
}

/* Checks the frame that 'key' completed with 'frame_len' bytes. */
static bool
frame_is_good(const struct stt_reasm_key *key, const struct dp_packet *packet,
              size_t frame_len)
{
    const uint8_t *data = dp_packet_data(packet);

    if (dp_packet_size(packet) != frame_len) {
        return false;
    }
    for (size_t i = 0; i < frame_len; i++) {
        if (data[i] != pattern_byte(key, i)) {
            return false;
        }
    }
    return true;
}

struct stress_thread {
    struct stt_reasm *reasm;
    unsigned int id;
    unsigned int n_frames;
    long long int now;
    unsigned int completed;     /* Frames from 3 segments. */
    unsigned int whole;         /* Frames from 1 segment. */
    unsigned int bad;           /* Wrong outcomes. */
};

static void *
stress_main(void *st_)
{
    enum { FRAME_LEN = 3000 };
    /* The first segment holds half the frame, so that frames offered in
     * order are joined in place and the others go through the table. */
    static const uint16_t offsets[3] = { 0, 1500, 2500 };
    static const uint16_t lens[3] = { 1500, 1000, 500 };
    static const int orders[3][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 1, 2, 0 } };
    struct stress_thread *st = st_;
    uint8_t *data = xmalloc(FRAME_LEN);

    for (unsigned int f = 0; f < st->n_frames; f++) {
        struct stt_reasm_result result;
        struct stt_reasm_seg seg;
        struct dp_packet *packet;

        /* Threads share the addresses, not the frame IDs, so that their
         * frames land in the same table and may share hash buckets. */
        memset(&seg, 0, sizeof seg);
        in6_addr_set_mapped_ipv4(&seg.key.src, htonl(0x0a000001));
        in6_addr_set_mapped_ipv4(&seg.key.dst, htonl(0x0a000002));
        seg.key.frame_id = st->id << 24 | f;
        seg.frame_len = FRAME_LEN;
        for (size_t i = 0; i < FRAME_LEN; i++) {
            data[i] = pattern_byte(&seg.key, i);
        }

        for (int i = 0; i < 3; i++) {
            seg.offset = offsets[orders[f % 3][i]];
            seg.len = lens[orders[f % 3][i]];
            seg.data = data + seg.offset;
            packet = stt_reasm_add(st->reasm, &seg, st->now, &result);
            if (result.dropped || (i < 2) != !packet
                || (packet && !frame_is_good(&seg.key, packet, FRAME_LEN))) {
                st->bad++;
            } else if (packet) {
                st->completed++;
            }
            dp_packet_delete(packet);
        }
        stt_reasm_flush();

        seg.offset = 0;
        seg.len = FRAME_LEN;
        seg.data = data;
        packet = stt_reasm_add(st->reasm, &seg, st->now, &result);
        if (!packet || !frame_is_good(&seg.key, packet, FRAME_LEN)) {
            st->bad++;
        } else {
            st->whole++;
        }
        dp_packet_delete(packet);
    }
    free(data);
    return NULL;
}

static void
do_threads(struct test_ctx *ctx, char *args[], int n_args)
{
    unsigned int completed = 0, whole = 0, bad = 0;
    struct stress_thread *threads;
    pthread_t *ids;
    int n;

    if (n_args != 2) {
        script_error(ctx, "usage: threads N FRAMES");
    }
    n = parse_number(ctx, args[0]);
    if (n < 1 || n > 64) {
        script_error(ctx, "1 to 64 threads");
    }

    threads = xcalloc(n, sizeof *threads);
    ids = xcalloc(n, sizeof *ids);
    for (int i = 0; i < n; i++) {
        threads[i].reasm = ctx->reasm;
        threads[i].id = i + 1;
        threads[i].n_frames = parse_number(ctx, args[1]);
        threads[i].now = ctx->now;
        ids[i] = ovs_thread_create("stt-reasm-stress", stress_main,
                                   &threads[i]);
    }
    for (int i = 0; i < n; i++) {
        xpthread_join(ids[i], NULL);
        completed += threads[i].completed;
        whole += threads[i].whole;
        bad += threads[i].bad;
    }
    printf("threads completed=%u whole=%u bad=%u\n", completed, whole, bad);
    free(threads);
    free(ids);
}

static void
do_stats(struct test_ctx *ctx)
{
    struct stt_reasm_stats stats;
    bool any = false;

    stt_reasm_get_stats(ctx->reasm, &stats);
    printf("frames=%"PRIu64" sources=%"PRIu64" data=%"PRIu64" mem=%"PRIu64
           " completed=%"PRIu64" evictions=%"PRIu64" timeouts=%"PRIu64
           " drops=", stats.frames, stats.sources, stats.payload,
           stats.bytes, stats.completed, stats.evictions, stats.timeouts);
    for (int i = 0; i < N_STT_DROPS; i++) {
        if (stats.drops[i]) {
            printf("%s%s:%"PRIu64, any ? "," : "", stt_reasm_drop_name(i),
                   stats.drops[i]);
            any = true;
        }
    }
    printf("%s\n", any ? "" : "none");
}

static void
do_show(struct test_ctx *ctx)
{
    struct stt_reasm_stats stats;

    stt_reasm_get_stats(ctx->reasm, &stats);
    printf("frames: %"PRIu64"\n", stats.frames);
    printf("sources: %"PRIu64"\n", stats.sources);
    printf("payload: %"PRIu64"\n", stats.payload);
    printf("bytes: %"PRIu64"\n", stats.bytes);
    printf("peak-bytes: %"PRIu64"\n", stats.peak_bytes);
    printf("max-bytes: %"PRIu64"\n", stats.mem_cap);
    printf("timeout-ms: %lld\n", stats.timeout_ms);
    printf("completed: %"PRIu64"\n", stats.completed);
    printf("evictions: %"PRIu64"\n", stats.evictions);
    printf("timeouts: %"PRIu64"\n", stats.timeouts);
    for (int i = 0; i < N_STT_DROPS; i++) {
        printf("drop-%s: %"PRIu64"\n", stt_reasm_drop_name(i),
               stats.drops[i]);
    }
}

static void
do_configure(struct test_ctx *ctx, char *args[], int n_args)
{
    struct smap other_config = SMAP_INITIALIZER(&other_config);

    for (int i = 0; i < n_args; i++) {
        char *eq = strchr(args[i], '=');

        if (!eq) {
            script_error(ctx, "%s: KEY=VALUE expected", args[i]);
        }
        *eq = '\0';
        smap_add(&other_config, args[i], eq + 1);
    }
    stt_reasm_configure(&other_config);
    smap_destroy(&other_config);
}

/* Runs the script on stdin against 'ctx'. */
static void
run_script(struct test_ctx *ctx)
{
    struct ds line = DS_EMPTY_INITIALIZER;

    ctx->line_number = 0;
    while (!ds_get_preprocessed_line(&line, stdin, &ctx->line_number)) {
        char *args[16], *save_ptr = NULL, *cmd, *arg;
        struct stt_reasm_stats stats;
        int n_args = 0;

        cmd = strtok_r(ds_cstr(&line), " \t", &save_ptr);
        if (!cmd) {
            continue;
        }
        while ((arg = strtok_r(NULL, " \t", &save_ptr))) {
            if (n_args >= (int) ARRAY_SIZE(args)) {
                script_error(ctx, "too many arguments");
            }
            args[n_args++] = arg;
        }

        if (!strcmp(cmd, "create") && n_args == 2) {
            use_table(ctx, stt_reasm_create(parse_number(ctx, args[0]),
                                            parse_number(ctx, args[1])),
                      true);
        } else if (!strcmp(cmd, "global") && !n_args) {
            use_table(ctx, stt_reasm_global(), false);
        } else if (!strcmp(cmd, "configure")) {
            do_configure(ctx, args, n_args);
        } else if (!strcmp(cmd, "limits") && n_args == 2) {
            stt_reasm_set_limits(ctx->reasm, parse_number(ctx, args[0]),
                                 parse_number(ctx, args[1]));
        } else if (!strcmp(cmd, "time") && n_args == 1) {
            ctx->now = parse_number(ctx, args[0]);
        } else if (!strcmp(cmd, "seg")) {
            do_seg(ctx, args, n_args);
        } else if (!strcmp(cmd, "batch") && !n_args) {
            ctx->in_batch = true;
        } else if (!strcmp(cmd, "flush") && !n_args) {
            stt_reasm_flush();
            ctx->in_batch = false;
        } else if (!strcmp(cmd, "run") && !n_args) {
            stt_reasm_run(ctx->reasm, ctx->now);
        } else if (!strcmp(cmd, "threads")) {
            do_threads(ctx, args, n_args);
        } else if (!strcmp(cmd, "stats") && !n_args) {
            do_stats(ctx);
        } else if (!strcmp(cmd, "show") && !n_args) {
            do_show(ctx);
        } else {
            script_error(ctx, "%s: unknown command or wrong argument count",
                         cmd);
        }

        /* The invariant the cap promises, after every step. */
        stt_reasm_get_stats(ctx->reasm, &stats);
        if (stats.bytes > stats.mem_cap) {
            printf("BUG: %"PRIu64" bytes held, over the cap of %"PRIu64"\n",
                   stats.bytes, stats.mem_cap);
        }
    }
    ds_destroy(&line);
    fflush(stdout);
}

static void
test_stt_reassembly_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                         const char *argv[] OVS_UNUSED, void *exiting_)
{
    bool *exiting = exiting_;

    *exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
serve(struct test_ctx *ctx)
{
    struct unixctl_server *server;
    bool exiting = false;
    int error;

    use_table(ctx, stt_reasm_global(), false);
    run_script(ctx);

    nvo3_daemonize_start();
    error = unixctl_server_create(NULL, &server);
    if (error) {
        ovs_fatal(error, "failed to create unixctl server");
    }
    unixctl_command_register("exit", "", 0, 0, test_stt_reassembly_exit,
                             &exiting);
    daemonize_complete();

    for (;;) {
        unixctl_server_run(server);
        if (exiting) {
            break;
        }
        unixctl_server_wait(server);
        poll_block();
    }
    unixctl_server_destroy(server);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS
    };
    static const struct option long_options[] = {
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);
}

static void
test_stt_reassembly_main(int argc, char *argv[])
{
    struct test_ctx ctx = { .now = 0 };
    const char *mode;

    set_program_name(argv[0]);
    parse_options(argc, argv);
    mode = optind < argc ? argv[optind] : "run";
    if (argc - optind > 1) {
        ovs_fatal(0, "at most one non-option argument (run or serve)");
    }

    if (!strcmp(mode, "run")) {
        use_table(&ctx, stt_reasm_create(STT_REASM_DEFAULT_CAP,
                                         STT_REASM_DEFAULT_TIMEOUT_MS),
                  true);
        run_script(&ctx);
        use_table(&ctx, NULL, false);
    } else if (!strcmp(mode, "serve")) {
        serve(&ctx);
    } else {
        ovs_fatal(0, "%s: unknown mode (use run or serve)", mode);
    }
}

OVSTEST_REGISTER("test-stt-reassembly", test_stt_reassembly_main);
