"""bench/peers.py — the peer side of scripts/bench: numpy, PyTorch, scikit-learn and pandas on the same data.

Usage: /usr/bin/python3 bench/peers.py WORKLOAD ARGS...  (prints key=value lines, like build/fb_bench)
Threads come from the environment (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) set by bench/run.py before
numpy/torch load, plus torch.set_num_threads.  Every peer computes in float64.
"""
import os
import statistics
import sys
import time

import numpy as np

C1 = 0x632BE59BD9B4E019


def u11(start, count, salt):
    """Uniform [-1, 1): splitmix64 of the element index, top 53 bits (bench/fb_bench.c u11)."""
    z = np.arange(start, start + count, dtype=np.uint64)
    z += np.uint64((salt * C1 + 1) % 2**64)
    z *= np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-52 - 1.0


def formula_data(n, d):
    """X (n, d), y (n): bit-identical to fb_bench's formula_data."""
    X = np.empty((n, d))
    step = max(1, (1 << 24) // d)
    for r in range(0, n, step):
        m = min(step, n - r)
        X[r:r + m] = u11(r * d, m * d, 1).reshape(m, d)
    y = ((0.5 * X[:, 0] - 0.25 * X[:, d - 1]) + 0.1 * u11(0, n, 2)) + 1.0
    return X, y


def threads():
    return int(os.environ.get("OMP_NUM_THREADS", "1"))


def out(**kw):
    for k, v in kw.items():
        print(f"{k}={v}")
    sys.stdout.flush()


def w1_numpy(n, d, epochs):
    X, y = formula_data(n, d)
    w = np.zeros(d)
    b = 0.0
    lr = 0.1
    ts = []
    for _ in range(epochs):
        t = time.perf_counter()
        r = X @ w + b - y          # one read of X
        loss = r @ r / n
        g = X.T @ r * (2.0 / n)     # a second read of X
        gb = r.sum() * (2.0 / n)
        w -= lr * g
        b -= lr * gb
        ts.append(time.perf_counter() - t)
    r = X @ w + b - y  # the loss at the final parameters, as fitbench's last history row
    out(epoch_s=statistics.median(ts), loss_last=r @ r / n)


def w1_torch(n, d, epochs):
    import torch
    torch.set_num_threads(threads())
    X, y = formula_data(n, d)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=0.1)
    ts = []
    for _ in range(epochs):
        t = time.perf_counter()
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(Xt @ w + b, yt)
        loss.backward()
        opt.step()
        ts.append(time.perf_counter() - t)
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(Xt @ w + b, yt)
    out(epoch_s=statistics.median(ts), loss_last=float(loss))


def load_dir(path):
    n, d, k = (int(v) for v in open(os.path.join(path, "shape")).read().split())
    X = np.fromfile(os.path.join(path, "X.f64")).reshape(n, d)
    y = np.fromfile(os.path.join(path, "y.f64"))
    return X, y, k


def mb_torch(path, epochs, batch, hidden, history=""):
    """Minibatch epochs in a plain tensor-slicing loop (the way a PyTorch user writes it).  With
    history="history", each epoch also ends as a fitbench epoch does: the loss and the gradient norm over
    the whole training split at the epoch's final parameters (one forward and backward over all rows),
    which fitbench's history row records."""
    import torch
    torch.set_num_threads(threads())
    torch.manual_seed(0)
    X, y, k = load_dir(path)
    n, d = X.shape
    Xt = torch.from_numpy(X)
    hid = [int(h) for h in hidden.split(",") if h]
    if not hid:
        model = torch.nn.Linear(d, 1).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
    else:
        layers, din = [], d
        for h in hid:
            layers += [torch.nn.Linear(din, h), torch.nn.ReLU()]
            din = h
        layers.append(torch.nn.Linear(din, k))
        model = torch.nn.Sequential(*layers).double()
        opt = torch.optim.Adam(model.parameters())
    if k == 1:
        yt = torch.from_numpy(y).reshape(-1, 1)
        lossf = torch.nn.functional.binary_cross_entropy_with_logits
    else:
        yt = torch.from_numpy(y).long()
        lossf = torch.nn.functional.cross_entropy
    ts = []
    for _ in range(epochs):
        t = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = lossf(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        if history == "history":
            opt.zero_grad()
            full = lossf(model(Xt), yt)
            full.backward()
            gn = torch.norm(torch.cat([q.grad.reshape(-1) for q in model.parameters()]))
            float(full), float(gn)
        ts.append(time.perf_counter() - t)
    out(epoch_s=statistics.median(ts))


def mb_sklearn(path, epochs):
    """SGDClassifier, log loss, constant lr 0.1: per-sample updates (not like-for-like with batch 32)."""
    from sklearn.linear_model import SGDClassifier
    X, y, _ = load_dir(path)
    clf = SGDClassifier(loss="log_loss", penalty=None, learning_rate="constant", eta0=0.1, shuffle=True,
                        random_state=0)
    ts = []
    for _ in range(epochs):
        t = time.perf_counter()
        clf.partial_fit(X, y, classes=np.array([0.0, 1.0]))
        ts.append(time.perf_counter() - t)
    out(epoch_s=statistics.median(ts))


def csv_hash(M):
    bits = np.ascontiguousarray(M).view(np.uint64).ravel()
    return int((bits * (np.arange(bits.size, dtype=np.uint64) * np.uint64(2) + np.uint64(1))).sum(dtype=np.uint64))


def w4_pandas(path):
    import pandas as pd
    t = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter() - t
    t = time.perf_counter()
    df2 = pd.read_csv(path, float_precision="round_trip")
    t2 = time.perf_counter() - t
    out(load_s=t1, load_rt_s=t2, hash=csv_hash(df.to_numpy()), hash_rt=csv_hash(df2.to_numpy()))


def w4_numpy(path):
    t = time.perf_counter()
    M = np.loadtxt(path, delimiter=",", skiprows=1)
    out(load_s=time.perf_counter() - t, hash=csv_hash(M))


def w5_numpy(n, d):
    X, y = formula_data(n, d)
    A = np.hstack([X, np.ones((n, 1))])
    t = time.perf_counter()
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    t = time.perf_counter() - t
    np.save(os.environ["BENCH_OUT"], coef)
    out(solve_s=t)


def w5_sklearn(n, d):
    from sklearn.linear_model import LinearRegression
    X, y = formula_data(n, d)
    t = time.perf_counter()
    lr = LinearRegression().fit(X, y)
    t = time.perf_counter() - t
    np.save(os.environ["BENCH_OUT"], np.append(lr.coef_, lr.intercept_))
    out(solve_s=t)


if __name__ == "__main__":
    name, args = sys.argv[1], sys.argv[2:]
    f = globals()[name]
    f(*[int(a) if a.isdigit() else a for a in args])
