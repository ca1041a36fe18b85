/* sched.c — torch.optim.lr_scheduler's per-epoch schedules, with torch's recursive formulas.
 *
 * torch's schedulers are "chainable": most compute the next lr from the
 * current one (lr * gamma, the cosine ratio), not from a closed form, and the
 * two differ in the last bits.  Each step here is the expression of the
 * class's get_lr() in PyTorch 1.13, evaluated in the same order, so the
 * sequences agree bit for bit with a training loop calling scheduler.step()
 * once per epoch. */
#include "fitbench/sched.h"
#include "fitbench/strutil.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Keep every operation rounded as written (no fused multiply-add), which is
 * how the reference numbers were computed.  GCC does this in ISO C mode
 * (-std=c17, -ffp-contract=off); clang needs the pragma. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* Python's math.pi (M_PI is not ISO C). */
static const double PI = 3.141592653589793;

const char *const sched_names[] = {"constant", "step", "multistep", "exp", "cosine", "onecycle", "plateau", NULL};

const char *sched_name(SchedKind k)
{
    return (unsigned)k <= SCHED_PLATEAU ? sched_names[k] : "?";
}

int sched_from_name(const char *name, SchedKind *k)
{
    int i = fb_name_index(sched_names, name);
    return i < 0 ? -1 : (*k = (SchedKind)i, 0);
}

/* Each option once: where it lives in SchedCfg and how it is typed, in the order of all_options below. */
typedef enum { SF_DOUBLE, SF_LONG, SF_BOOL, SF_WORD, SF_LIST } SchedFieldType;
typedef struct SchedField {
    size_t off;
    SchedFieldType type;
    const char *const *words; /* SF_WORD: the two words, for false and true */
    bool zero_unset;          /* 0 means "not set" (max_lr: the optimizer's lr): sched_text leaves it out */
} SchedField;
static const char *const anneal_words[] = {"cos", "linear", NULL};
static const char *const mode_words[] = {"min", "max", NULL};
static const char *const tmode_words[] = {"rel", "abs", NULL};
#define F(key, type, words) {offsetof(SchedCfg, key), type, words, false}
static const SchedField sched_fields[] = {
    F(step_size, SF_LONG, NULL),
    F(gamma, SF_DOUBLE, NULL),
    F(milestones, SF_LIST, NULL),
    F(t_max, SF_LONG, NULL),
    F(eta_min, SF_DOUBLE, NULL),
    {offsetof(SchedCfg, max_lr), SF_DOUBLE, NULL, true},
    F(total_steps, SF_LONG, NULL),
    F(pct_start, SF_DOUBLE, NULL),
    {offsetof(SchedCfg, anneal_linear), SF_WORD, anneal_words, false},
    F(div_factor, SF_DOUBLE, NULL),
    F(final_div_factor, SF_DOUBLE, NULL),
    F(three_phase, SF_BOOL, NULL),
    F(cycle_momentum, SF_BOOL, NULL),
    F(base_momentum, SF_DOUBLE, NULL),
    F(max_momentum, SF_DOUBLE, NULL),
    {offsetof(SchedCfg, mode_max), SF_WORD, mode_words, false},
    F(factor, SF_DOUBLE, NULL),
    F(patience, SF_LONG, NULL),
    F(threshold, SF_DOUBLE, NULL),
    {offsetof(SchedCfg, threshold_abs), SF_WORD, tmode_words, false},
    F(cooldown, SF_LONG, NULL),
    F(min_lr, SF_DOUBLE, NULL),
    F(eps, SF_DOUBLE, NULL),
};
#undef F
#define NFIELDS (sizeof sched_fields / sizeof sched_fields[0])

/* The option names, one per sched_fields entry in the same order (sched_all_options). */
static const char *const all_options[] = {
    "step_size", "gamma", "milestones", "t_max", "eta_min", "max_lr", "total_steps", "pct_start", "anneal",
    "div_factor", "final_div_factor", "three_phase", "cycle_momentum", "base_momentum", "max_momentum", "mode",
    "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps", NULL};
_Static_assert(sizeof all_options / sizeof all_options[0] == NFIELDS + 1, "one name per field");

/* Per schedule, in the order of the torch class's constructor. */
static const char *const kind_options[][12] = {
    [SCHED_CONSTANT] = {NULL},
    [SCHED_STEP] = {"step_size", "gamma", NULL},
    [SCHED_MULTISTEP] = {"milestones", "gamma", NULL},
    [SCHED_EXP] = {"gamma", NULL},
    [SCHED_COSINE] = {"t_max", "eta_min", NULL},
    [SCHED_ONECYCLE] = {"max_lr", "total_steps", "pct_start", "anneal", "div_factor", "final_div_factor",
                        "three_phase", "cycle_momentum", "base_momentum", "max_momentum", NULL},
    [SCHED_PLATEAU] = {"mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps",
                       NULL},
};

const char *const *sched_options(SchedKind k)
{
    static const char *const none[] = {NULL};
    return (unsigned)k <= SCHED_PLATEAU ? kind_options[k] : none;
}

const char *const *sched_all_options(void)
{
    return all_options;
}

bool sched_takes(SchedKind k, const char *key)
{
    return fb_name_index(sched_options(k), key) >= 0;
}

static const SchedField *sched_field(const char *key)
{
    int i = fb_name_index(all_options, key);
    return i < 0 ? NULL : &sched_fields[i];
}

const char *const *sched_option_words(const char *key)
{
    const SchedField *f = sched_field(key);
    return f && f->type == SF_WORD ? f->words : NULL;
}

bool sched_option_is_bool(const char *key)
{
    const SchedField *f = sched_field(key);
    return f && f->type == SF_BOOL;
}

int sched_set(SchedCfg *cfg, const char *key, double value)
{
    const SchedField *f = sched_field(key);
    if (!f || f->type == SF_LIST)
        return -1;
    char *p = (char *)cfg + f->off;
    switch (f->type) {
    case SF_DOUBLE: *(double *)p = value; break;
    case SF_LONG: *(long *)p = (long)value; break;
    default: *(bool *)p = value != 0; break;
    }
    return 0;
}

const char *sched_text(const SchedCfg *cfg, int digits, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%s", sched_name(cfg->kind));
    for (const char *const *o = sched_options(cfg->kind); *o && len < size; o++) {
        const SchedField *f = sched_field(*o);
        const char *p = (const char *)cfg + f->off;
        if (f->zero_unset && *(const double *)p == 0)
            continue;
        char num[40];
        len += (size_t)snprintf(buf + len, size - len, " %s=", *o);
        for (size_t i = 0; f->type == SF_LIST && i < cfg->nmilestones && len < size; i++)
            len += (size_t)snprintf(buf + len, size - len, "%s%ld", i ? "," : "", cfg->milestones[i]);
        const char *v = f->type == SF_DOUBLE ? fb_fmt(num, sizeof num, *(const double *)p, digits)
                      : f->type == SF_LONG   ? (snprintf(num, sizeof num, "%ld", *(const long *)p), num)
                      : f->type == SF_BOOL   ? (*(const bool *)p ? "yes" : "no")
                      : f->type == SF_WORD   ? f->words[*(const bool *)p]
                                             : "";
        if (len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s", v);
    }
    return buf;
}

void sched_defaults(SchedCfg *cfg, SchedKind kind)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind;
    cfg->step_size = 10;
    cfg->gamma = kind == SCHED_EXP ? 0.95 : 0.1;
    cfg->t_max = 100;
    cfg->eta_min = 0.0;
    cfg->max_lr = 0.0;
    cfg->total_steps = 100;
    cfg->pct_start = 0.3;
    cfg->anneal_linear = false;
    cfg->div_factor = 25.0;
    cfg->final_div_factor = 1e4;
    cfg->three_phase = false;
    cfg->cycle_momentum = true;
    cfg->base_momentum = 0.85;
    cfg->max_momentum = 0.95;
    cfg->mode_max = false;
    cfg->factor = 0.1;
    cfg->patience = 10;
    cfg->threshold = 1e-4;
    cfg->threshold_abs = false;
    cfg->cooldown = 0;
    cfg->min_lr = 0.0;
    cfg->eps = 1e-8;
}

static bool finite_nonneg(double x) { return isfinite(x) && x >= 0.0; }
static bool finite_pos(double x) { return isfinite(x) && x > 0.0; }

const char *sched_check(const SchedCfg *cfg)
{
    switch (cfg->kind) {
    case SCHED_CONSTANT:
        return NULL;
    case SCHED_STEP:
        if (cfg->step_size < 1) return "step_size must be >= 1";
        if (!finite_pos(cfg->gamma)) return "gamma must be a finite number > 0";
        return NULL;
    case SCHED_MULTISTEP:
        if (cfg->nmilestones > SCHED_MAX_MILESTONES) return "too many milestones (at most 32)";
        for (size_t i = 0; i < cfg->nmilestones; i++)
            if (cfg->milestones[i] < 0 || cfg->milestones[i] > SCHED_MAX_MILESTONE)
                return "milestones must be epochs from 0 to 1000000000";
        if (!finite_pos(cfg->gamma)) return "gamma must be a finite number > 0";
        return NULL;
    case SCHED_EXP:
        if (!finite_pos(cfg->gamma)) return "gamma must be a finite number > 0";
        return NULL;
    case SCHED_COSINE:
        if (cfg->t_max < 1) return "t_max must be >= 1";
        if (!finite_nonneg(cfg->eta_min)) return "eta_min must be >= 0";
        return NULL;
    case SCHED_ONECYCLE:
        if (!finite_nonneg(cfg->max_lr)) return "max_lr must be >= 0 (0 = the optimizer's lr)";
        if (cfg->total_steps < 1) return "total_steps must be >= 1";
        if (!(cfg->pct_start >= 0.0 && cfg->pct_start <= 1.0)) return "pct_start must be in [0, 1]";
        /* the first phase would end at step 0: torch divides by zero */
        if (cfg->pct_start * (double)cfg->total_steps == 1.0)
            return "pct_start * total_steps must not be 1 (the warm-up phase would be empty)";
        if (!finite_pos(cfg->div_factor)) return "div_factor must be a finite number > 0";
        if (!finite_pos(cfg->final_div_factor)) return "final_div_factor must be a finite number > 0";
        if (cfg->cycle_momentum && (!finite_nonneg(cfg->base_momentum) || !finite_nonneg(cfg->max_momentum)))
            return "base_momentum and max_momentum must be >= 0";
        return NULL;
    case SCHED_PLATEAU:
        /* torch only requires factor < 1; factor <= 0 would zero or negate the lr */
        if (!(cfg->factor > 0.0 && cfg->factor < 1.0)) return "factor must be in (0, 1)";
        if (cfg->patience < 0) return "patience must be >= 0";
        if (!finite_nonneg(cfg->threshold)) return "threshold must be >= 0";
        if (cfg->cooldown < 0) return "cooldown must be >= 0";
        if (!finite_nonneg(cfg->min_lr)) return "min_lr must be >= 0";
        if (!finite_nonneg(cfg->eps)) return "eps must be >= 0";
        return NULL;
    }
    return "unknown schedule";
}

const char *sched_check_with(const SchedCfg *cfg, const OptCfg *opt)
{
    const char *msg = sched_check(cfg);
    if (msg || cfg->kind != SCHED_ONECYCLE || !cfg->cycle_momentum) return msg;
    switch (opt->kind) {
    case OPT_SGD:
    case OPT_RMSPROP:
        return NULL;
    case OPT_ADAM:
    case OPT_ADAMW:
        if (cfg->base_momentum >= 1.0 || cfg->max_momentum >= 1.0)
            return "with adam/adamw the cycled momenta are beta1: base_momentum and max_momentum must be < 1";
        return NULL;
    case OPT_ADAGRAD:
        return "onecycle with cycle_momentum needs an optimizer with momentum or beta1 (sgd, rmsprop, adam, "
               "adamw); with adagrad set cycle_momentum=no";
    }
    return NULL;
}

/* OneCycleLR's _annealing_cos / _annealing_linear. */
static double anneal(bool linear, double start, double end, double pct)
{
    if (linear) return (end - start) * pct + start;
    double cos_out = cos(PI * pct) + 1.0;
    return end + (start - end) / 2.0 * cos_out;
}

/* OneCycleLR.get_lr() at last_epoch = step_num; sets st->lr and st->momentum. */
static void onecycle_at(const SchedCfg *cfg, SchedState *st, long step_num)
{
    const double total = (double)cfg->total_steps;
    const double initial_lr = st->base_lr, max_lr = st->max_lr;
    const double min_lr = initial_lr / cfg->final_div_factor;
    const double mmax = cfg->max_momentum, mbase = cfg->base_momentum;
    /* phases as torch lists them: end step, lr from -> to, momentum from -> to */
    struct { double end, lr0, lr1, m0, m1; } ph[3];
    int nph;
    if (cfg->three_phase) {
        ph[0].end = cfg->pct_start * total - 1.0;
        ph[0].lr0 = initial_lr, ph[0].lr1 = max_lr, ph[0].m0 = mmax, ph[0].m1 = mbase;
        ph[1].end = 2.0 * cfg->pct_start * total - 2.0;
        ph[1].lr0 = max_lr, ph[1].lr1 = initial_lr, ph[1].m0 = mbase, ph[1].m1 = mmax;
        ph[2].end = total - 1.0;
        ph[2].lr0 = initial_lr, ph[2].lr1 = min_lr, ph[2].m0 = mmax, ph[2].m1 = mmax;
        nph = 3;
    } else {
        ph[0].end = cfg->pct_start * total - 1.0;
        ph[0].lr0 = initial_lr, ph[0].lr1 = max_lr, ph[0].m0 = mmax, ph[0].m1 = mbase;
        ph[1].end = total - 1.0;
        ph[1].lr0 = max_lr, ph[1].lr1 = min_lr, ph[1].m0 = mbase, ph[1].m1 = mmax;
        nph = 2;
    }
    const double s = (double)step_num;
    double start = 0.0;
    for (int i = 0; i < nph; i++) {
        if (s <= ph[i].end || i == nph - 1) {
            double pct = (s - start) / (ph[i].end - start);
            st->lr = anneal(cfg->anneal_linear, ph[i].lr0, ph[i].lr1, pct);
            if (st->has_momentum) st->momentum = anneal(cfg->anneal_linear, ph[i].m0, ph[i].m1, pct);
            return;
        }
        start = ph[i].end;
    }
}

static long milestone_count(const SchedCfg *cfg, long epoch)
{
    long c = 0;
    size_t n = cfg->nmilestones < SCHED_MAX_MILESTONES ? cfg->nmilestones : SCHED_MAX_MILESTONES;
    for (size_t i = 0; i < n; i++)
        if (cfg->milestones[i] == epoch) c++;
    return c;
}

void sched_start(const SchedCfg *cfg, SchedState *st, const OptCfg *opt)
{
    memset(st, 0, sizeof *st);
    st->epoch = 0;
    st->base_lr = opt->lr;
    st->lr = opt->lr;
    st->best = cfg->mode_max ? -INFINITY : INFINITY;
    switch (cfg->kind) {
    case SCHED_MULTISTEP: {
        /* torch's constructor runs get_lr() at last_epoch 0: a milestone 0 applies at once */
        long c = milestone_count(cfg, 0);
        if (c > 0) st->lr = st->lr * pow(cfg->gamma, (double)c);
        break;
    }
    case SCHED_ONECYCLE:
        st->max_lr = cfg->max_lr > 0.0 ? cfg->max_lr : opt->lr;
        st->base_lr = st->max_lr / cfg->div_factor; /* torch's initial_lr */
        st->has_momentum = cfg->cycle_momentum && opt->kind != OPT_ADAGRAD;
        onecycle_at(cfg, st, 0);
        break;
    default:
        break;
    }
}

static bool plateau_better(const SchedCfg *cfg, double a, double best)
{
    if (!cfg->mode_max && !cfg->threshold_abs) return a < best * (1.0 - cfg->threshold);
    if (!cfg->mode_max) return a < best - cfg->threshold;
    if (!cfg->threshold_abs) return a > best * (cfg->threshold + 1.0);
    return a > best + cfg->threshold;
}

void sched_step(const SchedCfg *cfg, SchedState *st, double metric)
{
    st->epoch++;
    const long e = st->epoch; /* torch's last_epoch after the increment */
    switch (cfg->kind) {
    case SCHED_CONSTANT:
        break;
    case SCHED_STEP:
        if (e % cfg->step_size == 0) st->lr = st->lr * cfg->gamma;
        break;
    case SCHED_MULTISTEP: {
        long c = milestone_count(cfg, e);
        if (c > 0) st->lr = st->lr * pow(cfg->gamma, (double)c);
        break;
    }
    case SCHED_EXP:
        st->lr = st->lr * cfg->gamma;
        break;
    case SCHED_COSINE: {
        const long T = cfg->t_max;
        const double Td = (double)T;
        if ((e - 1 - T) % (2 * T) == 0) {
            /* the bottom of a half-period: the ratio form would divide by zero */
            st->lr = st->lr + (st->base_lr - cfg->eta_min) * (1.0 - cos(PI / Td)) / 2.0;
        } else {
            st->lr = (1.0 + cos(PI * (double)e / Td)) / (1.0 + cos(PI * (double)(e - 1) / Td)) *
                         (st->lr - cfg->eta_min) +
                     cfg->eta_min;
        }
        break;
    }
    case SCHED_ONECYCLE:
        /* torch raises past total_steps; hold the last scheduled epoch's values */
        onecycle_at(cfg, st, e < cfg->total_steps ? e : cfg->total_steps - 1);
        break;
    case SCHED_PLATEAU:
        if (plateau_better(cfg, metric, st->best)) {
            st->best = metric;
            st->bad_epochs = 0;
        } else {
            st->bad_epochs++;
        }
        if (st->cooldown_left > 0) {
            st->cooldown_left--;
            st->bad_epochs = 0; /* bad epochs in cooldown are ignored */
        }
        if (st->bad_epochs > cfg->patience) {
            double old_lr = st->lr;
            double cand = old_lr * cfg->factor;
            double new_lr = cfg->min_lr > cand ? cfg->min_lr : cand; /* Python max(cand, min_lr) */
            if (old_lr - new_lr > cfg->eps) st->lr = new_lr;
            st->cooldown_left = cfg->cooldown;
            st->bad_epochs = 0;
        }
        break;
    }
}

const char *sched_parse_milestones(const char *text, SchedCfg *c, char *buf, size_t size)
{
    const char *p = text;
    c->nmilestones = 0;
    while (*p) {
        const char *q = p;
        long v = 0;
        while (*q >= '0' && *q <= '9' && v <= SCHED_MAX_MILESTONE)
            v = v * 10 + (*q++ - '0');
        if (q > p && *q >= '0' && *q <= '9') {
            while (*q >= '0' && *q <= '9')
                q++;
            v = SCHED_MAX_MILESTONE + 1;
        }
        size_t len = strcspn(p, ",");
        if (q == p || (*q && *q != ',')) {
            snprintf(buf, size, "milestones= takes epochs (whole numbers from 0 to %ld, written in digits) in "
                                "increasing order separated by commas, e.g. 30,80 ('%.*s' is not one)",
                     SCHED_MAX_MILESTONE, (int)(len < 40 ? len : 40), p);
            return buf;
        }
        if (v > SCHED_MAX_MILESTONE) {
            snprintf(buf, size, "milestones= takes epochs from 0 to %ld: '%.*s' is too large", SCHED_MAX_MILESTONE,
                     (int)(len < 40 ? len : 40), p);
            return buf;
        }
        if (c->nmilestones == SCHED_MAX_MILESTONES) {
            snprintf(buf, size, "at most %d milestones", SCHED_MAX_MILESTONES);
            return buf;
        }
        if (c->nmilestones && v < c->milestones[c->nmilestones - 1]) {
            snprintf(buf, size, "milestones must be in increasing order (%ld comes after %ld)", v,
                     c->milestones[c->nmilestones - 1]);
            return buf;
        }
        c->milestones[c->nmilestones++] = v;
        p = *q ? q + 1 : q;
    }
    return NULL;
}
