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

/* Drives lib/stt-coalesce from batches of frames on stdin.
 *
 * usage: ovstest test-stt-coalesce [MAX_LEN] < BATCHES
 *
 * Every input line is a batch: Ethernet frames in hex, separated by
 * spaces.  For each batch, prints "joined=N" (what stt_coalesce_batch()
 * returned, with MAX_LEN, default 65407, and 128 bytes of headroom), then
 * one line per packet of the batch afterwards: "plain HEX" for a packet
 * that asks for no offload, and for one that asks for TCP segmentation
 * "tso flags=F l4=L mss=M HEX", where F, L and M are what STT's push
 * writes into the STT header (stt_offload_encode()), and the TCP
 * checksum field, which the push leaves holding the pseudo-header sum, is
 * completed as the receiver completes it (summing the segment over it). */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "ovstest.h"
#include "packets.h"
#include "stt.h"
#include "stt-coalesce.h"
#include "stt-offload.h"
#include "util.h"

#define TEST_HEADROOM 128

static void
put_encoded_tso(struct ds *s, struct dp_packet *packet)
{
    struct tcp_header *tcp = dp_packet_l4(packet);
    size_t l4_len = dp_packet_l4_size(packet);
    struct stt_header stt;

    memset(&stt, 0, sizeof stt);
    stt_offload_encode(packet, &stt);
    tcp->tcp_csum = csum(tcp, l4_len);
    ds_put_format(s, "tso flags=0x%02x l4=%u mss=%u ", stt.flags,
                  stt.l4_offset, ntohs(stt.mss));
}

static void
run_batch(char *line, size_t max_len)
{
    struct dp_packet_batch batch;
    char *save_ptr = NULL;
    struct ds s = DS_EMPTY_INITIALIZER;

    dp_packet_batch_init(&batch);
    for (char *hex = strtok_r(line, " \t\n", &save_ptr); hex;
         hex = strtok_r(NULL, " \t\n", &save_ptr)) {
        struct dp_packet *packet;
        struct flow flow;
        const char *error = eth_from_hex(hex, &packet);

        if (error) {
            ovs_fatal(0, "%s: %s", hex, error);
        }
        if (dp_packet_batch_size(&batch) >= NETDEV_MAX_BURST) {
            ovs_fatal(0, "more than %d frames in a batch", NETDEV_MAX_BURST);
        }
        pkt_metadata_init(&packet->md, 1);
        flow_extract(packet, &flow);
        dp_packet_batch_add(&batch, packet);
    }
    if (dp_packet_batch_is_empty(&batch)) {
        return;
    }

    printf("joined=%"PRIuSIZE"\n",
           stt_coalesce_batch(&batch, max_len, TEST_HEADROOM));

    struct dp_packet *packet;
    DP_PACKET_BATCH_FOR_EACH (i, packet, &batch) {
        const uint8_t *data = dp_packet_data(packet);

        ds_clear(&s);
        if (stt_offload_is_tso(packet)) {
            put_encoded_tso(&s, packet);
        } else {
            ds_put_cstr(&s, "plain ");
        }
        for (size_t j = 0; j < dp_packet_size(packet); j++) {
            ds_put_format(&s, "%02x", data[j]);
        }
        printf("%s\n", ds_cstr(&s));
    }
    dp_packet_delete_batch(&batch, true);
    ds_destroy(&s);
}

static void
test_stt_coalesce_main(int argc, char *argv[])
{
    size_t max_len = argc > 1 ? strtoul(argv[1], NULL, 10) : 65407;
    struct ds line = DS_EMPTY_INITIALIZER;

    while (!ds_get_line(&line, stdin)) {
        run_batch(ds_cstr(&line), max_len);
    }
    ds_destroy(&line);
}

OVSTEST_REGISTER("test-stt-coalesce", test_stt_coalesce_main);
