#!/usr/bin/python3
"""ref_optim.py — reference trajectories of torch.optim (PyTorch 1.13, float64,
foreach=False) for tests/test_optim.c.  Run:  /usr/bin/python3 tools/ref_optim.py
It rewrites tests/fixtures/optim/*.txt.

The problem (the C test computes the same gradient with the same operations):
    n = 5 parameters, a, c, D below, step index k = 0, 1, 2, ...
    g_i(p, k) = 2.0 * a_i * (p_i - c_i) + cos(p_i) + D[k % 4][i]   (mode mb)
    g_i(p, k) = 2.0 * a_i * (p_i - c_i) + cos(p_i)                (mode full)
i.e. the gradient of f(p) = sum a_i (p_i - c_i)^2 + sin(p_i), nonconvex, and in
mode mb a different "minibatch" offset every step so optimizer state matters.
Gradients are computed with Python floats (glibc's cos, as C's), then handed
to torch as p.grad.  torch runs its portable CPU kernels (ATEN_CPU_CAPABILITY
=default, set below): no fused multiply-adds, so C can agree bit for bit.

Trajectory file format (<name>.txt), whitespace separated tokens, every
number written with repr() (shortest round-trip, parse with strtod):
    fitbench-optim-fixture 1
    kind <sgd|adam|adamw|rmsprop|adagrad>
    mode <full|mb>
    <key> <value>         ... the hyperparameters of param_groups[0]
                              (lr momentum dampening nesterov weight_decay
                              beta1 beta2 eps amsgrad alpha centered lr_decay
                              initial_accumulator_value; bools as 0/1)
    n 5
    p0 <n numbers>        initial parameters
    steps <S>
    then S records, each optionally preceded by changes:
    C <key> <value>       set the hyperparameter in param_groups[0] before
                          the next step (torch keeps its optimizer state);
                          also how OneCycleLR's momentum / beta1 edits show
    S <k> <lr> <g_1..g_n> <p_1..p_n>
                          step k (0-based) used lr and the gradient g,
                          leaving parameters p.
    end

check.txt: lines  <kind> <m> <key_1> <value_1> ... <key_m> <value_m> <ok|err>
— whether torch's constructor accepts optimizer `kind` with those options
changed from the defaults (sgd gets lr=0.01).

defaults.txt: lines  <kind> <key> <value>  — torch's defaults per class.
"""
import math
import os
import sys

# torch's AVX2 kernels are compiled with FMA contraction (a + alpha * b becomes
# one fused multiply-add), so their last bit depends on the CPU.  The portable
# kernels ("default" capability) round every operation as the formulas read,
# which is what fitbench's C computes: with them the trajectories agree bit for
# bit.  Must be set before torch is imported.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)

N = 5
A = [0.5, 1.0, 2.0, 0.25, 3.0]
C = [1.0, -2.0, 0.5, 3.0, -0.75]
P0 = [0.0, 0.5, -1.0, 2.0, 1.5]
D = [[0.3, -0.2, 0.5, -0.1, 0.05],
     [-0.4, 0.1, -0.3, 0.2, -0.25],
     [0.15, 0.35, -0.05, -0.3, 0.4],
     [-0.05, -0.25, -0.15, 0.25, -0.2]]
STEPS = 60

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "optim")

CLASSES = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}

# fitbench key -> torch param_group key (betas handled apart)
KEYS = {
    "sgd": ["lr", "momentum", "dampening", "nesterov", "weight_decay"],
    "adam": ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"],
    "adamw": ["lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"],
    "rmsprop": ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"],
    "adagrad": ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
}


def grad(p, k, mode):
    g = []
    for i in range(N):
        v = 2.0 * A[i] * (p[i] - C[i]) + math.cos(p[i])
        if mode == "mb":
            v = v + D[k % 4][i]
        g.append(v)
    return g


def fmt(x):
    if isinstance(x, bool):
        return "1" if x else "0"
    return repr(float(x))


def to_torch_kwargs(kw):
    kw = dict(kw)
    if "beta1" in kw or "beta2" in kw:
        kw["betas"] = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
    return kw


def group_get(group, key):
    if key == "beta1":
        return group["betas"][0]
    if key == "beta2":
        return group["betas"][1]
    return group[key]


def group_set(group, key, value):
    if key == "beta1":
        group["betas"] = (value, group["betas"][1])
    elif key == "beta2":
        group["betas"] = (group["betas"][0], value)
    else:
        group[key] = value


def run(name, kind, kw, mode="full", changes=None, lrs=None, sched=None):
    """changes: {step: [(key, value), ...]} applied before that step;
    lrs: function k -> lr set in param_groups[0] before step k (a schedule);
    sched: function optimizer -> torch lr scheduler stepped after every
    step (its momentum / beta1 edits are written as C lines)."""
    changes = changes or {}
    p = torch.tensor(P0, dtype=torch.float64, requires_grad=True)
    opt = CLASSES[kind]([p], foreach=False, **to_torch_kwargs(kw))
    group = opt.param_groups[0]
    scheduler = sched(opt) if sched else None
    written = {key: group_get(group, key) for key in KEYS[kind]}
    lines = ["fitbench-optim-fixture 1", "kind " + kind, "mode " + mode]
    for key in KEYS[kind]:
        lines.append("%s %s" % (key, fmt(written[key])))
    lines.append("n %d" % N)
    lines.append("p0 " + " ".join(fmt(x) for x in P0))
    lines.append("steps %d" % STEPS)
    for k in range(STEPS):
        for key, value in changes.get(k, []):
            group_set(group, key, value)
            written[key] = group_get(group, key)
            lines.append("C %s %s" % (key, fmt(value)))
        if lrs is not None:
            group["lr"] = lrs(k)
        for key in KEYS[kind]:
            if key != "lr" and group_get(group, key) != written[key]:
                written[key] = group_get(group, key)
                lines.append("C %s %s" % (key, fmt(written[key])))
        cur = [float(x) for x in p.detach().tolist()]
        g = grad(cur, k, mode)
        p.grad = torch.tensor(g, dtype=torch.float64)
        lr_used = group["lr"]
        opt.step()
        if scheduler is not None:
            scheduler.step()
        after = p.detach().tolist()
        lines.append("S %d %s %s %s" % (k, fmt(lr_used), " ".join(fmt(x) for x in g),
                                        " ".join(fmt(x) for x in after)))
    lines.append("end")
    with open(os.path.join(OUT, name + ".txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return name


def trajectories():
    names = []
    r = lambda *a, **k: names.append(run(*a, **k))
    # SGD
    r("sgd_plain", "sgd", dict(lr=0.05))
    r("sgd_default_lr", "sgd", dict(lr=0.01), "mb")
    r("sgd_wd", "sgd", dict(lr=0.05, weight_decay=0.1))
    r("sgd_momentum", "sgd", dict(lr=0.05, momentum=0.9))
    r("sgd_momentum_dampening", "sgd", dict(lr=0.05, momentum=0.9, dampening=0.3))
    r("sgd_momentum_dampening_wd_mb", "sgd", dict(lr=0.03, momentum=0.7, dampening=0.5, weight_decay=0.02), "mb")
    r("sgd_nesterov", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True))
    r("sgd_nesterov_wd_mb", "sgd", dict(lr=0.04, momentum=0.8, nesterov=True, weight_decay=0.05), "mb")
    r("sgd_momentum_sched_lr_mb", "sgd", dict(lr=0.1, momentum=0.9), "mb",
      lrs=lambda k: 0.1 * 0.95 ** k)
    # Adam
    r("adam_default", "adam", dict())
    r("adam_lr", "adam", dict(lr=0.05))
    r("adam_wd_mb", "adam", dict(lr=0.05, weight_decay=0.1), "mb")
    r("adam_amsgrad_mb", "adam", dict(lr=0.05, amsgrad=True), "mb")
    r("adam_betas_eps_wd_amsgrad", "adam", dict(lr=0.02, beta1=0.5, beta2=0.9, eps=1e-6, weight_decay=0.01, amsgrad=True))
    r("adam_sched_lr_mb", "adam", dict(lr=0.1), "mb", lrs=lambda k: 0.1 * math.cos(k / 50.0))
    # AdamW
    r("adamw_default_lr", "adamw", dict(lr=0.05))
    r("adamw_wd_amsgrad_mb", "adamw", dict(lr=0.05, weight_decay=0.1, amsgrad=True), "mb")
    r("adamw_nowd", "adamw", dict(lr=0.05, weight_decay=0.0))
    r("adamw_sched_lr_mb", "adamw", dict(lr=0.1, weight_decay=0.3), "mb", lrs=lambda k: 0.1 / (1 + k))
    # RMSprop
    r("rmsprop_default", "rmsprop", dict())
    r("rmsprop_centered", "rmsprop", dict(lr=0.01, centered=True))
    r("rmsprop_momentum", "rmsprop", dict(lr=0.01, momentum=0.9))
    r("rmsprop_centered_momentum_wd_mb", "rmsprop", dict(lr=0.01, momentum=0.8, centered=True, weight_decay=0.05), "mb")
    r("rmsprop_alpha_eps_mb", "rmsprop", dict(lr=0.02, alpha=0.9, eps=1e-6), "mb")
    # Adagrad
    r("adagrad_default", "adagrad", dict())
    r("adagrad_lr", "adagrad", dict(lr=0.5))
    r("adagrad_lr_decay", "adagrad", dict(lr=0.5, lr_decay=0.05))
    r("adagrad_iav", "adagrad", dict(lr=0.5, initial_accumulator_value=0.3))
    r("adagrad_all_mb", "adagrad", dict(lr=0.4, lr_decay=0.01, weight_decay=0.05,
                                        initial_accumulator_value=0.1, eps=1e-6), "mb")
    # OneCycleLR stepped after every update: lr and momentum / beta1 change each step
    oc = lambda **k: (lambda o: torch.optim.lr_scheduler.OneCycleLR(o, total_steps=STEPS, **k))
    r("sgd_onecycle_mb", "sgd", dict(lr=0.05), "mb", sched=oc(max_lr=0.1))
    r("sgd_onecycle_nesterov_three_phase_mb", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True), "mb",
      sched=oc(max_lr=0.1, three_phase=True, anneal_strategy="linear"))
    r("adam_onecycle_mb", "adam", dict(lr=0.05), "mb", sched=oc(max_lr=0.1))
    r("rmsprop_onecycle_mb", "rmsprop", dict(lr=0.01, momentum=0.5), "mb", sched=oc(max_lr=0.02))
    # Hyperparameters edited mid-run (param_groups), state kept
    r("sgd_change_mb", "sgd", dict(lr=0.05), "mb",
      changes={20: [("momentum", 0.9)], 35: [("lr", 0.02), ("dampening", 0.2)],
               45: [("dampening", 0.0), ("nesterov", True), ("weight_decay", 0.1)]})
    r("sgd_momentum_off_on_mb", "sgd", dict(lr=0.05, momentum=0.9), "mb",
      changes={25: [("momentum", 0.0)], 40: [("momentum", 0.5)]})
    r("adam_change_mb", "adam", dict(lr=0.05), "mb",
      changes={20: [("beta1", 0.8), ("beta2", 0.99)], 30: [("weight_decay", 0.1), ("eps", 1e-4)],
               40: [("lr", 0.01)]})
    r("adamw_change_mb", "adamw", dict(lr=0.05, amsgrad=True), "mb",
      changes={15: [("weight_decay", 0.5)], 30: [("lr", 0.1), ("beta1", 0.95)]})
    r("rmsprop_change_mb", "rmsprop", dict(lr=0.01, momentum=0.5, centered=True), "mb",
      changes={20: [("alpha", 0.9)], 30: [("momentum", 0.95)], 40: [("lr", 0.003), ("weight_decay", 0.2)]})
    r("adagrad_change_mb", "adagrad", dict(lr=0.5), "mb",
      changes={20: [("lr_decay", 0.1)], 40: [("lr", 0.2), ("weight_decay", 0.05), ("eps", 1e-3)]})
    return names


def check_cases():
    single = {
        "sgd": [("lr", -0.1), ("lr", 1e-9), ("momentum", -0.5), ("momentum", 0.0), ("momentum", 1.5),
                ("dampening", -1.0), ("dampening", 2.0), ("weight_decay", -1e-3), ("weight_decay", 0.0),
                ("nesterov", True)],
        "adam": [("lr", -1e-3), ("eps", -1e-8), ("eps", 0.0), ("beta1", -0.1), ("beta1", 0.0), ("beta1", 1.0),
                 ("beta1", 0.999), ("beta2", -0.1), ("beta2", 0.0), ("beta2", 1.0), ("weight_decay", -1.0),
                 ("weight_decay", 2.0), ("amsgrad", True)],
        "rmsprop": [("lr", -1.0), ("eps", -1.0), ("momentum", -0.1), ("momentum", 2.0), ("weight_decay", -0.1),
                    ("alpha", -0.01), ("alpha", 0.0), ("alpha", 1.5), ("centered", True)],
        "adagrad": [("lr", -1.0), ("lr_decay", -0.1), ("lr_decay", 3.0), ("weight_decay", -0.1),
                    ("initial_accumulator_value", -0.1), ("initial_accumulator_value", 5.0),
                    ("eps", -1e-10), ("eps", 0.0)],
    }
    single["adamw"] = single["adam"]
    cases = [(kind, [kv]) for kind, lst in single.items() for kv in lst]
    cases += [("sgd", [("nesterov", True), ("momentum", 0.9)]),
              ("sgd", [("nesterov", True), ("momentum", 0.9), ("dampening", 0.1)]),
              ("sgd", [("nesterov", True), ("momentum", 0.5), ("dampening", -0.5)])]
    lines = []
    for kind, pairs in cases:
        kw = dict(pairs)
        if kind == "sgd":
            kw.setdefault("lr", 0.01)
        p = torch.zeros(2, requires_grad=True)
        try:
            CLASSES[kind]([p], **to_torch_kwargs(kw))
            ok = "ok"
        except ValueError:
            ok = "err"
        lines.append("%s %d %s %s" % (kind, len(pairs), " ".join("%s %s" % (k, fmt(v)) for k, v in pairs), ok))
    with open(os.path.join(OUT, "check.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def defaults():
    lines = []
    for kind, cls in CLASSES.items():
        p = torch.zeros(2, requires_grad=True)
        opt = cls([p], lr=0.01) if kind == "sgd" else cls([p])
        group = opt.param_groups[0]
        for key in KEYS[kind]:
            lines.append("%s %s %s" % (kind, key, fmt(group_get(group, key))))
    with open(os.path.join(OUT, "defaults.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    names = trajectories()
    with open(os.path.join(OUT, "index.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    check_cases()
    defaults()
    print("wrote %d trajectories to %s" % (len(names), os.path.normpath(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
