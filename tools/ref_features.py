#!/usr/bin/env python3
"""Reference for fitbench's feature terms (`features add|drop|poly|none`): the expanded matrix in numpy.

Reads tests/fixtures/features/cases.txt (NAME|commands) and people.csv, and writes, next to them,
expanded.txt (blocks "NAME_X ROWS COLS", %.17g; tests/fixture_read.h) and names.txt ("NAME|name|name|...":
the columns in order, named as `show features` names them).  tests/test_terms.c compares fitbench with both.

This is an independent implementation of docs/commands.md (features): the columns start as the inputs; `add`
appends terms after the current ones, `drop` removes terms and keeps the others in order, `poly degree=K` is
every monomial of degree 1..K in scikit-learn's PolynomialFeatures order, `none` is the inputs again.  A
product is computed as fitbench does (src/data/terms.c): starting from 1.0, multiplied left to right over its
inputs in increasing order, each repeated by its power; sin and cos are C's (Python's math module).
Usage: python3 tools/ref_features.py   (python3-numpy)
"""
import csv
import itertools
import math
import os
import re
import shlex

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "features")
PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    names = rows[0][:-1]  # the last column is the target, as `load` takes it
    X = np.array([[float(v) for v in r[:-1]] for r in rows[1:]], dtype=np.float64)
    return names, X


def column(word, names):
    """The input a name in a term refers to: a column of that name, else xK."""
    if word in names:
        return names.index(word)
    m = re.fullmatch(r"x(0|[1-9][0-9]*)", word)
    if m and int(m.group(1)) < len(names):
        return int(m.group(1))
    raise ValueError("no column named " + word)


def parse(text, names):
    """A term as (kind, ((input, power), ...)) with the inputs increasing."""
    kind, body = "", text
    m = re.fullmatch(r"(sin|cos)\((.*)\)", text)
    if m:
        kind, body = m.group(1), m.group(2)
    powers = {}
    for factor in re.findall(r"(\[[^\]]*\]|[^*]+)(?:\*|$)", body):
        name, _, power = factor.rpartition("^") if re.search(r"\^\d+$", factor) else (factor, "", "1")
        name = name[1:-1] if name.startswith("[") else name
        j = column(name, names)
        powers[j] = powers.get(j, 0) + int(power)
    return kind, tuple(sorted((j, p) for j, p in powers.items() if p > 0))


def name_of(term, names):
    kind, factors = term
    parts = []
    for j, p in factors:
        n = names[j] if PLAIN.match(names[j]) else "[" + names[j] + "]"
        parts.append(n + ("^%d" % p if p > 1 else ""))
    s = "*".join(parts)
    return kind + "(" + s + ")" if kind else s


def poly(d, degree):
    out = []
    for deg in range(1, degree + 1):
        for idx in itertools.combinations_with_replacement(range(d), deg):
            out.append(("", tuple((j, idx.count(j)) for j in sorted(set(idx)))))
    return out


def run(commands, names):
    inputs = poly(len(names), 1)
    terms = list(inputs)
    for cmd in commands.split(";"):
        words = shlex.split(cmd)
        assert words[0] == "features", cmd
        if words[1] == "none":
            terms = list(inputs)
        elif words[1] == "poly":
            terms = poly(len(names), int(words[2].split("=")[1]))
        elif words[1] == "add":
            for w in words[2:]:
                t = parse(w, names)
                assert t not in terms, w
                terms.append(t)
        elif words[1] == "drop":
            gone = [parse(w, names) for w in words[2:]]
            terms = [t for t in terms if t not in gone]
    return terms


def expand(X, terms):
    cols = []
    for kind, factors in terms:
        v = np.ones(len(X))
        for j, p in factors:
            for _ in range(p):
                v = v * X[:, j]
        if kind:
            v = np.array([getattr(math, kind)(t) for t in v], dtype=np.float64)
        cols.append(v)
    return np.stack(cols, axis=1)


def main():
    names, X = read_csv(os.path.join(HERE, "people.csv"))
    out = ["# tools/ref_features.py: the expanded columns of people.csv for each case of cases.txt\n"]
    out_names = ["# tools/ref_features.py: NAME|the columns in order, as show features names them\n"]
    with open(os.path.join(HERE, "cases.txt")) as f:
        cases = [l.rstrip("\n").split("|", 1) for l in f if l.strip() and not l.startswith("#")]
    for name, commands in cases:
        terms = run(commands, names)
        E = expand(X, terms)
        out.append("%s_X %d %d\n" % (name, E.shape[0], E.shape[1]))
        for row in E:
            out.append(" ".join("%.17g" % v for v in row) + "\n")
        out_names.append(name + "|" + "|".join(name_of(t, names) for t in terms) + "\n")
    with open(os.path.join(HERE, "expanded.txt"), "w") as f:
        f.writelines(out)
    with open(os.path.join(HERE, "names.txt"), "w") as f:
        f.writelines(out_names)


if __name__ == "__main__":
    main()
