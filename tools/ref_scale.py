#!/usr/bin/python3
"""Reference numbers for `scale standard` and `scale minmax` on constant and near-constant columns, written to
tests/fixtures/scale/columns.txt (run with Debian's python3: /usr/bin/python3 tools/ref_scale.py; needs
python3-sklearn).

scikit-learn's rules (sklearn/preprocessing/_data.py):
  StandardScaler: mean and the corrected two-pass variance (utils/extmath.py, _incremental_mean_and_var)
      var = (sum (x - m)^2 - (sum (x - m))^2 / n) / n;
  a column is constant when var <= n eps var + (n m eps)^2 (_is_constant_feature), and then its scale is 1
  (_handle_zeros_in_scale with that mask): it is centred, not scaled, so it maps to ~0.
  MinMaxScaler: range = max - min, and a range below 10 eps (absolute, _handle_zeros_in_scale without a mask)
  counts as 1.
File format (tests/fixture_read.h): X (n, d) the data; mean, scale (1, d) StandardScaler's mean_ and scale_;
S (n, d) its transform; lo, range (1, d) MinMaxScaler's data_min_ and the range it divides by; M (n, d) its
transform; ME (n, d) the same as (x - min) / range (see below).
"""
import os

import numpy as np
from sklearn.preprocessing import MinMaxScaler, StandardScaler

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "tests", "fixtures", "scale")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)
n = 50
one = np.nextafter(1.0, 2.0)
cols = [
    np.full(n, 7.0),                                        # exactly constant
    np.full(n, 0.1),                                        # constant whose mean rounds: variance ~1e-34
    np.full(n, 1000.3),                                     # the same at 1000
    np.where(np.arange(n) % 2 == 0, 1000.0, np.nextafter(1000.0, 2000.0)),  # one ulp apart at 1000
    np.where(np.arange(n) % 3 == 0, 1.0, one),              # one ulp apart at 1 (minmax range 2.2e-16 < 10 eps)
    1.0 + 1e-10 * rng.standard_normal(n),                   # tiny but real spread: scaled
    1e-200 * rng.standard_normal(n),                        # tiny values: a real spread for StandardScaler
    rng.standard_normal(n) * 3 + 5,                         # ordinary
    np.where(np.arange(n) == 7, 2.0, 0.0),                  # one non-zero value
]
X = np.stack(cols, axis=1)
ss = StandardScaler().fit(X)
mm = MinMaxScaler().fit(X)


def block(f, name, a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    f.write("%s %d %d\n" % (name, a.shape[0], a.shape[1]))
    for row in a:
        f.write(" ".join("%.17g" % v for v in row) + "\n")


with open(os.path.join(out, "columns.txt"), "w") as f:
    f.write("# made by tools/ref_scale.py (scikit-learn's StandardScaler and MinMaxScaler)\n")
    block(f, "X", X)
    block(f, "mean", ss.mean_)
    block(f, "scale", ss.scale_)
    block(f, "S", ss.transform(X))
    block(f, "lo", mm.data_min_)
    block(f, "range", 1.0 / mm.scale_)
    M = mm.transform(X)
    block(f, "M", M)
    # (x - min) / range, one exact subtraction and one rounding: what fitbench computes.  scikit-learn's
    # x * scale_ + min_ (min_ = -min * scale_) cancels on a narrow range far from 0 (the 1 + 1e-10 column
    # loses 7 digits); it must agree with ME to within that cancellation, which this checks.
    ME = (X - mm.data_min_) / (1.0 / mm.scale_)
    bound = 4 * np.finfo(float).eps * (np.abs(X) * mm.scale_ + np.abs(mm.min_) + 1)
    assert np.all(np.abs(M - ME) <= bound), "MinMaxScaler disagrees beyond rounding"
    block(f, "ME", ME)
print("scale_", ss.scale_)
print("minmax range", 1.0 / mm.scale_)
