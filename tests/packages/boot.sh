#! /bin/sh
# The guest's side of one boot of the package install test, run as root by
# nvo3-test.service once the system is up, from the run's share (mounted
# at /nvo3 with the .debs, the local repository and the scenario).
#
# /nvo3/phase says which boot this is (1, or 2 after the guest's reboot).
# The scenario's output goes to the console (the host's serial log) and to
# /nvo3/phaseN.log, its exit status to /nvo3/phaseN.status; then the guest
# reboots or powers off, as the scenario left in /nvo3/next.  QEMU runs
# with -no-reboot, so a reboot ends it too, and the host boots the same
# disk again for phase 2: a real reboot, with panics still detectable.
share=/nvo3
phase=$(cat "$share/phase")
echo "nvo3-test: phase $phase starts $(cut -d' ' -f1 /proc/uptime) s after boot"

rm -f "$share/next"
{
    rc=0
    /bin/sh "$share/scenario.sh" "$phase" || rc=$?
    echo "$rc" > "$share/phase$phase.status"
} 2>&1 | tee "$share/phase$phase.log"

next=$(cat "$share/next" 2> /dev/null || echo poweroff)
echo "nvo3-test: phase $phase ended (status $(cat "$share/phase$phase.status")), $next"
sync
case $next in
    reboot) systemctl --no-block reboot ;;
    *) systemctl --no-block poweroff ;;
esac
