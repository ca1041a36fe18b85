#!/usr/bin/env bash
# tests/cli/early_stop.sh FITBENCH — `train N patience=P` against Keras' EarlyStopping on PyTorch runs.
# Replays every tests/fixtures/early_stop/<name>/script.fit (made by tools/ref_early_stop.py; no Python needed)
# and checks, against its expected.txt:
#   - the script's own expect lines: the final epoch, the restored train/val loss and every restored weight (1e-9);
#   - per train command, the note on stderr: "early stop: ... restored the weights of epoch B" when Keras stops,
#     "restored the weights of epoch B" when it ran all epochs but the best was earlier, nothing otherwise;
#   - per train command, the summary line on stdout: "epoch S (weights of epoch B)  train_loss X  val_loss Y"
#     with S, B and the losses of the restored weights (the state is the restored one, not the last epoch's);
#   - the saved history: one row per epoch run, train_loss and val_loss as torch's to 1e-9 relative.
# Prints "PASS early_stop NAME" / "FAIL early_stop NAME: why".
set -uo pipefail
export LC_ALL=C
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
fixtures="$root/tests/fixtures/early_stop"

count=0
for dir in "$fixtures"/*/; do
  [ -f "$dir/script.fit" ] || continue
  name="$(basename "$dir")"
  count=$((count + 1))
  w="$t/$name"
  cp -r "$dir" "$w"
  (cd "$w" && "$fb" -q script.fit >out.txt 2>err.txt)
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL early_stop $name: exit $rc: $(grep -m1 error "$w/err.txt")"
    continue
  fi
  why="$(awk -v out="$w/out.txt" -v err="$w/err.txt" -v hist="$w/history.csv" '
    function abs(x) { return x < 0 ? -x : x }
    function near(a, b) { return abs(a - b) <= 1e-9 * abs(b) + 1e-12 }
    function kv(s, k,   i, n, p, f) { n = split(s, f, " "); for (i = 1; i <= n; i++) { split(f[i], p, "="); if (p[1] == k) return p[2] } return "" }
    $1 == "call" { ncall++; start[ncall] = kv($0, "start"); ran[ncall] = kv($0, "ran"); stopped[ncall] = kv($0, "stopped")
                   best[ncall] = kv($0, "best"); restored[ncall] = kv($0, "restored"); next }
    $1 == "row" { nrow++; want_t[$2] = $3; want_v[$2] = $4; next }
    END {
      # stderr: the notes, in order, one per call that restored (none for a call that did not)
      k = 0
      while ((getline line < err) > 0) if (line ~ /^note: /) notes[++k] = line
      j = 0
      for (c = 1; c <= ncall; c++) {
        if (restored[c] != "yes") continue
        j++
        pat = (stopped[c] == "yes" ? "early stop: .*" : "") "restored the weights of epoch " best[c] "[ ,]"
        if (!(j in notes) || notes[j] !~ pat) { printf "call %d: want a note matching \"%s\", got \"%s\"\n", c, pat, notes[j]; exit 1 }
        if (stopped[c] != "yes" && notes[j] ~ /early stop/) { printf "call %d: no early stop expected: %s\n", c, notes[j]; exit 1 }
      }
      if (k != j) { printf "%d notes on stderr, want %d\n", k, j; exit 1 }
      # stdout: the summary line of each call
      c = 0
      while ((getline line < out) > 0) {
        if (line !~ /^epoch [0-9]+.*train_loss/) continue
        c++
        s = start[c] + ran[c]
        want = "^epoch " s (restored[c] == "yes" ? " \\(weights of epoch " best[c] "\\)" : "") "  train_loss "
        if (line !~ want) { printf "call %d: summary \"%s\" does not match \"%s\"\n", c, line, want; exit 1 }
        n = split(line, f, " ")
        for (i = 1; i < n; i++) { if (f[i] == "train_loss") tl = f[i + 1]; if (f[i] == "val_loss") vl = f[i + 1] }
        b = restored[c] == "yes" ? best[c] : s
        if (!near(tl, want_t[b]) || !near(vl, want_v[b])) { printf "call %d: summary losses %s %s, torch (epoch %d) %s %s\n", c, tl, vl, b, want_t[b], want_v[b]; exit 1 }
      }
      if (c != ncall) { printf "%d summary lines, want %d\n", c, ncall; exit 1 }
      # the history: every epoch run, losses as torch
      getline line < hist
      rows = 0
      while ((getline line < hist) > 0) {
        split(line, f, ","); rows++
        if (!(f[1] in want_t)) { printf "history has epoch %s, torch stopped before\n", f[1]; exit 1 }
        if (!near(f[3], want_t[f[1]]) || !near(f[4], want_v[f[1]])) { printf "epoch %s: train/val %s %s, torch %s %s\n", f[1], f[3], f[4], want_t[f[1]], want_v[f[1]]; exit 1 }
      }
      if (rows != nrow) { printf "%d history rows, torch has %d\n", rows, nrow; exit 1 }
    }' "$w/expected.txt")"
  if [ $? -eq 0 ]; then echo "PASS early_stop $name"; else echo "FAIL early_stop $name: $why"; fi
done
[ "$count" -gt 0 ] || echo "FAIL early_stop: no fixtures under $fixtures"
