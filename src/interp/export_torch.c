/* export_torch.c — the PyTorch script of a session (export.h): its data, nn.Sequential model, starting
 * parameters, loss, optimizer, schedule and batch order, and the session's training commands in order. */
#include <stdio.h>
#include <string.h>

#include "export_text.h"
#include "fitbench/export.h"

#define F(v) export_float((char[40]){0}, 40, (v))

static const char *pybool(bool b) { return b ? "True" : "False"; }

static void header(const ExportPlan *p, StrBuf *out)
{
    strbuf_printf(out,
        "#!/usr/bin/env python3\n"
        "r\"\"\"%s.py: a fitbench session as a PyTorch script (written by `%s`).\n\n"
        "It rebuilds the session's data, model and starting parameters and replays its training commands in\n"
        "order, then writes the history fitbench's `save history` writes (epoch, step, train_loss, val_loss, lr,\n"
        "grad_norm, seconds) and the final parameters as fitbench's `save weights` does. In float64 on the CPU\n"
        "the losses agree with fitbench's to rounding (about 1e-12 relative; docs/export.md says where that\n"
        "stops).\n\n"
        "Next to it: %s/ holds the parameters the run started from (.npy, shaped like nn.Linear: W is\n"
        "(out, in)).\n\n"
        "Run it:\n"
        "  one process:        python3 %s.py\n"
        "  several processes:  torchrun --standalone --nproc_per_node=4 %s.py --ddp\n"
        "                      (Debian's torch 1.13 under Python 3.11: add --redirects 1 --tee 1)\n"
        "  several machines:   torchrun --nnodes=2 --node_rank=R --nproc_per_node=4 --master_addr=HOST \\\n"
        "                          --master_port=29500 %s.py --ddp      (R = 0, 1 on the two machines)\n"
        "  faster, not exact:  python3 %s.py --float32 [--cuda]\n\n"
        "With --ddp (gloo on the CPU, nccl with --cuda) every process reads the data and computes the loss and\n"
        "gradient of its own contiguous slice of every batch; the slices' gradients are summed in rank order\n"
        "(all_gather, then a fixed-order sum: DistributedDataParallel's all-reduce written out), so each update\n"
        "is the one-process update up to rounding, for full batches and minibatches alike.\n"
        "\"\"\"\n",
        p->stem, p->command, p->start_dir, p->stem, p->stem, p->stem, p->stem);
    strbuf_puts(out, "import argparse\n");
    if (p->data.csv_path)
        strbuf_puts(out, "import csv\nimport gzip\n");
    strbuf_puts(out, "import math\nimport os\nimport time\n\n"
                     "# torch's portable CPU kernels round every operation as written, as fitbench does (its AVX2\n"
                     "# kernels fuse multiply-adds and differ in the last bit): set before torch is imported.\n"
                     "os.environ.setdefault(\"ATEN_CPU_CAPABILITY\", \"default\")\n\n"
                     "import numpy as np  # noqa: E402\nimport torch  # noqa: E402\n"
                     "import torch.distributed as dist  # noqa: E402\nfrom torch import nn  # noqa: E402\n\n"
                     "HERE = os.path.dirname(os.path.abspath(__file__))\n");
    strbuf_printf(out, "STEM = \"%s\"\nSTART = \"%s\"  # the run's starting parameters\n", p->stem,
                  p->start_dir);
    strbuf_printf(out, "# %s\nDDP_UNDER_TORCHRUN = %s\n\n\n",
                  p->ddp ? "save torch ... ddp=yes: started by torchrun, the script runs as with --ddp"
                         : "True: started by torchrun, run as with --ddp (save torch ... ddp=yes)",
                  p->ddp ? "True" : "False");
}

static void model_section(const ExportPlan *p, StrBuf *out)
{
    const Model *m = p->model;
    static const char *const acts[] = {[ACT_RELU] = "nn.ReLU()", [ACT_TANH] = "nn.Tanh()",
                                       [ACT_SIGMOID] = "nn.Sigmoid()", [ACT_LINEAR] = "nn.Identity()"};
    strbuf_puts(out, "\n\n# -----------------------------------------------------------------------------\n"
                     "# 3. The model, the loss, the optimizer and the training loop.\n\n\n"
                     "def build_model():\n");
    strbuf_printf(out, "    \"\"\"model %s: torch.nn.Linear layers%s; the outputs are logits.\"\"\"\n",
                  model_kind_name(m->kind), m->nlayers > 1 ? " with the activation between them" : "");
    strbuf_puts(out, "    return nn.Sequential(");
    for (size_t l = 0; l < m->nlayers; l++) {
        if (l)
            strbuf_printf(out, ", %s, ", acts[m->act]);
        strbuf_printf(out, "nn.Linear(%zu, %zu)", m->sizes[l], m->sizes[l + 1]);
    }
    strbuf_puts(out, ")\n\n\n# fitbench's data-order generator as it stood when the run started (the minibatch orders\n"
                     "# continue from it, one permutation per epoch when shuffling).\n");
    strbuf_printf(out, "DATA_ORDER_STATE = (%llu, %llu, %llu, %llu)\n", (unsigned long long)p->rng0[0],
                  (unsigned long long)p->rng0[1], (unsigned long long)p->rng0[2], (unsigned long long)p->rng0[3]);
}

/* The keyword arguments of the torch optimizer for cfg. */
static void optim_kwargs(const OptCfg *c, bool with_lr, StrBuf *out)
{
    if (with_lr)
        strbuf_printf(out, "lr=%s, ", F(c->lr));
    switch (c->kind) {
    case OPT_SGD:
        strbuf_printf(out, "momentum=%s, dampening=%s, nesterov=%s", F(c->momentum), F(c->dampening),
                      pybool(c->nesterov));
        break;
    case OPT_ADAM:
    case OPT_ADAMW:
        strbuf_printf(out, "betas=(%s, %s), eps=%s", F(c->beta1), F(c->beta2), F(c->eps));
        strbuf_printf(out, ", amsgrad=%s", pybool(c->amsgrad));
        break;
    case OPT_RMSPROP:
        strbuf_printf(out, "alpha=%s, eps=%s, momentum=%s, centered=%s", F(c->alpha), F(c->eps),
                      F(c->momentum), pybool(c->centered));
        break;
    case OPT_ADAGRAD:
        strbuf_printf(out, "lr_decay=%s, initial_accumulator_value=%s, eps=%s", F(c->lr_decay),
                      F(c->initial_accumulator_value), F(c->eps));
        break;
    }
    strbuf_printf(out, ", weight_decay=%s", F(c->weight_decay));
}

/* The keyword arguments of the torch scheduler for cfg (with optimizer o). */
static void sched_kwargs(const SchedCfg *c, const OptCfg *o, StrBuf *out)
{
    switch (c->kind) {
    case SCHED_STEP:
        strbuf_printf(out, ", step_size=%ld, gamma=%s", c->step_size, F(c->gamma));
        break;
    case SCHED_MULTISTEP:
        strbuf_puts(out, ", milestones=[");
        for (size_t i = 0; i < c->nmilestones; i++)
            strbuf_printf(out, "%s%ld", i ? ", " : "", c->milestones[i]);
        strbuf_printf(out, "], gamma=%s", F(c->gamma));
        break;
    case SCHED_EXP:
        strbuf_printf(out, ", gamma=%s", F(c->gamma));
        break;
    case SCHED_COSINE:
        strbuf_printf(out, ", T_max=%ld, eta_min=%s", c->t_max, F(c->eta_min));
        break;
    case SCHED_ONECYCLE:
        strbuf_printf(out, ", max_lr=%s, total_steps=%ld, pct_start=%s,\n                     anneal_strategy=\"%s\"",
                      F(c->max_lr > 0 ? c->max_lr : o->lr), c->total_steps, F(c->pct_start),
                      c->anneal_linear ? "linear" : "cos");
        strbuf_printf(out, ", div_factor=%s, final_div_factor=%s, three_phase=%s,\n                     ",
                      F(c->div_factor), F(c->final_div_factor), pybool(c->three_phase));
        strbuf_printf(out, "cycle_momentum=%s, base_momentum=%s, max_momentum=%s",
                      pybool(c->cycle_momentum && o->kind != OPT_ADAGRAD), F(c->base_momentum),
                      F(c->max_momentum));
        break;
    case SCHED_PLATEAU:
        strbuf_printf(out, ", mode=\"%s\", factor=%s, patience=%ld,\n                     threshold=%s",
                      c->mode_max ? "max" : "min", F(c->factor), c->patience, F(c->threshold));
        strbuf_printf(out, ", threshold_mode=\"%s\", cooldown=%ld, min_lr=%s, eps=%s", c->threshold_abs ? "abs" : "rel",
                      c->cooldown, F(c->min_lr), F(c->eps));
        break;
    default:
        break;
    }
}

static void put_loss(const LossCfg *l, StrBuf *out)
{
    strbuf_printf(out, "    run.set_loss(\"%s\"", loss_name(l->kind));
    if (l->kind == LOSS_HUBER)
        strbuf_printf(out, ", delta=%s", F(l->delta));
    if (l->l1 != 0) /* the penalties only when set: the scripts of sessions without them stay as they were */
        strbuf_printf(out, ", l1=%s", F(l->l1));
    if (l->l2 != 0)
        strbuf_printf(out, ", l2=%s", F(l->l2));
    strbuf_puts(out, ")\n");
}

static void put_optim(const OptCfg *o, const char *call, StrBuf *out)
{
    strbuf_printf(out, "    run.%s(", call);
    if (strcmp(call, "set_optimizer") == 0)
        strbuf_printf(out, "\"%s\", ", optim_name(o->kind));
    if (strcmp(call, "rescale_lr") == 0)
        strbuf_printf(out, "%s, ", F(o->lr));
    optim_kwargs(o, strcmp(call, "rescale_lr") != 0, out);
    strbuf_puts(out, ")\n");
}

static void put_sched(const TrainSetup *s, StrBuf *out)
{
    strbuf_printf(out, "    run.set_schedule(\"%s\"", sched_name(s->sched.kind));
    sched_kwargs(&s->sched, &s->opt, out);
    strbuf_puts(out, ")\n");
}

static void put_batch(const TrainSetup *s, StrBuf *out)
{
    strbuf_printf(out, "    run.set_batch(%zu, shuffle=%s)\n", s->batch, pybool(s->shuffle));
}

static void put_event(const ExportEvent *e, StrBuf *out)
{
    strbuf_puts(out, "    # ");
    strbuf_puts(out, e->line);
    strbuf_puts(out, "\n");
    switch (e->kind) {
    case EXPORT_TRAIN:
        if (e->patience)
            strbuf_printf(out, "    run.train(%ld, patience=%ld)\n", e->epochs, e->patience);
        else
            strbuf_printf(out, "    run.train(%ld)\n", e->epochs);
        break;
    case EXPORT_OPTIM:
        put_optim(&e->setup.opt, "set_optimizer", out);
        put_sched(&e->setup, out);
        break;
    case EXPORT_OPTIONS:
        put_optim(&e->setup.opt, "set_options", out);
        put_sched(&e->setup, out);
        break;
    case EXPORT_RESCALE:
        put_optim(&e->setup.opt, "rescale_lr", out);
        break;
    case EXPORT_SCHEDULE:
        put_sched(&e->setup, out);
        break;
    case EXPORT_BATCH:
        put_batch(&e->setup, out);
        break;
    case EXPORT_LOSS:
        put_loss(&e->setup.loss, out);
        break;
    }
}

static void replay_section(const ExportPlan *p, StrBuf *out)
{
    strbuf_puts(out, "\n\n# -----------------------------------------------------------------------------\n"
                     "# 4. The session: its setup when the run started, then its commands in order.\n\n\n"
                     "def replay(run):\n"
                     "    # the setup the run started with\n");
    put_loss(&p->setup0.loss, out);
    put_optim(&p->setup0.opt, "set_optimizer", out);
    put_sched(&p->setup0, out);
    put_batch(&p->setup0, out);
    for (size_t i = 0; i < p->nev; i++)
        put_event(&p->ev[i], out);
}

int export_torch(const ExportPlan *p, StrBuf *out, FbErr *err)
{
    header(p, out);
    strbuf_puts(out, "# -----------------------------------------------------------------------------\n");
    export_lines(out, export_py_rng);
    export_data_section(p, out);
    model_section(p, out);
    export_lines(out, export_py_torch);
    replay_section(p, out);
    export_lines(out, export_py_torchmain);
    if (out->oom)
        return fb_fail(err, "out of memory writing the script");
    return 0;
}
