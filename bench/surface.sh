#!/usr/bin/env bash
# bench/surface.sh FITBENCH [N] — how long `plot surface` takes on large data (default n = 1 000 000, d = 2).
# For a linear model under mse the surface is the quadratic fitted from six passes over the data (plotview.c,
# surf_fit_quad), so it costs about as much as six evaluations of the loss whatever the grid; loss mae has no such
# form and evaluates the data at every grid point (with fewer grid points on big data, SURFACE_BUDGET).  Prints the
# seconds of each, the difference of a run with `plot surface` and the same run without it (median of 3).
set -u
fb=$(realpath "${1:?usage: bench/surface.sh FITBENCH [N]}"); n=${2:-1000000}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_STATE_HOME=$tmp
run() { # seconds of: fitbench -q -c "$1"
  local t0 t1
  t0=$(date +%s.%N); "$fb" -q -c "$1" >/dev/null 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
for loss in mse mae; do
  setup="set threads=1; gen linear n=$n d=2 noise=0.3 seed=1; model linear; loss $loss; optim sgd lr=0.01; train 2"
  a=(); b=()
  for _ in 1 2 3; do a+=("$(run "$setup")"); b+=("$(run "$setup; plot surface")"); done
  printf 'n=%s linear, loss %s: plot surface %.3f s\n' "$n" "$loss" "$(echo "$(median3 "${b[@]}") - $(median3 "${a[@]}")" | bc -l)"
done
