# scripts/lib.sh — shared set-up for scripts/fitbench and scripts/test: Debian packages and the build.
# Sourced, not run.  Quiet when there is nothing to do.

# Packages every build needs, and the extra ones the test suite uses.
FB_BUILD_PKGS=(meson ninja-build pkg-config gcc libc6-dev libreadline-dev libncurses-dev libopenblas-dev
  zlib1g-dev libcriterion-dev)
FB_TEST_PKGS=(tmux locales valgrind clang libclang-rt-dev time)
# Optional: the tests that run Python (the exported PyTorch and scikit-learn scripts, tests/cli/export_torch.sh) print
# SKIP without them; scripts/test does not install them (python3-torch is large).
FB_PY_PKGS=(python3-torch python3-numpy python3-sklearn python3-pyflakes)

fb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

fb_say() { printf 'fitbench: %s\n' "$*" >&2; }

# Install the named Debian packages that are missing (apt-get; sudo when not root).
fb_ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { fb_say "need root or sudo to install: ${missing[*]}"; return 1; }
    sudo=(sudo)
  fi
  fb_say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null || { fb_say "apt-get update failed"; return 1; }
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { fb_say "apt-get install ${missing[*]} failed"; return 1; }
}

# Configure (once) and build DIR with the given meson options; output only on failure.
fb_ensure_build() {
  local dir="$1"; shift
  local log
  log="$(mktemp)"
  if [ ! -f "$dir/build.ninja" ]; then
    if ! meson setup "$dir" "$fb_root" "$@" >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; return 1
    fi
  fi
  if ! ninja -C "$dir" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  rm -f "$log"
}
