#!/usr/bin/python3
"""ref_sched.py — reference lr (and momentum) sequences of torch.optim.lr_scheduler
(PyTorch 1.13) for tests/test_sched.c.  Run:  /usr/bin/python3 tools/ref_sched.py
It rewrites tests/fixtures/sched/*.txt.

Each scheduler is stepped once per epoch, after optimizer.step(), exactly as a
training loop does; record k holds the lr in param_groups[0] after k calls of
scheduler.step() (k = 0: just constructed), i.e. the lr used in epoch k+1.

Sequence file format (<name>.txt), whitespace separated tokens, numbers
written with repr() (shortest round-trip; "nan" = none):
    fitbench-sched-fixture 1
    kind <constant|step|multistep|exp|cosine|onecycle|plateau>
    opt <sgd|adam|adamw|rmsprop|adagrad>
    opt_lr <lr the optimizer was built with>
    <key> <value>     ... SchedCfg fields by their fitbench names, bools 0/1
                          (step_size gamma t_max eta_min max_lr total_steps
                          pct_start anneal_linear div_factor final_div_factor
                          three_phase cycle_momentum base_momentum
                          max_momentum mode_max factor patience threshold
                          threshold_abs cooldown min_lr eps)
    milestones <m> <m milestones>
    records <R>
    E <k> <metric> <lr> <momentum>    R times, k = 0..R-1; metric is what
                          step k was given (plateau; nan otherwise and for
                          k = 0), momentum is the optimizer's momentum /
                          beta1 when the schedule cycles it, else nan
    end

defaults.txt: lines  <kind> <key> <value>  — the defaults in the torch
constructors' signatures (options torch requires have none and are absent).

index.txt: the sequence file names, one a line.
"""
import inspect
import math
import os
import sys
import warnings

import torch
import torch.optim.lr_scheduler as L

torch.set_default_dtype(torch.float64)
warnings.simplefilter("ignore")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "sched")
EPOCHS = 60

OPTS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}

# fitbench defaults (sched.h) for every field, overridden per configuration
BASE = dict(step_size=10, gamma=0.1, t_max=100, eta_min=0.0, max_lr=0.0, total_steps=100, pct_start=0.3,
            anneal_linear=False, div_factor=25.0, final_div_factor=1e4, three_phase=False, cycle_momentum=True,
            base_momentum=0.85, max_momentum=0.95, mode_max=False, factor=0.1, patience=10, threshold=1e-4,
            threshold_abs=False, cooldown=0, min_lr=0.0, eps=1e-8)


def fmt(x):
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, int):
        return str(x)
    return repr(float(x))


def metric_min(k):
    """A validation-loss-like sequence: fast progress, a long plateau whose
    wiggles stay inside the default relative threshold, a second drop, a noisy
    flat tail."""
    if k <= 10:
        return 1.0 / (1 + k)
    if k <= 30:
        return 0.0909 * (1 + 0.00005 * math.sin(k))
    if k <= 36:
        return 0.05 - 0.001 * k
    return 0.02 + 0.01 * ((k * 7) % 5) / 5


def make_sched(kind, opt, c, opt_lr):
    if kind == "constant":
        return None
    if kind == "step":
        return L.StepLR(opt, step_size=c["step_size"], gamma=c["gamma"])
    if kind == "multistep":
        return L.MultiStepLR(opt, milestones=c["milestones"], gamma=c["gamma"])
    if kind == "exp":
        return L.ExponentialLR(opt, gamma=c["gamma"])
    if kind == "cosine":
        return L.CosineAnnealingLR(opt, T_max=c["t_max"], eta_min=c["eta_min"])
    if kind == "onecycle":
        return L.OneCycleLR(opt, max_lr=c["max_lr"] if c["max_lr"] > 0 else opt_lr, total_steps=c["total_steps"],
                            pct_start=c["pct_start"], anneal_strategy="linear" if c["anneal_linear"] else "cos",
                            cycle_momentum=c["cycle_momentum"], base_momentum=c["base_momentum"],
                            max_momentum=c["max_momentum"], div_factor=c["div_factor"],
                            final_div_factor=c["final_div_factor"], three_phase=c["three_phase"])
    if kind == "plateau":
        return L.ReduceLROnPlateau(opt, mode="max" if c["mode_max"] else "min", factor=c["factor"],
                                   patience=c["patience"], threshold=c["threshold"],
                                   threshold_mode="abs" if c["threshold_abs"] else "rel", cooldown=c["cooldown"],
                                   min_lr=c["min_lr"], eps=c["eps"])
    raise ValueError(kind)


def run(name, kind, opt_kind="sgd", opt_lr=0.1, opt_kw=None, metrics=None, **over):
    c = dict(BASE)
    c["milestones"] = []
    for k, v in over.items():
        assert k in c, k
        c[k] = v
    p = torch.zeros(3, requires_grad=True)
    opt = OPTS[opt_kind]([p], lr=opt_lr, **(opt_kw or {}))
    sched = make_sched(kind, opt, c, opt_lr)
    group = opt.param_groups[0]
    cycles = kind == "onecycle" and c["cycle_momentum"]

    def momentum():
        if not cycles:
            return float("nan")
        return group["betas"][0] if "betas" in group else group["momentum"]

    # OneCycleLR raises past total_steps; record exactly its defined epochs.
    records = c["total_steps"] if kind == "onecycle" else EPOCHS
    lines = ["fitbench-sched-fixture 1", "kind " + kind, "opt " + opt_kind, "opt_lr " + fmt(opt_lr)]
    for key in BASE:
        lines.append("%s %s" % (key, fmt(c[key])))
    lines.append("milestones %d %s" % (len(c["milestones"]), " ".join(str(m) for m in c["milestones"])))
    lines.append("records %d" % records)
    lines.append("E 0 nan %s %s" % (fmt(group["lr"]), fmt(momentum())))
    for k in range(1, records):
        opt.step()
        m = float("nan")
        if kind == "plateau":
            m = metrics(k)
            sched.step(m)
        elif sched is not None:
            sched.step()
        lines.append("E %d %s %s %s" % (k, fmt(m), fmt(group["lr"]), fmt(momentum())))
    lines.append("end")
    with open(os.path.join(OUT, name + ".txt"), "w") as f:
        f.write("\n".join(" ".join(l.split()) for l in lines) + "\n")
    return name


def sequences():
    names = []
    r = lambda *a, **k: names.append(run(*a, **k))
    r("constant", "constant")
    r("step_default", "step")
    r("step_3_half", "step", step_size=3, gamma=0.5)
    r("step_1_adam", "step", "adam", 0.01, step_size=1, gamma=0.9)
    r("step_7_grow", "step", step_size=7, gamma=1.5)
    r("multistep_basic", "multistep", milestones=[10, 25, 40])
    r("multistep_repeated", "multistep", milestones=[5, 5, 20], gamma=0.5)
    r("multistep_zero_and_last", "multistep", milestones=[0, 3, 3, 59], gamma=0.3)
    r("multistep_unsorted", "multistep", milestones=[30, 10, 45, 10], gamma=0.7)
    r("multistep_none", "multistep", milestones=[])
    r("exp_default", "exp", gamma=0.95)
    r("exp_half", "exp", "rmsprop", 0.01, gamma=0.5)
    r("cosine_default", "cosine")
    r("cosine_wrap", "cosine", t_max=20, eta_min=0.001)
    r("cosine_7", "cosine", "adam", 0.003, t_max=7)
    r("cosine_1", "cosine", t_max=1, eta_min=0.01)
    r("cosine_60", "cosine", t_max=60, eta_min=0.01)
    r("onecycle_default", "onecycle", total_steps=60)
    r("onecycle_linear", "onecycle", total_steps=60, anneal_linear=True)
    r("onecycle_three_phase", "onecycle", total_steps=60, three_phase=True)
    r("onecycle_three_phase_linear", "onecycle", total_steps=23, pct_start=0.45, three_phase=True,
      anneal_linear=True)
    r("onecycle_adam", "onecycle", "adam", 0.01, total_steps=60)
    r("onecycle_adamw_linear", "onecycle", "adamw", 0.01, total_steps=40, anneal_linear=True,
      base_momentum=0.8, max_momentum=0.99)
    r("onecycle_rmsprop", "onecycle", "rmsprop", 0.01, total_steps=30, max_lr=0.05)
    r("onecycle_no_momentum", "onecycle", "adagrad", 0.1, total_steps=60, cycle_momentum=False)
    r("onecycle_nesterov", "onecycle", "sgd", 0.1, {"momentum": 0.9, "nesterov": True}, total_steps=50)
    r("onecycle_pct0", "onecycle", total_steps=60, pct_start=0.0)
    r("onecycle_pct1", "onecycle", total_steps=60, pct_start=1.0, anneal_linear=True)
    r("onecycle_max_lr_div", "onecycle", "sgd", 0.01, max_lr=0.5, total_steps=60, div_factor=10.0,
      final_div_factor=100.0)
    r("onecycle_5", "onecycle", total_steps=5)
    r("onecycle_1", "onecycle", total_steps=1)
    r("onecycle_2_three", "onecycle", total_steps=2, three_phase=True)
    r("plateau_default", "plateau", metrics=metric_min)
    r("plateau_patience2", "plateau", metrics=metric_min, patience=2)
    r("plateau_patience0_cooldown3", "plateau", metrics=metric_min, patience=0, cooldown=3, factor=0.5)
    r("plateau_abs_threshold", "plateau", metrics=metric_min, patience=1, threshold=0.01, threshold_abs=True)
    r("plateau_rel_threshold0", "plateau", metrics=metric_min, patience=3, threshold=0.0)
    r("plateau_min_lr", "plateau", metrics=metric_min, patience=1, factor=0.3, min_lr=0.002)
    r("plateau_eps_blocks", "plateau", "adam", 0.01, metrics=metric_min, patience=0, factor=0.5, eps=2e-3)
    r("plateau_max_rel", "plateau", metrics=lambda k: 1.0 - metric_min(k), patience=2, mode_max=True,
      cooldown=1)
    r("plateau_max_abs", "plateau", metrics=lambda k: 10.0 * (1.0 - metric_min(k)), patience=1, mode_max=True,
      threshold=0.05, threshold_abs=True, factor=0.2)
    r("plateau_nan_metric", "plateau", metrics=lambda k: float("nan") if k in (12, 13, 40) else metric_min(k),
      patience=1, cooldown=2)
    return names


def defaults():
    rows = []
    spec = {
        "step": (L.StepLR, {"gamma": "gamma"}),
        "multistep": (L.MultiStepLR, {"gamma": "gamma"}),
        "cosine": (L.CosineAnnealingLR, {"eta_min": "eta_min"}),
        "onecycle": (L.OneCycleLR, {"pct_start": "pct_start", "cycle_momentum": "cycle_momentum",
                                    "base_momentum": "base_momentum", "max_momentum": "max_momentum",
                                    "div_factor": "div_factor", "final_div_factor": "final_div_factor",
                                    "three_phase": "three_phase", "anneal_strategy": "anneal_linear"}),
        "plateau": (L.ReduceLROnPlateau, {"mode": "mode_max", "factor": "factor", "patience": "patience",
                                          "threshold": "threshold", "threshold_mode": "threshold_abs",
                                          "cooldown": "cooldown", "min_lr": "min_lr", "eps": "eps"}),
    }
    for kind, (cls, names) in spec.items():
        sig = inspect.signature(cls.__init__)
        for tname, fname in names.items():
            v = sig.parameters[tname].default
            if tname == "anneal_strategy":
                v = v == "linear"
            elif tname == "mode":
                v = v == "max"
            elif tname == "threshold_mode":
                v = v == "abs"
            rows.append("%s %s %s" % (kind, fname, fmt(v)))
    with open(os.path.join(OUT, "defaults.txt"), "w") as f:
        f.write("\n".join(rows) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    names = sequences()
    with open(os.path.join(OUT, "index.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    defaults()
    print("wrote %d sequences to %s" % (len(names), os.path.normpath(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
