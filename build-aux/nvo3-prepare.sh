#! /bin/bash
# Prepares the combined Open vSwitch + ovs-nvo3 tree:
#
#   1. unpack the pinned upstream base (build-aux/nvo3-base.sh fetches and
#      checks it against build-aux/ovs-bases)
#   2. apply the base's series, patches/BASE/series, with quilt (the tree
#      stays a quilt tree, so that 'quilt refresh' turns an upstream edit
#      back into its patch)
#   3. symlink every file of ours to the same place in the tree
#   4. run boot.sh and configure once (not with --no-configure: 'make deb'
#      copies the tree and lets Debian's rules configure the copy)
#
# Every step is skipped when already done, so this runs before each build.
#
# Usage: nvo3-prepare.sh [--base=BASE] [--with-ovs-source=PATH]
#                        [--builddir=DIR] [--no-configure]
#                        [-- CONFIGURE-ARGS...]
#
# BASE is one of build-aux/ovs-bases (default 3.1).  --with-ovs-source
# builds BASE's series on another, unpinned source (tarball or directory).
set -e -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base=3.1
builddir=
source=
configure=yes

while [ $# -gt 0 ]; do
    case $1 in
        --base=*) base=${1#*=} ;;
        --with-ovs-source=*) source=${1#*=} ;;
        --builddir=*) builddir=${1#*=} ;;
        --no-configure) configure=no ;;
        --) shift; break ;;
        *) echo "nvo3-prepare: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
# The default base keeps the short name that scripts and logs know.
if [ -z "$builddir" ]; then
    builddir=$top/build/ovs$([ "$base" = 3.1 ] || echo "-$base")
fi

say() { echo "nvo3-prepare: $*"; }
die() { echo "nvo3-prepare: error: $*" >&2; exit 1; }

series_dir=$top/patches/$base
[ -r "$series_dir/series" ] || die "base $base has no patch series \
(patches/$base/series); bases with one: \
$(cd "$top/patches" && ls -d */ 2>/dev/null | tr -d / | tr '\n' ' ')"

# --- 1. The base. -----------------------------------------------------------
if [ -z "$source" ]; then
    source=$("$top/build-aux/nvo3-base.sh" "$base") || exit 1
    if [ -d "$source" ]; then
        base_id="$base:$(cat "$source/../../../.nvo3-sum")"
    else
        base_id=$(sha256sum "$source" | awk '{print $1}')
    fi
elif [ -d "$source" ]; then
    base_id="dir:$(cd "$source" && pwd)"
    say "warning: building on unpinned base directory $source"
elif [ -r "$source" ]; then
    base_id=$(sha256sum "$source" | awk '{print $1}')
    say "warning: building on unpinned base $source"
else
    die "--with-ovs-source: $source is neither a tarball nor a directory"
fi

if [ -d "$builddir" ] && [ "$(cat "$builddir/.nvo3-base" 2>/dev/null)" != "$base_id" ]; then
    say "base changed: removing $builddir"
    rm -rf "$builddir"
fi
if [ ! -f "$builddir/.nvo3-base" ]; then
    say "unpacking base into $builddir"
    rm -rf "$builddir"
    mkdir -p "$builddir"
    if [ -d "$source" ]; then
        # With Debian's packaging (debian/): upstream's Makefile.am
        # includes its automake.mk.
        cp -a "$source/." "$builddir/"
    else
        tar -xzf "$source" -C "$builddir" --strip-components=1
    fi
    echo "$base_id" > "$builddir/.nvo3-base"
fi

# --- 2. The patch series. ---------------------------------------------------
cd "$builddir"
ln -sfn "$series_dir" patches
export QUILT_PATCHES=patches QUILT_PC=.pc

# A patch already applied whose file has since changed (a pull, a rebase)
# is popped and applied again, with everything after it.
series_state() {
    local p
    grep -v -e '^#' -e '^[[:space:]]*$' patches/series | while read -r p _; do
        echo "$(sha1sum < "patches/$p" | cut -c1-40) $p"
    done
}
recorded=.nvo3-applied
touch "$recorded"
keep=0
while read -r line; do
    if [ "$(sed -n "$((keep + 1))p" "$recorded")" = "$line" ]; then
        keep=$((keep + 1))
    else
        break
    fi
done < <(series_state)
applied=$(quilt applied 2>/dev/null | wc -l || true)
if [ "$applied" -gt "$keep" ]; then
    say "patch series changed: popping $((applied - keep)) patch(es)"
    say "(unrefreshed edits to upstream files in those patches are discarded)"
    while [ "$(quilt applied 2>/dev/null | wc -l)" -gt "$keep" ]; do
        quilt pop -f -q > /dev/null
    done
fi
if [ -n "$(quilt unapplied 2>/dev/null)" ]; then
    rc=0
    out=$(quilt push -a -q 2>&1) || rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
        echo "$out" >&2
        die "patch $(quilt next 2>/dev/null || echo '?') does not apply to the base"
    fi
    say "applied $(quilt applied | wc -l) patch(es)"
fi
series_state > "$recorded"

# --- 3. Our files. ----------------------------------------------------------
# Files in the mirrored directories land at the same path; the top-level
# automake and autoconf fragments get names of their own because upstream
# owns Makefile.am and configure.ac (a patch includes ours).
link() {
    local src=$1 dst=$2
    if [ -e "$dst" ] && [ ! -L "$dst" ]; then
        die "$dst exists in the base: change it with a patch, not a copy"
    fi
    mkdir -p "$(dirname "$dst")"
    if [ "$(readlink "$dst" 2>/dev/null)" != "$src" ]; then
        ln -sfn "$src" "$dst"
    fi
}
link "$top/Makefile.am" nvo3.am
link "$top/configure.ac" nvo3.ac
# In a git checkout, what git ignores (the kernel module's build products,
# for example) stays out.
ours() {
    if git -C "$top" rev-parse --git-dir > /dev/null 2>&1; then
        git -C "$top" ls-files --cached --others --exclude-standard -- "$1"
    else
        (cd "$top" && find "$1" -type f)
    fi | { grep -v -e '~$' -e '/\.[^/]*$' || true; }
}
# results/ too: Documentation/howto/benchmark.rst shows an image from it,
# and Sphinx (docs-check, the packages' documentation) fails on a missing one.
for dir in lib ofproto vswitchd datapath utilities tests Documentation include \
           results; do
    [ -d "$top/$dir" ] || continue
    ours "$dir" | while read -r f; do
        if [ -f "$top/$f" ]; then
            link "$top/$f" "$f"
        fi
    done
done
# Links to files of ours that no longer exist, or that git now ignores.
ignored() {
    git -C "$top" rev-parse --git-dir > /dev/null 2>&1 \
        && git -C "$top" check-ignore -q "${1#$top/}"
}
find . -type l -lname "$top/*" ! -path ./patches -print |
while read -r l; do
    target=$(readlink "$l")
    if [ ! -e "$target" ] || ignored "$target"; then
        say "removing stale link $l"
        rm -f "$l"
    fi
done

# --- 4. Configure once; automake's rebuild rules handle later changes. -----
if [ $configure = yes ] && [ ! -f Makefile ]; then
    say "running boot.sh and configure"
    ./boot.sh > boot.log 2>&1 || { cat boot.log >&2; die "boot.sh failed"; }
    cc=gcc
    command -v ccache > /dev/null && cc="ccache gcc"
    # No Sphinx documentation in these trees, even where Sphinx is installed
    # (make deb installs it): the tests do not need it and it takes a minute.
    # Debian's packaging builds it, with warnings as errors ('make deb').
    ./configure CC="$cc" --enable-silent-rules SPHINXBUILD=none "$@" \
        > configure.log 2>&1 \
        || { tail -30 configure.log >&2; die "configure failed (see $builddir/configure.log)"; }
fi
say "tree ready in $builddir"
