#!/usr/bin/env bash
# tests/cli/datasets.sh FITBENCH — `load NAME` finds the shipped datasets from any build (datadirs.h, docs/file-formats.md):
# an out-of-tree build directory, an installed tree (meson install --destdir), and the source tree, in that order;
# $FITBENCH_DATA before all of them.  Every run is from an unrelated working directory, HOME and XDG_STATE_HOME temporary.
# Prints "PASS name" / "FAIL name: why".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
build="$(dirname "$fb")"
export OPENBLAS_NUM_THREADS=1
unset FITBENCH_DATA
mkdir -p "$t/elsewhere"
cd "$t/elsewhere"
# rows BINARY NAME: the row count `load NAME` reports, or the error.
rows() { "$1" -c "load $2" 2>&1 | sed -n 's/^[^:]*: \([0-9]*\) rows.*/\1/p;s/.*error: //p' | head -1; }

# The binary as built (the build directory: its own source tree).
case "$build/" in "$root"/*) where="inside the source tree" ;; *) where="out of the source tree" ;; esac
r="$(rows "$fb" iris)"
[ "$r" = 150 ] && pass "build directory ($where): load iris" || fail "build directory ($where): load iris" "$r"

# An out-of-tree build directory: the executable in a folder far from the source, with the build.ninja meson
# writes there; nothing named datasets near it.
mkdir -p "$t/b/fb" && cp "$fb" "$t/b/fb/fitbench" && cp "$build/build.ninja" "$t/b/fb/build.ninja"
for name in iris wine boston; do
  r="$(rows "$t/b/fb/fitbench" "$name")"
  n="$(($(wc -l <"$root/datasets/$name.csv") - 1))"
  [ "$r" = "$n" ] && pass "out-of-tree build: load $name ($n rows)" || fail "out-of-tree build: load $name" "$r"
done

# An installed tree (meson install --destdir): its own share/fitbench/datasets first.  Made recognisable by an
# boston.csv cut to 20 rows and a dataset only the installed tree has.
dest="$t/dest"
if ! meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$t/install.log" 2>&1; then
  fail "meson install --destdir" "$(tail -3 "$t/install.log" | tr '\n' ' ')"
else
  inst="$(find "$dest" -path '*/bin/fitbench' -type f | head -1)"
  share="$(find "$dest" -path '*/share/fitbench/datasets' -type d | head -1)"
  if [ -z "$inst" ] || [ -z "$share" ] || [ ! -f "$share/iris.csv" ]; then
    fail "meson install --destdir" "no bin/fitbench or share/fitbench/datasets/iris.csv under $dest"
  else
    pass "meson install --destdir: ${inst#"$dest"}, ${share#"$dest"}"
    head -21 "$share/boston.csv" >"$share/b.tmp" && mv "$share/b.tmp" "$share/boston.csv"
    printf 'a,b,y\n1,2,3\n4,5,6\n7,8,9\n' >"$share/only_installed.csv"
    r="$(rows "$inst" boston)"
    [ "$r" = 20 ] && pass "installed tree: load boston reads the installed copy" || fail "installed tree: load boston" "$r"
    r="$(rows "$inst" only_installed)"
    [ "$r" = 3 ] && pass "installed tree: a dataset only it has" || fail "installed tree: only_installed" "$r"
    r="$(rows "$inst" digits)"
    [ "$r" = 1797 ] && pass "installed tree: load digits" || fail "installed tree: load digits" "$r"
    # A build directory prefers its source tree to an installed tree beside it.
    mkdir -p "$t/b/share/fitbench" && cp -r "$share" "$t/b/share/fitbench/"
    r="$(rows "$t/b/fb/fitbench" boston)"
    [ "$r" = 506 ] && pass "a build reads its source tree before an installed tree" || fail "build over installed" "$r"
    r="$(rows "$t/b/fb/fitbench" only_installed)"
    [ "$r" = 3 ] && pass "a build then reads the installed tree" || fail "build, then installed" "$r"
    # The installed tree moved elsewhere still finds its datasets (found beside the executable, not by prefix).
    mv "$dest" "$t/moved"
    inst="${inst/#$dest/$t/moved}"
    r="$(rows "$inst" only_installed)"
    [ "$r" = 3 ] && pass "installed tree moved: found beside the executable" || fail "installed tree moved" "$r"
  fi
fi

# The source tree: an executable in SRC/bin (no build.ninja, no installed tree) finds SRC/datasets.
mkdir -p "$t/src/bin" "$t/src/datasets"
cp "$fb" "$t/src/bin/fitbench"
printf 'p,q\n1,2\n3,4\n' >"$t/src/datasets/iris.csv"
r="$(rows "$t/src/bin/fitbench" iris)"
[ "$r" = 2 ] && pass "source tree: BIN/../datasets" || fail "source tree: BIN/../datasets" "$r"
rm -r "$t/src/datasets"
r="$(rows "$t/src/bin/fitbench" iris)"
[ "$r" = 150 ] && pass "source tree: the configured source tree, last" || fail "source tree: configured" "$r"

# $FITBENCH_DATA comes first; a name that is nowhere says so.
mkdir -p "$t/mine"
printf 'u,v\n1,2\n' >"$t/mine/iris.csv"
r="$(FITBENCH_DATA="$t/mine" rows "$t/b/fb/fitbench" iris)"
[ "$r" = 1 ] && pass "FITBENCH_DATA first" || fail "FITBENCH_DATA first" "$r"
r="$(rows "$fb" irsi)"
case "$r" in *"did you mean 'iris'"*) pass "unknown name: $r" ;; *) fail "unknown name" "$r" ;; esac
# A gzip-compressed dataset is found by its name too.
gzip -c "$root/datasets/wine.csv" >"$t/mine/wine2.csv.gz"
r="$(FITBENCH_DATA="$t/mine" rows "$fb" wine2)"
[ "$r" = 178 ] && pass "NAME.csv.gz" || fail "NAME.csv.gz" "$r"
