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

/* Checks csum_continue(), which the series makes sum 32-bit words
 * (patches/BASE/0028), against the plain definition of the Internet
 * checksum: 16-bit words one at a time, an odd last byte padded with
 * zero.
 *
 * usage: ovstest test-csum-words
 *
 * Prints the checksum of RFC 1071's example and then, for random data at
 * every alignment from 0 to 7, every length from 0 to MAX_LEN and in two
 * pieces split at an even offset, how many sums were compared.  Exits 1
 * at the first disagreement. */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "ovstest.h"
#include "random.h"
#include "util.h"

#define MAX_LEN 2100

/* The definition, written for the test: not what lib/csum.c does. */
static uint16_t
reference_csum(uint32_t partial, const uint8_t *data, size_t n)
{
    uint64_t sum = partial;

    for (size_t i = 0; i + 1 < n; i += 2) {
        uint16_t word;

        memcpy(&word, &data[i], 2);
        sum += word;
    }
    if (n % 2) {
        uint8_t last[2] = { data[n - 1], 0 };
        uint16_t word;

        memcpy(&word, last, 2);
        sum += word;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum;
}

static void
check(const char *what, size_t align, size_t len, uint32_t partial,
      uint32_t got, uint16_t want)
{
    if (csum_finish(got) != want || got > UINT16_MAX) {
        printf("%s: alignment %"PRIuSIZE", length %"PRIuSIZE", start "
               "%#"PRIx32": partial %#"PRIx32", checksum %#"PRIx16", "
               "want %#"PRIx16"\n", what, align, len, partial, got,
               csum_finish(got), want);
        exit(1);
    }
}

static void
test_csum_words_main(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    static const uint8_t rfc1071[] = {
        0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
    };
    uint8_t *buf = xmalloc(MAX_LEN + 8);
    size_t compared = 0;

    printf("rfc1071 %04"PRIx16"\n",
           ntohs(csum_finish(csum_continue(0, rfc1071, sizeof rfc1071))));

    random_set_seed(1071);
    random_bytes(buf, MAX_LEN + 8);
    /* Stretches of 0xff and 0x00 make carries and a zero sum likely. */
    memset(buf + 100, 0xff, 700);
    memset(buf + 1000, 0, 300);

    for (size_t align = 0; align < 8; align++) {
        for (size_t len = 0; len <= MAX_LEN; len++) {
            const uint8_t *data = buf + align;
            uint32_t partial = random_uint32() % 0x50000;
            size_t split = random_range(len / 2 + 1) * 2;
            uint16_t want = reference_csum(partial, data, len);
            uint32_t got;

            got = csum_continue(partial, data, len);
            check("whole", align, len, partial, got, want);

            got = csum_continue(csum_continue(partial, data, split),
                                data + split, len - split);
            check("split", align, len, partial, got, want);
            compared += 2;
        }
    }
    printf("compared %"PRIuSIZE"\n", compared);
    free(buf);
}

OVSTEST_REGISTER("test-csum-words", test_csum_words_main);
