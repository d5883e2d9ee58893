#! /bin/bash
# ovs-nvo3 soak: iperf3 over STT for a long time with the reassembly path in
# use (VMs with a 1500-byte MTU and no TSO, so every full-size frame crosses
# in two segments), checking that ovs-vswitchd's memory stays flat and that
# it logs no error.
#
# Usage: nvo3-soak.sh BUILDDIR [SECONDS]      (default 600; run as root)
#
# Prints the RSS of both ovs-vswitchd instances once a minute and exits
# non-zero if either grew by 5% or more over the second half of the run, or
# logged a warning or an error.  The first half is warm-up: segments lost
# on the underlay leave incomplete frames that fill the reassembly table up
# to its cap (4 MiB) before timeouts and evictions balance them; a leak
# would go on growing.
set -e -o pipefail

builddir=${1:?usage: nvo3-soak.sh BUILDDIR [SECONDS]}
seconds=${2:-600}
[ "$seconds" -ge 120 ] || { echo "nvo3-soak: run at least 120 s" >&2; exit 1; }
top=$(cd "$(dirname "$0")/.." && pwd)

[ "$(id -u)" = 0 ] || { echo "nvo3-soak: must run as root" >&2; exit 1; }
. "$top/utilities/nvo3-lab.sh"
LAB_QUIET=1
lab_init_build nvo3soak- "$top/build/soak" "$builddir"
lab_cleanup
trap 'lab_cleanup' EXIT
trap 'exit 130' INT TERM

lab_two_hvs 2>/dev/null
hv_add_vm hv1 vm1 198.51.100.1/24 1500
hv_add_vm hv2 vm2 198.51.100.2/24 1500
lab_pair_tunnel stt0 stt options:key=9
lab_wait_until 60 vm_reaches vm1 198.51.100.2 \
    || { echo "nvo3-soak: vm2 does not answer across STT" >&2; exit 1; }

rss () {
    awk '/^VmRSS/ {print $2}' "/proc/$(cat "$LAB_DIR/$1/ovs-vswitchd.pid")/status"
}

lab_iperf3_server vm2 > /dev/null 2>&1
lab_spawn "$LAB_DIR/iperf3-client.pid" vm1 \
    iperf3 -c 198.51.100.2 -t "$seconds" -i 60 > "$LAB_DIR/iperf3.log" 2>&1

echo "nvo3-soak: $seconds s of iperf3 over STT (reassembly in use)"
printf '%8s %12s %12s %12s %12s\n' seconds "hv1 RSS kB" "hv2 RSS kB" \
    "reassembled" "bytes held"
elapsed=0
first1= first2=
while kill -0 "$(cat "$LAB_DIR/iperf3-client.pid")" 2>/dev/null; do
    sleep 60
    elapsed=$((elapsed + 60))
    r1=$(rss hv1) r2=$(rss hv2)
    if [ -z "$first1" ] && [ $((elapsed * 2)) -ge "$seconds" ]; then
        first1=$r1 first2=$r2
    fi
    reasm=$(hv_appctl hv2 stt/reassembly-show)
    printf '%8d %12d %12d %12s %12s\n' $elapsed "$r1" "$r2" \
        "$(echo "$reasm" | sed -n 's/^completed: //p')" \
        "$(echo "$reasm" | sed -n 's/^bytes: //p')"
done
grep -E 'sender|receiver' "$LAB_DIR/iperf3.log" || true

status=0
for hv in hv1 hv2; do
    last=$(rss $hv)
    first=$([ $hv = hv1 ] && echo "$first1" || echo "$first2")
    growth=$(( (last - first) * 100 / first ))
    echo "nvo3-soak: $hv RSS $first kB at half time, $last kB at the end ($growth%)"
    if [ $(( (last - first) * 100 )) -ge $(( first * 5 )) ]; then
        echo "nvo3-soak: FAIL: $hv grew by 5% or more" >&2
        status=1
    fi
    if grep -E '\|(WARN|ERR|EMER)\|' "$LAB_DIR/$hv/ovs-vswitchd.log"; then
        echo "nvo3-soak: FAIL: $hv logged warnings or errors" >&2
        status=1
    fi
done
[ $status = 0 ] && echo "nvo3-soak: PASS"
exit $status
