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

#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H 1

/* What every ovs-nvo3 fuzz target does besides its own checks.  Define
 * FUZZ_TARGET, the target's name, before including this. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "compiler.h"
#include "openvswitch/vlog.h"

/* Reports an invariant the input broke and aborts, so that libFuzzer keeps
 * the input as a crash. */
static void OVS_PRINTF_FORMAT(1, 2) OVS_UNUSED
fuzz_fail(const char *format, ...)
{
    va_list args;

    fputs(FUZZ_TARGET ": invariant violated: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    abort();
}

/* Silences logging unless 'verbose_env' is set in the environment, and
 * returns whether 'flag_env' is. */
static inline bool
fuzz_harness_init(const char *verbose_env, const char *flag_env)
{
    if (!getenv(verbose_env)) {
        vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    }
    return getenv(flag_env) != NULL;
}

#endif /* fuzz-harness.h */
