/* cmd_model.c — model, init, loss, optim, schedule, batch: what to train and how. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/penalty.h"
#include "fitbench/strutil.h"

/* The one plain word these commands take (command_run checked the count against the row). */
static const Tok *first_word(Args *a)
{
    const Tok *pos[1];
    args_positional(a, pos, 1);
    return pos[0];
}

/* A one-line description of the model, for messages and show. */
static void describe_model(Interp *it)
{
    Session *s = it->s;
    const Model *m = &s->ts.model;
    sink_printf(it->out, "model %s: ", model_kind_name(m->kind));
    for (size_t l = 0; l <= m->nlayers; l++)
        sink_printf(it->out, "%zu%s", m->sizes[l], l < m->nlayers ? " -> " : "");
    sink_printf(it->out, ", %zu parameters, loss %s", m->nparams, loss_name(s->setup.loss.kind));
    if (m->kind == MODEL_MLP)
        sink_printf(it->out, ", act %s", act_name(m->act));
    sink_printf(it->out, "\n");
}

int cmd_model(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *w = first_word(a);
    Session *s = it->s;
    ModelSpec ms = {.set = true, .act = ACT_RELU};
    model_kind_from_name(w->text, &ms.kind); /* command_run checked the word against model_kind_names */
    const Tok *h = args_opt(a, "hidden"), *ac = args_opt(a, "act");
    if ((h || ac) && ms.kind != MODEL_MLP)
        return fb_fail_at(err, (h ? h : ac)->col, "%s= is for model mlp", h ? "hidden" : "act");
    if (ac)
        act_from_name(ac->val, &ms.act);
    if (ms.kind == MODEL_MLP) {
        const char *p = h ? h->val : "16";
        while (*p) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || v < 1 || v > 100000 || (*end && *end != ','))
                return fb_fail_at(err, h ? h->vcol : 0,
                                  "hidden= takes layer widths from 1 to 100000 separated by commas, e.g. 16,8 (got '%s')",
                                  h ? h->val : p);
            if (ms.nhidden == MODEL_MAX_LAYERS - 1)
                return fb_fail_at(err, h->vcol, "at most %d hidden layers", MODEL_MAX_LAYERS - 1);
            ms.hidden[ms.nhidden++] = (size_t)v;
            p = *end ? end + 1 : end;
        }
    }
    if (session_set_model(s, &ms, err))
        return -1;
    if (s->built)
        describe_model(it);
    else
        sink_printf(it->out, "model %s (its parameters are made when data is loaded)\n", w->text);
    return 0;
}

int cmd_init(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *w = first_word(a);
    Session *s = it->s;
    InitSpec in = {.set = true};
    init_from_name(w->text, &in.kind);
    const Tok *sd = args_opt(a, "std"), *bd = args_opt(a, "bound");
    if (sd && in.kind != INIT_NORMAL)
        return fb_fail_at(err, sd->col, "std= is for init normal");
    if (bd && in.kind != INIT_UNIFORM)
        return fb_fail_at(err, bd->col, "bound= is for init uniform");
    args_num(a, sd ? "std" : "bound", &in.scale);
    long seed;
    if (args_long(a, "seed", &seed)) {
        in.has_seed = true;
        in.seed = (unsigned long long)seed;
    }
    if (session_set_init(s, &in, err))
        return -1;
    sink_printf(it->out, "init %s: %zu parameters, history cleared\n", w->text, s->ts.model.nparams);
    return 0;
}

int cmd_loss(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *w = first_word(a);
    Session *s = it->s;
    LossCfg cfg = {.delta = 1.0};
    loss_from_name(w->text, &cfg.kind);
    if (s->loss_set && cfg.kind == s->setup.loss.kind)
        cfg = s->setup.loss; /* the same name keeps the options not given (compare's `loss <current> l1=V`) */
    const Tok *dt = args_opt(a, "delta");
    if (dt && cfg.kind != LOSS_HUBER)
        return fb_fail_at(err, dt->col, "delta= is for loss huber");
    args_num(a, "delta", &cfg.delta);
    static const char *const pen[] = {"l1", "l2"};
    for (int i = 0; i < 2; i++) {
        const Tok *pt = args_opt(a, pen[i]);
        double *v = i ? &cfg.l2 : &cfg.l1;
        args_num(a, pen[i], v);
        FbErr why;
        if (pt && penalty_check(pen[i], *v, &why))
            return fb_fail_at(err, pt->vcol, "%s", why.msg);
    }
    char buf[256];
    if (s->mspec.set) {
        const char *why = session_loss_mismatch(s, &cfg, s->mspec.kind, buf, sizeof buf);
        if (why)
            return fb_fail_at(err, w->col, "%s", why);
    } else if (s->data) {
        const char *why = session_loss_mismatch(s, &cfg, MODEL_LINEAR, buf, sizeof buf);
        if (why)
            return fb_fail_at(err, w->col, "%s", why);
    }
    bool rebuilt;
    if (session_set_loss(s, &cfg, &rebuilt, err))
        return -1;
    if (rebuilt) {
        size_t knew = session_outputs(s, s->mspec.kind, cfg.kind);
        sink_printf(it->out, "loss %s: the model now has %zu output%s (parameters re-initialised)\n", w->text, knew,
                    knew == 1 ? "" : "s");
        return 0;
    }
    char lt[160];
    sink_printf(it->out, "loss %s\n", loss_text(&cfg, s->set.precision, lt, sizeof lt));
    return 0;
}

static void print_optim(Interp *it, const OptCfg *c)
{
    char buf[512];
    sink_printf(it->out, "optim %s\n", optim_text(c, it->s->set.precision, buf, sizeof buf));
}

int cmd_optim(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *w = first_word(a);
    Session *s = it->s;
    OptKind kind = OPT_SGD;
    optim_from_name(w->text, &kind);
    bool same = s->setup.opt.kind == kind;
    OptCfg c;
    if (same)
        c = s->setup.opt;
    else
        optim_defaults(&c, kind);
    for (int i = 1; i < a->n; i++) {
        const Tok *t = &a->t[i];
        if (!t->key || strcmp(t->key, "schedule") == 0)
            continue;
        if (!optim_takes(kind, t->key)) {
            char list[64] = "";
            for (int k = 0; optim_names[k]; k++)
                if (optim_takes((OptKind)k, t->key))
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", *list ? ", " : "",
                             optim_names[k]);
            return fb_fail_at(err, t->col, "option '%s' does not apply to %s (it is for %s)", t->key, w->text, list);
        }
        /* args_check has already checked the value against the option table. */
        bool isb = optim_option_is_bool(t->key), b = false;
        double v = 0;
        if (isb ? args_bool(a, t->key, &b) : args_num(a, t->key, &v))
            optim_set(&c, t->key, isb ? b : v);
    }
    const char *bad = optim_check(&c);
    if (bad)
        return fb_fail_at(err, w->col, "%s", bad);
    const char *sw = args_str(a, "schedule");
    if (sw && strcmp(sw, "scale") == 0) {
        /* Keep the schedule's place and scale it to the new lr (the workbench's +/- keys are logged so). */
        if (!same)
            return fb_fail_at(err, args_opt(a, "schedule")->col,
                              "schedule=scale keeps the running %s and its schedule: it takes the same optimizer "
                              "name (a new optimizer restarts the schedule)",
                              optim_name(s->setup.opt.kind));
        if (session_rescale_optim(s, &c, err))
            return -1;
        print_optim(it, &s->setup.opt);
        return 0;
    }
    if (session_set_optim(s, &c, err))
        return -1;
    print_optim(it, &c);
    return 0;
}

static int parse_milestones(const Tok *t, SchedCfg *c, FbErr *err)
{
    char buf[256];
    const char *bad = sched_parse_milestones(t->val, c, buf, sizeof buf);
    return bad ? fb_fail_at(err, t->vcol, "%s", bad) : 0;
}

/* Set the options of kind's schedule given on the command line into c (sched.c's table says which are
 * whose; args_check has already checked each value against the row).  Fails at the first option of another
 * schedule or a bad milestones list. */
static int schedule_options(const Args *a, SchedKind kind, const char *name, SchedCfg *c, FbErr *err)
{
    for (int i = 1; i < a->n; i++)
        if (a->t[i].key && !sched_takes(kind, a->t[i].key))
            return fb_fail_at(err, a->t[i].col, "option '%s' does not apply to schedule %s", a->t[i].key, name);
    for (int i = 1; i < a->n; i++) {
        const Tok *t = &a->t[i];
        if (!t->key)
            continue;
        if (strcmp(t->key, "milestones") == 0) {
            if (parse_milestones(args_opt(a, t->key), c, err))
                return -1;
            continue;
        }
        const char *const *words = sched_option_words(t->key);
        bool b = false;
        double v = 0;
        if (words)
            v = fb_name_index(words, args_str(a, t->key)) > 0;
        else if (sched_option_is_bool(t->key))
            v = args_bool(a, t->key, &b) && b;
        else
            args_num(a, t->key, &v);
        sched_set(c, t->key, v);
    }
    return 0;
}

int cmd_schedule(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *w = first_word(a);
    Session *s = it->s;
    SchedKind kind = SCHED_CONSTANT;
    sched_from_name(w->text, &kind);
    SchedCfg c;
    sched_defaults(&c, kind);
    if (schedule_options(a, kind, w->text, &c, err))
        return -1;
    if (kind == SCHED_MULTISTEP && !args_opt(a, "milestones"))
        return fb_fail_at(err, w->col, "schedule multistep needs milestones=, e.g. milestones=30,80");
    const char *bad = sched_check(&c);
    if (bad)
        return fb_fail_at(err, w->col, "%s", bad);
    session_set_schedule(s, &c);
    sink_printf(it->out, "schedule %s (from the next epoch)\n", w->text);
    return 0;
}

int cmd_batch(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *w = first_word(a);
    Session *s = it->s;
    size_t b = 0;
    if (strcmp(w->text, "full") != 0) {
        long v;
        if (!fb_parse_long(w->text, &v) || v < 1)
            return fb_fail_at(err, w->col, "batch must be 'full' or a whole number >= 1 (got '%s')", w->text);
        b = (size_t)v;
    }
    bool shuffle;
    session_set_batch(s, b, args_bool(a, "shuffle", &shuffle) ? &shuffle : NULL);
    if (b)
        sink_printf(it->out, "batch %zu shuffle=%s\n", b, s->setup.shuffle ? "yes" : "no");
    else
        sink_printf(it->out, "batch full\n");
    return 0;
}
