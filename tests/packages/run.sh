#! /bin/bash
# run.sh DISTRO DEB_DIR OUTDIR: the package install test.  A QEMU guest
# (software emulation) boots a clean Debian root of DISTRO with systemd as
# init (tests/packages/guest-root.sh, cached under build/guest-root/DISTRO)
# and, as a user would, installs Debian's openvswitch-switch, upgrades to
# ours from DEB_DIR with stt-dkms, adds stt and nvgre ports, restarts the
# service, reboots, and goes back to Debian's packages
# (tests/packages/scenario.sh says each step).
#
# The guest sees nothing of the build tree: one 9p share, OUTDIR/share,
# holds our .debs (only those of the packages below), a local apt
# repository with Debian's packages (the guest has no network), the
# scenario, and what the guest reports.  The disk is a qcow2 overlay of
# the cached image, OUTDIR/disk.qcow2, new each run.  QEMU runs twice on
# it: the first boot ends with the guest's reboot (-no-reboot makes QEMU
# exit, so that a kernel panic also ends it), the second is phase 2.
#
# Prints each step's result and time and a summary line like the other
# suites': "packages (DISTRO): N passed, N failed, N skipped", one check
# per step.  Exits non-zero if any failed.  Skips (not fails) only when the
# machine cannot run guests at all (no QEMU).
set -e -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
distro=${1:?usage: run.sh DISTRO DEB_DIR OUTDIR}
deb_dir=${2:?usage: run.sh DISTRO DEB_DIR OUTDIR}
out=${3:?usage: run.sh DISTRO DEB_DIR OUTDIR}
# Per boot (seconds): phase 1 installs, upgrades and builds the module.
PHASE1_TIMEOUT=${PHASE1_TIMEOUT:-900}
PHASE2_TIMEOUT=${PHASE2_TIMEOUT:-600}
# The packages of ours the guest installs: what Debian's openvswitch-switch
# brought in, upgraded, and the module.
OUR_PACKAGES="openvswitch-common openvswitch-switch python3-openvswitch stt-dkms"
# The steps, by number, and how many parts each reports (4: the restart,
# then the reboot).
STEPS="1:install 2:upgrade 3:tunnels 4:restart+reboot 5:rollback"

summary() {
    echo "packages ($distro): $1 passed, $2 failed, $3 skipped"
}
now() { date +%s; }

if ! command -v qemu-system-x86_64 > /dev/null; then
    echo "packages: skipped: no qemu-system-x86_64, this machine cannot run guests"
    summary 0 0 5
    exit 0
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
guest=$top/build/guest-root/$distro
t0=$(now)
bash "$here/guest-root.sh" "$distro" "$guest"
echo "packages: guest image ready in $(( $(now) - t0 )) s ($guest)"
kver=$(cat "$guest/kver")

# The run's share: the scenario, the lab library, the repository, our debs.
share=$out/share
rm -rf "$share" "$out/disk.qcow2" "$out"/serial-*.log
mkdir -p "$share/debs"
cp "$here/boot.sh" "$here/scenario.sh" "$share/"
cp "$top/utilities/nvo3-lab.sh" "$share/"
cp -r "$guest/repo" "$share/repo"
ours=
for deb in "$deb_dir"/*.deb; do
    [ -r "$deb" ] || continue
    p=$(dpkg-deb -f "$deb" Package)
    case " $OUR_PACKAGES " in
        *" $p "*)
            cp "$deb" "$share/debs/"
            ours="$ours $p=$(dpkg-deb -f "$deb" Version)"
            ;;
    esac
done
if [ -z "$ours" ]; then
    echo "packages: no packages of ours in $deb_dir (make deb): the upgrade steps will fail"
fi
{
    echo "DISTRO=$distro"
    echo "DEBIAN_VERSION=$(awk '$1 == "openvswitch-switch" { print $2 }' "$guest/versions")"
    echo "OURS=\"${ours# }\""
} > "$share/config"
echo 1 > "$share/phase"
: > "$share/steps"
qemu-img create -q -f qcow2 -F raw -b "$guest/root.img" "$out/disk.qcow2"

# boot N TIMEOUT: one boot of the guest on the run's disk; its console in
# OUTDIR/serial-N.log.  Says how it ended: 0 (the guest finished the phase
# and rebooted or powered off), 124 (out of time: a hang), 125 (no status
# from the guest: a kernel panic or oops, or a boot that never ran it).
boot() {
    local n=$1 secs=$2 rc=0 start
    start=$(now)
    timeout --kill-after=10 "$secs" qemu-system-x86_64 \
        -accel tcg,thread=multi -cpu max -smp 2 -m 2048 \
        -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
        -append "root=/dev/vda rw console=ttyS0 panic=-1 oops=panic loglevel=4" \
        -drive file="$out/disk.qcow2",if=virtio,format=qcow2 \
        -virtfs local,path="$share",mount_tag=nvo3,security_model=none,multidevs=remap \
        -no-reboot -nodefaults -display none -serial stdio -monitor none \
        < /dev/null > "$out/serial-$n.log" 2>&1 || rc=$?
    echo "packages: boot $n ended after $(( $(now) - start )) s"
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        echo "packages: boot $n: the guest did not finish in $secs s (hang)"
        return 124
    fi
    if [ ! -r "$share/phase$n.status" ]; then
        echo "packages: boot $n: the guest ended without a status (panic, or the test never ran)"
        return 125
    fi
    return 0
}

# show N: the guest's report of phase N (or its console when it has none).
show() {
    local log=$share/phase$1.log
    [ -r "$log" ] || log=$out/serial-$1.log
    grep -E '^(== |PASS|FAIL|   )' "$log" | sed 's/^/    /' || :
}

status=0
boot 1 "$PHASE1_TIMEOUT" || status=$?
first=$(grep -m1 'nvo3-test: phase 1 starts' "$out/serial-1.log" || :)
[ -z "$first" ] || echo "packages: ${first#*nvo3-test: }"
show 1
if [ $status = 0 ] && [ "$(cat "$share/phase")" = 2 ]; then
    boot 2 "$PHASE2_TIMEOUT" || status=$?
    show 2
fi
if [ $status != 0 ]; then
    echo "packages: the guest's last console lines:"
    tail -40 "$out/serial-$(cat "$share/phase")".log | sed 's/^/    /'
fi

# One check per step: passed when every part it reports passed (step 4
# has two, the restart and the reboot).
passed=0 failed=0
for s in $STEPS; do
    n=${s%%:*} name=${s#*:}
    want=1
    [ "$n" != 4 ] || want=2
    got=$(awk -v n="$n" '$1 == n && $2 == "pass"' "$share/steps" | wc -l)
    secs=$(awk -v n="$n" '$1 == n { t += $3 } END { print t + 0 }' "$share/steps")
    if [ "$got" = "$want" ]; then
        echo "packages: step $n ($name): ok (${secs} s)"
        passed=$((passed + 1))
    else
        seen=$(awk -v n="$n" '$1 == n' "$share/steps" | wc -l)
        if [ "$seen" = 0 ]; then
            echo "packages: step $n ($name): FAILED (not reached)"
        else
            echo "packages: step $n ($name): FAILED (${secs} s)"
        fi
        failed=$((failed + 1))
    fi
done
echo "packages: total $(( $(now) - t0 )) s"
summary $passed $failed 0
[ $failed = 0 ]
