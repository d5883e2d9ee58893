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

# Builds the libFuzzer targets into build/fuzz/ with clang:
#
#   stt-pop, stt-reassembly    lib/netdev-native-tnl-stt.c,
#                              lib/stt-offload.c, lib/stt-reassembly.c,
#                              lib/netdev-sw-offload.c
#   nvgre-pop                  ofproto/tunnel-nvgre.c,
#                              lib/netdev-native-tnl-nvgre.c and upstream's
#                              lib/netdev-native-tnl.c (GRE pop and push)
#                              and lib/csum.c (so that reads of checksummed
#                              bytes are checked too)
#   tunnel-options             lib/netdev-nvo3-config.c,
#                              lib/netdev-gre-overlap.c,
#                              lib/netdev-native-tnl-nvgre.c and upstream's
#                              lib/netdev-vport.c (set_tunnel_config())
#
# The files listed for a target are compiled here with coverage and
# sanitizer instrumentation (upstream's from build/ovs, ours from this
# repository); everything else comes from the already built
# build/ovs/lib/.libs/libopenvswitch.a, which is only read.  The objects
# named on the command line define every symbol of their archive
# counterparts, so the linker never pulls those in.
#
# Environment: CC (default clang), FUZZ_CFLAGS (extra compiler flags).

set -e

top=$(cd "$(dirname "$0")/../.." && pwd)
ovs=$top/build/ovs
out=$top/build/fuzz
CC=${CC:-clang}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "$0: $CC not found; on Debian 12:" >&2
    echo "  apt-get install -y clang libclang-rt-14-dev" >&2
    exit 1
fi
for f in "$ovs/config.h" "$ovs/lib/.libs/libopenvswitch.a"; do
    if test ! -e "$f"; then
        echo "$0: $f missing: build the tree first (make)" >&2
        exit 1
    fi
done

# As build/ovs/Makefile: DEFS, DEFAULT_INCLUDES, AM_CPPFLAGS; the warnings
# are WARNING_FLAGS less the GCC-only ones.
cppflags="-DHAVE_CONFIG_H -I$ovs -I$ovs/include -I$ovs/lib"
warnings="-Wall -Wextra -Wno-sign-compare -Wpointer-arith -Wformat
    -Wformat-security -Wswitch-enum -Wunused-parameter -Wbad-function-cast
    -Wstrict-prototypes -Wold-style-definition -Wmissing-prototypes
    -Wmissing-field-initializers -fno-strict-aliasing -Wshadow"
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -fno-omit-frame-pointer $sanitize $warnings ${FUZZ_CFLAGS:-}"
libs="-lssl -lcrypto -lcap-ng -latomic -lm -lpthread"

mkdir -p "$out/obj"

# compile SRC: compiles SRC (a path relative to the top of this repository,
# or to build/ovs for upstream files) into build/fuzz/obj/.
compile() {
    src=$1
    obj=$out/obj/$(basename "$src" .c).o
    if test -e "$top/$src"; then
        path=$top/$src
    else
        path=$ovs/$src
    fi
    echo "  CC      $src"
    $CC $cppflags $cflags -fsanitize=fuzzer-no-link -c "$path" -o "$obj"
}

# link TARGET SRC...: links build/fuzz/TARGET-fuzz from its harness and
# the objects of the instrumented sources SRC.
link() {
    target=$1
    shift
    objs=
    for src in "$@"; do
        objs="$objs $out/obj/$(basename "$src" .c).o"
    done
    echo "  CCLD    $out/$target-fuzz"
    $CC $cppflags $cflags -fsanitize=fuzzer \
        "$top/tests/fuzz/$target-fuzz.c" $objs \
        "$ovs/lib/.libs/libopenvswitch.a" $libs -o "$out/$target-fuzz"
}

stt="lib/netdev-native-tnl-stt.c lib/stt-offload.c lib/stt-reassembly.c
     lib/netdev-sw-offload.c"
nvgre="ofproto/tunnel-nvgre.c lib/netdev-native-tnl-nvgre.c
       lib/netdev-native-tnl.c lib/csum.c"
options="lib/netdev-nvo3-config.c lib/netdev-gre-overlap.c
         lib/netdev-vport.c"

for src in $stt $nvgre $options; do
    compile "$src"
done

link stt-pop $stt
link stt-reassembly $stt
link nvgre-pop $nvgre
link tunnel-options $options lib/netdev-native-tnl-nvgre.c
