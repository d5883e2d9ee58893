#! /bin/bash
# ovs-nvo3 OVN scale run: N chassis on one underlay switch, one VM each on
# one logical switch, OVN making the full mesh of STT tunnels; then the
# failures an operator lives through, with traffic running.
#
# Usage: nvo3-ovn-scale.sh BUILDDIR BASE [N]     (N default 8; run as root)
#
# BUILDDIR is the build of Open vSwitch base BASE; OVN is the one
# build-aux/nvo3-ovn.sh gives that base.  Prints:
#   - the time from the last ovn-controller start to all-pairs reachability,
#     the STT tunnels on every chassis, ovs-vswitchd's and ovn-controller's
#     RSS on every chassis, and the loss of 10 pings over every pair;
#   - with pings every 0.1 s from each of VMs 1..N-1 to the next (a ring)
#     and from VM 1 to VM N, the longest gap in answers while hvN's
#     ovn-controller restarts, while its ovs-vswitchd restarts, while hvN
#     is removed from the southbound database, and how long hvN takes to be
#     back in the mesh after a kill of all its daemons and a restart.
# Exits non-zero if the mesh is incomplete, a ping of the steady state is
# lost, or traffic between the chassis other than hvN stops for more than
# GAP_LIMIT (5) seconds.
set -e -o pipefail

builddir=${1:?usage: nvo3-ovn-scale.sh BUILDDIR BASE [N]}
base=${2:?usage: nvo3-ovn-scale.sh BUILDDIR BASE [N]}
n=${3:-8}
gap_limit=${GAP_LIMIT:-5}
top=$(cd "$(dirname "$0")/.." && pwd)

[ "$(id -u)" = 0 ] || { echo "nvo3-ovn-scale: must run as root" >&2; exit 1; }
[ "$n" -ge 3 ] && [ "$n" -le 250 ] ||
    { echo "nvo3-ovn-scale: N must be 3..250" >&2; exit 1; }
ovn_dir=$(bash "$top/build-aux/nvo3-ovn.sh" "$base")
. "$top/utilities/nvo3-lab.sh"
. "$top/utilities/nvo3-ovn.sh"
LAB_QUIET=1
lab_init_build nvo3ovn- "$top/build/ovn-scale" "$builddir"
ovn_init "$ovn_dir"
ovn_cleanup
lab_cleanup

# Every namespace's neighbours (each VM's N-1 peers, each chassis' tunnel
# endpoints) share the host's one table, whose default limit (1024) a few
# dozen chassis overflow: packets are then dropped for want of a neighbour
# entry, which would be the lab's failure, not the switches'.  The limits
# go back to what they were when the run ends.
neigh=net.ipv4.neigh.default
saved_neigh=$(sysctl -n $neigh.gc_thresh1 $neigh.gc_thresh2 $neigh.gc_thresh3 | xargs)
need=$((4 * n * n))
if [ "$need" -gt "$(echo $saved_neigh | cut -d' ' -f3)" ]; then
    sysctl -q -w $neigh.gc_thresh1=$need $neigh.gc_thresh2=$need \
        $neigh.gc_thresh3=$((2 * need))
    restore_neigh() {
        set -- $saved_neigh
        sysctl -q -w $neigh.gc_thresh1=$1 $neigh.gc_thresh2=$2 $neigh.gc_thresh3=$3
    }
else
    restore_neigh() { :; }
fi
trap 'ovn_cleanup; lab_cleanup; restore_neigh' EXIT
trap 'exit 130' INT TERM

failed=
fail() { echo "nvo3-ovn-scale: FAILED: $*"; failed=yes; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
all="$(seq 1 "$n")"

echo "nvo3-ovn-scale: $n chassis, base $base ($(ovs-vswitchd --version |
    sed -n '1s/.* //p')), $(ovn-controller --version | sed -n 1p)"

# The chassis and their VMs; the logical switch with a port per VM.
for i in $all; do
    hv_start hv$i 2> /dev/null
    hv_quiet hv$i
done
lab_switch sw $(printf 'hv%s ' $all) > /dev/null
ovn_central_start > /dev/null 2>&1
ovn_ls_add ls0 $((0x5ca1e))
for i in $all; do
    hv_tep hv$i 192.0.2.$i/24 > /dev/null
    mac=$(printf '02:00:00:00:01:%02x' "$i")
    hv_add_vm hv$i vm$i 10.0.0.$i/24 1500 "$mac" > /dev/null
    hv_vsctl hv$i set interface vm$i external_ids:iface-id=vm$i
    ovn_lsp_add ls0 vm$i "$mac" 10.0.0.$i $((0x100 + i))
done

# pairs_down SRC... : how many ordered pairs (SRC, any other VM) get no
# answer to one ping within 1 s; the pings run at once, at most 256 at a
# time.
pairs_down() {
    local d=$LAB_DIR/down i j pids= running=0
    rm -rf "$d"
    mkdir -p "$d"
    for i in "$@"; do
        for j in $all; do
            [ "$i" = "$j" ] && continue
            { vm vm$i ping -q -c 1 -W 1 10.0.0.$j > /dev/null 2>&1 ||
                  touch "$d/$i-$j"; } &
            pids="$pids $!"
            running=$((running + 1))
            [ $running -lt 256 ] || { wait $pids; pids=; running=0; }
        done
    done
    wait $pids
    ls "$d" | wc -l
}

# mesh_complete SECS SRC...: waits until no pair from SRC... is down.
mesh_ok() { [ "$(pairs_down "$@")" = 0 ]; }
mesh_complete() {
    local secs=$1; shift
    lab_wait_until "$secs" mesh_ok "$@"
}
# stt_ports HV: how many STT ports HV has.
stt_ports() {
    hv_vsctl "$1" --bare --columns=name find interface type=stt | grep -c . || true
}

for i in $all; do
    hv_ovn_controller_start hv$i stt 192.0.2.$i > /dev/null 2>&1
done
t0=$(now)
if mesh_complete 300 $all; then
    echo "all $((n * (n - 1))) pairs reach each other $(since "$t0") s after the last ovn-controller started"
else
    fail "pairs still down after 300 s: $(pairs_down $all)"
fi

printf '%-8s %8s %18s %20s\n' chassis tunnels "ovs-vswitchd kB" "ovn-controller kB"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$(cat "$1")/status"; }
for i in $all; do
    tunnels=$(stt_ports hv$i)
    [ "$tunnels" = $((n - 1)) ] || fail "hv$i has $tunnels STT tunnels"
    printf '%-8s %8s %18s %20s\n' hv$i "$tunnels" \
        "$(rss "$LAB_DIR/hv$i/ovs-vswitchd.pid")" \
        "$(rss "$LAB_DIR/hv$i/ovn-controller.pid")"
done

# 10 pings over every pair: each VM to all its peers at once, one VM
# after another.
loss_dir=$LAB_DIR/loss
rm -rf "$loss_dir"
mkdir -p "$loss_dir"
for i in $all; do
    pids=
    for j in $all; do
        [ "$i" = "$j" ] && continue
        vm vm$i ping -q -c 10 -i 0.2 -W 2 10.0.0.$j > "$loss_dir/$i-$j" 2>&1 &
        pids="$pids $!"
    done
    wait $pids || true
done
read -r sent got < <(cat "$loss_dir"/* | awk '/transmitted/ { s += $1; r += $4 }
    END { print s + 0, r + 0 }')
echo "all-pairs ping: $sent sent, $got answered, loss $(awk -v s="$sent" -v r="$got" \
    'BEGIN { printf "%.2f", s ? 100 * (s - r) / s : 100 }') %"
[ "$sent" -gt 0 ] && [ "$sent" = "$got" ] || fail "pings lost in the steady state"

# Traffic during failures: streams of pings (0.1 s apart) in a ring over
# VMs 1..N-1, and VM 1 to VM N; the gap is the longest time without an
# answer, including before the first and after the last.
x=$n
streams_start() {
    local i j
    rm -rf "$LAB_DIR/streams"
    mkdir -p "$LAB_DIR/streams"
    for i in $(seq 1 $((n - 1))); do
        j=$((i % (n - 1) + 1))
        lab_spawn "$LAB_DIR/streams/$i-$j.pid" vm$i \
            ping -D -i 0.1 -W 1 10.0.0.$j > "$LAB_DIR/streams/$i-$j.log" 2>&1
    done
    lab_spawn "$LAB_DIR/streams/1-$x.pid" vm1 \
        ping -D -i 0.1 -W 1 10.0.0.$x > "$LAB_DIR/streams/1-$x.log" 2>&1
    streams_t0=$(now)
}
streams_stop() {
    local f
    streams_t1=$(now)
    for f in "$LAB_DIR"/streams/*.pid; do
        kill "$(cat "$f")" 2> /dev/null || true
    done
}
# longest_gap LOG...: the longest gap of any of LOG's streams, in s.
longest_gap() {
    local f
    for f in "$@"; do
        awk -v t0="$streams_t0" -v t1="$streams_t1" '
            /bytes from/ { t = substr($1, 2, length($1) - 2) + 0
                           if (t - last > gap) gap = t - last; last = t }
            BEGIN { last = t0 }
            END { if (t1 - last > gap) gap = t1 - last; printf "%.1f\n", gap }' "$f"
    done | sort -n | tail -1
}
# failure NAME CMD...: CMD (which returns once it is over) with the
# streams running; prints the longest gaps among VMs 1..N-1 and to VM N.
failure() {
    local name=$1 others to_x; shift
    streams_start
    sleep 2
    "$@" || fail "$name: did not recover"
    sleep 3
    streams_stop
    others=$(longest_gap $(ls "$LAB_DIR"/streams/*.log | grep -v "/1-$x.log"))
    to_x=$(longest_gap "$LAB_DIR/streams/1-$x.log")
    printf '%-40s %12s %12s\n' "$name" "$others s" "$to_x s"
    awk -v g="$others" -v l="$gap_limit" 'BEGIN { exit !(g <= l) }' ||
        fail "$name: traffic between hv1..hv$((n - 1)) stopped for $others s"
}

restart_controller() {
    hv_ovn_controller_stop hv$x
    hv_ovn_controller_run hv$x 2> /dev/null
    mesh_complete 120 1 "$x"
}
restart_vswitchd() {
    lab_kill_pidfile "$LAB_DIR/hv$x/ovs-vswitchd.pid"
    hv_vswitchd_start hv$x 2> /dev/null
    mesh_complete 120 1 "$x"
}
# The chassis goes away as an operator retires one: its ovn-controller
# stops, its record leaves the southbound database, and the others drop
# their tunnels to it.
no_tunnel_to_x() {
    local i
    for i in $(seq 1 $((n - 1))); do
        [ "$(stt_ports hv$i)" = $((n - 2)) ] || return 1
    done
}
remove_chassis() {
    hv_ovn_controller_stop hv$x
    ovn_sbctl chassis-del hv$x
    lab_wait_until 120 no_tunnel_to_x
}

echo
printf '%-40s %12s %12s\n' "longest gap in answers while" "hv1..hv$((n - 1))" "hv1 -> hv$x"
failure "hv$x's ovn-controller restarts" restart_controller
failure "hv$x's ovs-vswitchd restarts" restart_vswitchd
failure "hv$x is removed from the southbound db" remove_chassis

# hvN killed (all its daemons at once) and started again: back in the mesh
# by itself.
for d in ovs-vswitchd ovsdb-server; do
    kill -KILL "$(cat "$LAB_DIR/hv$x/$d.pid")"
done
t0=$(now)
hv_ovsdb_start hv$x 2> /dev/null
hv_vswitchd_start hv$x 2> /dev/null
hv_ovn_controller_run hv$x 2> /dev/null
if mesh_complete 300 $all; then
    echo
    echo "hv$x killed and started again: back in the full mesh in $(since "$t0") s"
else
    fail "hv$x not back in the mesh after 300 s"
fi

[ -z "$failed" ] || exit 1
echo "nvo3-ovn-scale: passed"
