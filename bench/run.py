"""bench/run.py — run every workload of the performance issue on fitbench and its peers, alternating and
repeating, and write the table with the machine's description to bench/RESULTS.md.  Called by scripts/bench.

Usage: /usr/bin/python3 bench/run.py BUILD_DIR [--quick] [--rounds R] [--only W1,W2,...] [--no-sweep]
"""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"


def kv(text):
    d = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    return d


def env_threads(t):
    e = dict(os.environ)
    e.update(OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t), MKL_NUM_THREADS=str(t))
    return e


def run(cmd, t, extra_env=None):
    e = env_threads(t)
    if extra_env:
        e.update(extra_env)
    p = subprocess.run(cmd, env=e, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{p.stderr}")
    return kv(p.stdout)


class Bench:
    def __init__(self, build, rounds):
        self.fb = os.path.join(build, "fb_bench")
        self.fitbench = os.path.join(build, "fitbench")
        self.rounds = rounds

    def fbb(self, t, *args):
        return run([self.fb, *map(str, args)], t)

    def peer(self, t, fn, *args, env=None):
        return run([PY, os.path.join(HERE, "peers.py"), fn, *map(str, args)], t, env)

    def alternate(self, sides):
        """sides: name -> thunk returning a dict.  Runs every side once per round, the order rotating
        each round; returns name -> list of dicts."""
        names = list(sides)
        res = {k: [] for k in names}
        for r in range(self.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            for k in order:
                res[k].append(sides[k]())
        return res


def med(rs, key):
    return statistics.median(r[key] for r in rs)


def fmt_t(s):
    if s >= 1:
        return f"{s:.3g} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import torch
    import sklearn
    import pandas
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; {platform.platform()}; "
            f"numpy {np.__version__} (BLAS {blas}), torch {torch.__version__}, sklearn {sklearn.__version__}, "
            f"pandas {pandas.__version__}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")


def make_mb_data(path, kind):
    """W2: logistic data (2e5, 20); W3a: 2-arm spiral (500, 2); W3b: digits-shaped (1e5, 64), 10 classes."""
    if os.path.exists(os.path.join(path, "shape")):
        return
    os.makedirs(path, exist_ok=True)
    rng = np.random.default_rng(1)
    if kind == "logistic":
        n, d, k = 200000, 20, 1
        X = rng.standard_normal((n, d))
        y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 2] + 0.3 * rng.standard_normal(n) > 0).astype(np.float64)
    elif kind == "spiral":
        n, d, k = 500, 2, 1
        i = np.arange(n)
        arm = i % 2
        r = (i // 2) / (n / 2) * 5
        th = 1.75 * (i // 2) / (n / 2) * 2 * np.pi + arm * np.pi
        X = np.stack([r * np.sin(th), r * np.cos(th)], axis=1) + 0.1 * rng.standard_normal((n, 2))
        y = arm.astype(np.float64)
    else:
        n, d, k = 100000, 64, 10
        X = rng.integers(0, 17, size=(n, d)).astype(np.float64)
        y = rng.integers(0, 10, size=n).astype(np.float64)
    X.tofile(os.path.join(path, "X.f64"))
    y.tofile(os.path.join(path, "y.f64"))
    with open(os.path.join(path, "shape"), "w") as f:
        f.write(f"{n} {d} {k}\n")


def make_csv(path, rows, cols):
    if os.path.exists(path):
        return
    rng = np.random.default_rng(2)
    with open(path + ".tmp", "w") as f:
        f.write(",".join(f"c{j}" for j in range(cols)) + "\n")
        step = 50000
        for r in range(0, rows, step):
            M = rng.uniform(-100, 100, size=(min(step, rows - r), cols))
            np.savetxt(f, M, fmt="%.8f", delimiter=",")
    os.rename(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="smaller sweep, fewer epochs")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/fitbench-bench-data"))
    a = ap.parse_args()
    B = Bench(a.build, a.rounds)
    only = set(a.only.split(",")) if a.only else None
    want = lambda w: only is None or w in only
    os.makedirs(a.data, exist_ok=True)
    T = os.cpu_count() or 1
    rows, notes = [], []

    def row(w, what, thr, fbt, peers, target, verdict, roof=""):
        ps = "; ".join(f"{k} {fmt_t(v)} (×{v / fbt:.1f})" for k, v in peers.items())
        rows.append(f"| {w} | {what} | {thr} | {fmt_t(fbt)} | {ps} | {roof} | {target} | {verdict} |")
        print(rows[-1], flush=True)

    ep = 5 if a.quick else 10
    if want("W1"):
        n, d = 1000000, 100
        res = B.alternate({
            "fitbench": lambda: B.fbb(T, "w1", n, d, ep, T),
            "numpy": lambda: B.peer(T, "w1_numpy", n, d, ep),
            "torch": lambda: B.peer(T, "w1_torch", n, d, ep),
        })
        fb, npy, tor = med(res["fitbench"], "epoch_s"), med(res["numpy"], "epoch_s"), med(res["torch"], "epoch_s")
        read = med(res["fitbench"], "read_s")
        gbs = med(res["fitbench"], "read_gbs")
        roof = read / fb
        ok = fb <= 0.6 * npy and roof >= 0.8
        row("W1", f"full-batch GD, linear+mse, n=1e6 d=100, per epoch", f"{T}/{T}", fb,
            {"numpy": npy, "torch": tor}, "≤0.6× numpy, ≥80% roofline",
            f"{'met' if ok else 'NOT met'}: {fb / npy:.2f}× numpy, {100 * roof:.0f}%",
            f"one read of X {fmt_t(read)} ({gbs:.0f} GB/s) → {100 * roof:.0f}%")
        la, lb = res["fitbench"][0]["loss_last"], res["numpy"][0]["loss_last"]
        notes.append(f"W1: loss after {ep} epochs: fitbench {la:.17g}, numpy {lb:.17g}, torch "
                     f"{res['torch'][0]['loss_last']:.17g} (relative difference {abs(la - lb) / abs(lb):.1e}).")

    if want("W2"):
        p = os.path.join(a.data, "w2")
        make_mb_data(p, "logistic")
        res = B.alternate({
            "fitbench": lambda: B.fbb(1, "mb", p, ep, 1, 32, ""),
            "torch": lambda: B.peer(1, "mb_torch", p, 2, 32, ""),
            "sklearn": lambda: B.peer(1, "mb_sklearn", p, 3),
        })
        fb, tor, skl = (med(res[k], "epoch_s") for k in ("fitbench", "torch", "sklearn"))
        row("W2", "minibatch SGD, logistic, n=2e5 d=20, batch 32, shuffled, per epoch", "1/1", fb,
            {"torch": tor, "sklearn SGDClassifier (per-sample)": skl}, "≥30× faster than torch",
            f"{'met' if tor / fb >= 30 else 'NOT met'}: ×{tor / fb:.0f}")
    if want("W3a"):
        p = os.path.join(a.data, "w3a")
        make_mb_data(p, "spiral")
        res = B.alternate({
            "fitbench": lambda: B.fbb(1, "mb", p, 50, 1, 10, "8,8"),
            "torch": lambda: B.peer(1, "mb_torch", p, 5, 10, "8,8"),
        })
        fb, tor = med(res["fitbench"], "epoch_s"), med(res["torch"], "epoch_s")
        row("W3a", "MLP 2-8-8-1 relu, spiral n=500, batch 10, Adam, per epoch", "1/1", fb, {"torch": tor},
            "≥30× faster than torch", f"{'met' if tor / fb >= 30 else 'NOT met'}: ×{tor / fb:.0f}")
    if want("W3b"):
        p = os.path.join(a.data, "w3b")
        make_mb_data(p, "digits")
        for t in sorted({1, T}):
            res = B.alternate({
                "fitbench": lambda: B.fbb(t, "mb", p, 3, t, 64, "128,64"),
                "torch": lambda: B.peer(t, "mb_torch", p, 2, 64, "128,64"),
                "torch+history": lambda: B.peer(t, "mb_torch", p, 2, 64, "128,64", "history"),
                "gemm": lambda: B.fbb(t, "gemm", 1000, t),
            })
            fb, tor = med(res["fitbench"], "epoch_s"), med(res["torch"], "epoch_s")
            torh = med(res["torch+history"], "epoch_s")
            gemm = med(res["gemm"], "gemm_gflops")
            gsmall = med(res["gemm"], "gemm_mlp_gflops")
            n, b, sizes = 100000, 64, [64, 128, 64, 10]
            macs = sum(sizes[i] * sizes[i + 1] for i in range(3))
            # A fitbench epoch: per step forward 2bM, backward dW 2bM and dX 2b(M - 64*128); at the epoch's end
            # the history row's loss and gradient norm over all n rows: the same forward and backward again.
            steps = n // b + (n % b > 0)
            flops = steps * (6 * b * macs - 2 * b * 64 * 128) + (6 * n * macs - 2 * n * 64 * 128)
            rate = flops / fb * 1e-9
            ok = torh / fb >= 1.2 and rate >= 0.6 * gemm
            row("W3b", "MLP 64-128-64-10 relu, n=1e5, batch 64, Adam, ce, per epoch", f"{t}/{t}", fb,
                {"torch+history (same work)": torh, "torch plain loop": tor},
                "≥1.2× torch, ≥60% of dgemm rate", f"{'met' if ok else 'NOT met'}: ×{torh / fb:.2f} (plain loop "
                f"×{tor / fb:.2f}), {100 * rate / gemm:.0f}% of dgemm",
                f"{flops * 1e-9:.1f} GFLOP: {rate:.1f} GFLOP/s vs dgemm {gemm:.1f} GFLOP/s (1000³); OpenBLAS on this "
                f"step's own GEMM shapes: {gsmall:.1f} GFLOP/s")
    if want("W4"):
        p = os.path.join(a.data, "w4.csv")
        make_csv(p, 1000000, 20)
        res = B.alternate({
            "fitbench": lambda: B.fbb(T, "w4", p, T),
            "pandas": lambda: B.peer(T, "w4_pandas", p),
            "numpy": lambda: B.peer(T, "w4_numpy", p),
        })
        fb = med(res["fitbench"], "load_s")
        pd_, pdrt, npl = med(res["pandas"], "load_s"), med(res["pandas"], "load_rt_s"), med(res["numpy"], "load_s")
        f0, p0, n0 = res["fitbench"][0], res["pandas"][0], res["numpy"][0]
        rss, mat = max(r["maxrss_kb"] for r in res["fitbench"]), f0["matrix_kb"]
        rss_lim = 1.3 * mat + 32 * 1024
        same = f0.get("hash") == n0["hash"] == p0["hash_rt"]
        ok = pd_ / fb >= 3 and rss <= rss_lim and same
        row("W4", f"CSV load, 1e6 rows × 20 columns ({os.path.getsize(p) / 1e6:.0f} MB)", f"{T}/1", fb,
            {"pandas.read_csv": pd_, "pandas round_trip": pdrt, "numpy.loadtxt": npl},
            "≥3× pandas, correctly rounded, RSS ≤1.3×matrix+32MB",
            f"{'met' if ok else 'NOT met'}: ×{pd_ / fb:.1f}, peak RSS {rss / 1024:.0f} MB (limit {rss_lim / 1024:.0f}), "
            f"values {'bit-identical to numpy.loadtxt' if same else 'DIFFER from numpy.loadtxt'}")
        notes.append(f"W4: pandas' default parser is not correctly rounded: its values "
                     f"{'equal' if p0['hash'] == n0['hash'] else 'differ from'} the correctly rounded ones "
                     f"(numpy.loadtxt, pandas float_precision=round_trip).")
    if want("W5"):
        n, d = 1000000, 100
        outs = {k: os.path.join(a.data, f"w5_{k}.npy") for k in ("fb", "numpy", "sklearn")}
        res = B.alternate({
            "fitbench": lambda: B.fbb(T, "w5", n, d, T, outs["fb"]),
            "numpy": lambda: B.peer(T, "w5_numpy", n, d, env={"BENCH_OUT": outs["numpy"]}),
            "sklearn": lambda: B.peer(T, "w5_sklearn", n, d, env={"BENCH_OUT": outs["sklearn"]}),
        })
        fb, npy, skl = (med(res[k], "solve_s") for k in ("fitbench", "numpy", "sklearn"))
        c = np.fromfile(outs["fb"])
        errs = {k: float(np.max(np.abs(c - np.load(outs[k])) / np.maximum(np.abs(np.load(outs[k])), 1e-300)))
                for k in ("numpy", "sklearn")}
        ok = npy / fb >= 10 and skl / fb >= 10 and max(errs.values()) <= 1e-9
        row("W5", "closed-form least squares, n=1e6 d=100", f"{T}/{T}", fb, {"numpy.lstsq": npy, "sklearn": skl},
            "≥10× both, coefficients to 1e-9", f"{'met' if ok else 'NOT met'}: ×{min(npy, skl) / fb:.1f}, "
            f"max rel. diff {max(errs.values()):.1e}")
    if want("W6"):
        ts = []
        for _ in range(30):
            t = time.perf_counter()
            subprocess.run([B.fitbench, "-q", "-c", "echo ready"], capture_output=True, check=True)
            ts.append(time.perf_counter() - t)
        s = statistics.median(ts)
        row("W6", "start-up: `fitbench -q -c 'echo ready'` (median of 30, process spawn included)", "-", s, {},
            "≤20 ms", f"{'met' if s <= 0.02 else 'NOT met'}")
    if want("W7"):
        sh = os.path.join(HERE, "tui_overhead.sh")
        last = {}
        for mode in ("w2", "stress"):
            try:
                p = subprocess.run(["bash", sh, B.fitbench, mode], capture_output=True, text=True, timeout=900)
            except subprocess.TimeoutExpired:
                p = subprocess.CompletedProcess([], 1, "timed out after 900 s", "")
            last[mode] = (p.stdout.strip().splitlines() or [p.stderr.strip() or "no output"])[-1].strip()
        rows.append(f"| W7 | live-plot overhead: W2 (1 thread, 100 epochs) in the workbench against --plain, the median "
                    f"of 15 pairs of interleaved runs (bench/tui_overhead.sh) | 1/- | | | | ≤3% | {last['w2']} |")
        notes.append(f"W7 stress (`bench/tui_overhead.sh build/fitbench stress`: 2e6 epochs of ~1 µs, the "
                     f"workbench's per-epoch bookkeeping): {last['stress']}.")
        print(rows[-1], flush=True)
        print(notes[-1], flush=True)

    sweep = []
    if want("sweep") and not a.no_sweep:
        grid = [(10**4, 100), (10**5, 100), (10**6, 100), (10**7, 100),
                (10**5, 10), (10**6, 10), (10**7, 10), (10**4, 1000), (10**5, 1000), (10**6, 1000)]
        if a.quick:
            grid = [g for g in grid if g[0] * g[1] <= 10**8]
        for n, d in grid:
            e = 5 if n * d >= 10**8 else 20
            r = B.alternate({"fitbench": lambda: B.fbb(T, "w1", n, d, e, T),
                             "numpy": lambda: B.peer(T, "w1_numpy", n, d, e)})
            fb, npy, rd = med(r["fitbench"], "epoch_s"), med(r["numpy"], "epoch_s"), med(r["fitbench"], "read_s")
            sweep.append(f"| {n:.0e} | {d} | {fmt_t(fb)} | {fb / (n * d) * 1e9:.3f} | {fmt_t(rd)} | "
                         f"{100 * rd / fb:.0f}% | {fmt_t(npy)} | {npy / fb:.2f} |")
            print(sweep[-1], flush=True)

    md = ["# fitbench benchmark results", "",
          f"Written by `scripts/bench` on {datetime.date.today()}; {a.rounds} rounds, the sides alternating, "
          "medians shown.", "", f"Machine: {machine()}.", "",
          "Threads: `a/b` = fitbench / peers (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, torch.set_num_threads). "
          "(×k) after a peer's time is peer time / fitbench time: above 1 means fitbench is faster.", "",
          "| workload | what | threads | fitbench | peers | roofline | target | result |",
          "|---|---|---|---|---|---|---|---|", *rows, ""]
    if notes:
        md += ["Notes:", ""] + [f"- {x}" for x in notes] + [""]
    if sweep:
        md += ["## W1 scaling (full-batch epoch, linear+mse, fitbench vs numpy, threads "
               f"{T}/{T})", "", "| n | d | fitbench | ns per element | one read of X | roofline | numpy | numpy/fitbench |",
               "|---|---|---|---|---|---|---|---|", *sweep, ""]
    text = "\n".join(md)
    with open(os.path.join(HERE, "RESULTS.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
