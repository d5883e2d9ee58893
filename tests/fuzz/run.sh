#!/bin/sh
# Copyright (c) 2026 The ovs-nvo3 authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Usage: tests/fuzz/run.sh TARGET SECONDS [LIBFUZZER-OPTION...]
#
# Runs build/fuzz/TARGET-fuzz (TARGET is stt-pop, stt-reassembly,
# nvgre-pop or tunnel-options, built by tests/fuzz/build.sh) for SECONDS in
# one process, on a working corpus
# build/fuzz/corpus/TARGET/ that starts as a copy of the committed seeds
# tests/fuzz/corpus/TARGET/ and keeps what earlier runs found.  Crashing
# inputs go to build/fuzz/artifacts/TARGET/, the whole log to
# build/fuzz/TARGET.log.  Prints libFuzzer's last status line (executions,
# cov, ft, corpus) and its final statistics.  Exits nonzero on a crash.
# tunnel-options runs with leak detection after every input (its harness
# closes all its ports at the end of each input).

set -e

if test $# -lt 2; then
    echo "usage: $0 TARGET SECONDS [LIBFUZZER-OPTION...]" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/fuzz
bin=$out/$target-fuzz
seeds=$top/tests/fuzz/corpus/$target
corpus=$out/corpus/$target
artifacts=$out/artifacts/$target
log=$out/$target.log

if test ! -d "$seeds"; then
    echo "$0: unknown target $target (no $seeds)" >&2
    exit 2
fi
if test ! -x "$bin"; then
    echo "$0: $bin missing: run tests/fuzz/build.sh first" >&2
    exit 1
fi

mkdir -p "$corpus" "$artifacts"
cp "$seeds"/* "$corpus"/

if test "$target" = tunnel-options; then
    ASAN_OPTIONS=detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
    export ASAN_OPTIONS
    set -- -detect_leaks=1 "$@"
fi

status=0
"$bin" -max_total_time="$seconds" -max_len=70000 -timeout=25 \
       -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" \
       "$corpus" >"$log" 2>&1 || status=$?

# The last status line: "#RUNS DONE cov: N ft: N corp: N/SIZE exec/s: N",
# or the last progress line if the run ended on a crash.
grep -E '^#[0-9]+' "$log" | tail -1
grep -E '^(stat::|SUMMARY|artifact_prefix|Test unit written)' "$log" || true
if test $status != 0; then
    echo "$0: $target-fuzz exited with status $status; see $log" >&2
fi
exit $status
