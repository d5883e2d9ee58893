# ovs-nvo3 lab: OVN as the control plane of lab hypervisors.
#
# Sourced after utilities/nvo3-lab.sh (and lab_init).  OVN's programs come
# from Debian's packages unpacked by build-aux/nvo3-ovn.sh; the switch side
# (ovsdb-server, ovs-vswitchd, ovs-vsctl) is ours, from PATH.
#
#   ovn_init DIR               DIR is what build-aux/nvo3-ovn.sh printed
#                              (build/ovn, build/ovn-trixie): puts its
#                              programs (DIR/bin) in PATH
#   ovn_central_start          NB and SB ovsdb-servers and ovn-northd, in
#                              the namespace "ovn", state in $LAB_DIR/ovn;
#                              the databases listen on unix sockets there,
#                              which every namespace can reach
#   ovn_nbctl/ovn_sbctl ARGS   the OVN tools, talking to those databases
#   ovn_lsp_up LSP             logical switch port LSP is up (bound, and
#                              its flows installed)
#   ovn_ls_add LS KEY          logical switch LS, datapath tunnel key KEY
#   ovn_lsp_add LS LSP MAC IP KEY
#                              a VM's port LSP on LS, tunnel key KEY
#   ovn_lr_add LR KEY          logical router LR (no gateway), key KEY
#   ovn_lr_attach LR LS MAC IP/LEN LRP-KEY LSP-KEY
#                              LR's port LR-LS on LS (MAC, IP/LEN) and its
#                              peer, LS's port LS-LR of type router
#   hv_ovn_controller_start HV ENCAP-TYPE ENCAP-IP [BRIDGE]
#                              HV becomes chassis HV: system-id, ovn-remote,
#                              ovn-encap-type/-ip, ovn-bridge (br2) with the
#                              userspace datapath, then ovn-controller
#                              inside HV's namespace
#   hv_ovn_controller_run/_stop HV
#                              HV's ovn-controller started again, stopped
#   hv_ovn_appctl HV ARGS      ovn-appctl to HV's ovn-controller
#   ovn_cleanup                stops every OVN daemon (lab_cleanup removes
#                              the namespaces)

ovn_init () {
    OVN_ROOT=$1/root
    [ -x "$1/bin/ovn-controller" ] || {
        echo "nvo3-ovn: no ovn-controller in $1/bin" >&2
        return 1; }
    PATH=$PATH:$1/bin
    OVN_CENTRAL=$LAB_DIR/ovn
    OVN_NB_SOCK=unix:$OVN_CENTRAL/nb.sock
    OVN_SB_SOCK=unix:$OVN_CENTRAL/sb.sock
}

# ovn_env [NETNS] DIR CMD...: CMD (inside lab namespace NETNS, if not
# empty) with OVN's and OVS's directories set to DIR.
ovn_env () {
    local ns=$1 d=$2 netns=
    shift 2
    [ -z "$ns" ] || netns="ip netns exec $LAB_PREFIX$ns"
    $netns env OVN_RUNDIR="$d" OVN_DBDIR="$d" OVN_LOGDIR="$d" \
        OVN_SYSCONFDIR="$d" OVN_PKGDATADIR="$OVN_ROOT/usr/share/ovn" \
        OVS_RUNDIR="$d" OVS_DBDIR="$d" OVS_LOGDIR="$d" OVS_SYSCONFDIR="$d" \
        "$@"
}

# --wait=hv waits for every ovn-controller to catch up, which on a busy
# machine with several chassis can take a while: the bound is generous.
ovn_nbctl () {
    ovn_env "" "$OVN_CENTRAL" ovn-nbctl --timeout=60 --db="$OVN_NB_SOCK" "$@"
}

ovn_sbctl () {
    ovn_env "" "$OVN_CENTRAL" ovn-sbctl --timeout=60 --db="$OVN_SB_SOCK" "$@"
}

ovn_lsp_up () {
    test "$(ovn_nbctl lsp-get-up "$1")" = up
}

# The tunnel keys below are requested (requested-tnl-key) rather than left
# to ovn-northd, so that tests know the context IDs on the wire.  KEYs are
# decimal.

ovn_ls_add () {
    ovn_nbctl ls-add "$1" \
        -- set logical_switch "$1" other_config:requested-tnl-key="$2"
}

ovn_lsp_add () {
    ovn_nbctl lsp-add "$1" "$2" -- lsp-set-addresses "$2" "$3 $4" \
        -- set logical_switch_port "$2" options:requested-tnl-key="$5"
}

ovn_lr_add () {
    ovn_nbctl lr-add "$1" \
        -- set logical_router "$1" options:requested-tnl-key="$2"
}

ovn_lr_attach () {
    local lr=$1 ls=$2 mac=$3 net=$4 lrp_key=$5 lsp_key=$6
    # One transaction, so that northd never sees a router port whose
    # switch side is missing.
    ovn_nbctl lrp-add "$lr" "$lr-$ls" "$mac" "$net" \
        -- set logical_router_port "$lr-$ls" \
               options:requested-tnl-key="$lrp_key" \
        -- lsp-add "$ls" "$ls-$lr" \
        -- lsp-set-type "$ls-$lr" router \
        -- lsp-set-addresses "$ls-$lr" router \
        -- set logical_switch_port "$ls-$lr" options:router-port="$lr-$ls" \
               options:requested-tnl-key="$lsp_key"
}

ovn_central_start () {
    local d=$OVN_CENTRAL db
    lab_log "OVN central: NB and SB databases and ovn-northd in $d"
    rm -rf "$d"
    mkdir -p "$d"
    lab_host ovn || return 1
    for db in nb sb; do
        ovsdb-tool create "$d/$db.db" \
            "$OVN_ROOT/usr/share/ovn/ovn-$db.ovsschema" || return 1
        # The pidfile's name is what lab_kill_pidfile looks for in the
        # daemon's command line.
        ovn_env ovn "$d" ovsdb-server --detach --no-chdir \
            --pidfile="$d/ovsdb-server-$db.pid" \
            --log-file="$d/ovsdb-server-$db.log" -vconsole:off \
            --unixctl="$d/ovsdb-server-$db.ctl" \
            --remote=punix:"$d/$db.sock" "$d/$db.db" || return 1
    done
    ovn_nbctl --no-wait init || return 1
    ovn_env ovn "$d" ovn-northd --detach --no-chdir --pidfile --log-file -vconsole:off \
        --ovnnb-db="$OVN_NB_SOCK" --ovnsb-db="$OVN_SB_SOCK" || return 1
}

# hv_ovn_controller_start HV ENCAP-TYPE ENCAP-IP [BRIDGE]
hv_ovn_controller_start () {
    local name=$1 type=$2 ip=$3 bridge=${4:-br2}
    local d=$LAB_DIR/$name
    lab_log "$name: ovn-controller, chassis $name, $type from $ip, $bridge"
    hv_vsctl "$name" set Open_vSwitch . \
        external_ids:system-id="$name" \
        external_ids:ovn-remote="$OVN_SB_SOCK" \
        external_ids:ovn-encap-type="$type" \
        external_ids:ovn-encap-ip="$ip" \
        external_ids:ovn-bridge="$bridge" \
        external_ids:ovn-bridge-datapath-type="$(hv_dp "$name")" || return 1
    hv_ovn_controller_run "$name"
}

# hv_ovn_controller_run HV: HV's ovn-controller (again), once HV is a
# chassis; hv_ovn_controller_stop HV stops it.
hv_ovn_controller_run () {
    local d=$LAB_DIR/$1
    ovn_env "$1" "$d" ovn-controller --detach --no-chdir --pidfile --log-file \
        -vconsole:off unix:"$d/db.sock"
}

hv_ovn_controller_stop () {
    lab_kill_pidfile "$LAB_DIR/$1/ovn-controller.pid"
}

hv_ovn_appctl () {
    local name=$1; shift
    ovn_env "$name" "$LAB_DIR/$name" ovn-appctl --timeout=10 -t ovn-controller "$@"
}

ovn_cleanup () {
    local pidfile
    for pidfile in "$LAB_DIR"/*/ovn-controller.pid \
                   "$LAB_DIR"/ovn/ovn-northd.pid \
                   "$LAB_DIR"/ovn/ovsdb-server-nb.pid \
                   "$LAB_DIR"/ovn/ovsdb-server-sb.pid; do
        lab_kill_pidfile "$pidfile"
    done
    return 0
}
