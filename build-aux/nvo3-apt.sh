# Sourced by bash scripts under build-aux/: a private apt configuration for
# another Debian suite, so that its packages can be listed and downloaded
# on this machine without touching /etc/apt or the machine's package state.
#
#   nvo3_apt TOP SUITE   sets apt_dir (TOP/build/apt/SUITE: the sources
#                        list, package lists and cache) and apt_opts, the
#                        options to give apt-get and apt-cache
#   nvo3_apt_update      apt-get update with them, once per process

nvo3_apt() {
    apt_dir=$1/build/apt/$2
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] \
http://deb.debian.org/debian $2 main" > "$apt_dir/sources.list"
    # No status file: apt sees nothing installed, which is right for
    # packages that are only downloaded and unpacked.
    apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
              -o "Dir::Etc::SourceParts=/dev/null"
              -o "Dir::State::Lists=$apt_dir/lists"
              -o "Dir::State::status=/dev/null"
              -o "Dir::Cache=$apt_dir/cache"
              -o "APT::Sandbox::User=root")
    nvo3_apt_updated=
}

nvo3_apt_update() {
    [ -n "$nvo3_apt_updated" ] && return 0
    apt-get "${apt_opts[@]}" -q update > /dev/null && nvo3_apt_updated=yes
}
