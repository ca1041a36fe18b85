/* sched.h — learning-rate schedules of torch.optim.lr_scheduler, stepped once per epoch. */
#ifndef FITBENCH_SCHED_H
#define FITBENCH_SCHED_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/optim.h"

#define SCHED_MAX_MILESTONES 32
#define SCHED_MAX_MILESTONE 1000000000L /* the largest milestone: as many epochs as one train may ask for */

typedef enum {
    SCHED_CONSTANT, SCHED_STEP, SCHED_MULTISTEP, SCHED_EXP, SCHED_COSINE, SCHED_ONECYCLE, SCHED_PLATEAU
} SchedKind;

/* Options, named and defaulted as the torch classes (StepLR, MultiStepLR,
 * ExponentialLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau). */
typedef struct SchedCfg {
    SchedKind kind;
    long step_size;                 /* step: 10 */
    double gamma;                   /* step, multistep: 0.1; exp: 0.95 */
    long milestones[SCHED_MAX_MILESTONES];
    size_t nmilestones;             /* multistep (sorted, as torch counts them) */
    long t_max;                     /* cosine: 100 */
    double eta_min;                 /* cosine: 0 */
    double max_lr;                  /* onecycle: 0 = the optimizer's lr */
    long total_steps;               /* onecycle: 100 (epochs) */
    double pct_start;               /* onecycle: 0.3 */
    bool anneal_linear;             /* onecycle: false = 'cos' */
    double div_factor;              /* onecycle: 25 */
    double final_div_factor;        /* onecycle: 1e4 */
    bool three_phase;               /* onecycle: false */
    bool cycle_momentum;            /* onecycle: true, as torch (sets sgd momentum / adam beta1) */
    double base_momentum, max_momentum; /* onecycle: 0.85, 0.95 */
    bool mode_max;                  /* plateau: false = 'min' */
    double factor;                  /* plateau: 0.1 */
    long patience;                  /* plateau: 10 */
    double threshold;               /* plateau: 1e-4 */
    bool threshold_abs;             /* plateau: false = 'rel' */
    long cooldown;                  /* plateau: 0 */
    double min_lr;                  /* plateau: 0 */
    double eps;                     /* plateau: 1e-8 */
} SchedCfg;

/* Where a schedule is.  `lr` is the lr to use in the next epoch; when
 * has_momentum, `momentum` replaces sgd's momentum / rmsprop's momentum /
 * adam's beta1 in that epoch (OneCycleLR's cycle_momentum). */
typedef struct SchedState {
    long epoch;         /* epochs completed since the schedule started */
    double base_lr;
    double lr;
    bool has_momentum;
    double momentum;
    double best;        /* plateau */
    long bad_epochs;    /* plateau */
    long cooldown_left; /* plateau */
    double max_lr;      /* onecycle: the peak lr (cfg->max_lr, or the optimizer's lr when that is 0) */
} SchedState;

void sched_defaults(SchedCfg *cfg, SchedKind kind);
const char *sched_check(const SchedCfg *cfg);  /* NULL when valid, else a static message */

/* sched_check plus the checks that need the optimizer: OneCycleLR with
 * cycle_momentum needs an optimizer with a momentum (sgd, rmsprop) or a beta1
 * (adam, adamw) — for adagrad torch raises ValueError, so this returns a
 * message; for adam/adamw the cycled momenta become beta1 and must lie in
 * [0, 1).  NULL when valid, else a static message. */
const char *sched_check_with(const SchedCfg *cfg, const OptCfg *opt);

/* Start the schedule as constructing the torch scheduler would, with the
 * optimizer's configuration (base lr = opt->lr). */
void sched_start(const SchedCfg *cfg, SchedState *st, const OptCfg *opt);

/* scheduler.step() after an epoch.  `metric` is used by plateau only (the
 * val_loss, or train_loss without a validation split).  OneCycleLR: torch
 * raises once stepped past total_steps; fitbench instead holds the lr (and
 * momentum) of the last scheduled epoch, total_steps. */
void sched_step(const SchedCfg *cfg, SchedState *st, double metric);

/* The names of the schedules as commands spell them, in SchedKind order, NULL-terminated. */
extern const char *const sched_names[];
const char *sched_name(SchedKind k);                    /* "?" for a value out of range */
int sched_from_name(const char *name, SchedKind *k);    /* 0, or -1 (k untouched) for an unknown name */

/* Which options each schedule takes: one table in sched.c, used by the
 * schedule command, its completion and show.  The lists are NULL-terminated
 * and static; an out-of-range kind takes none. */
const char *const *sched_options(SchedKind k);   /* k's options, in the torch constructor's order */
const char *const *sched_all_options(void);      /* every option of any schedule, once */
bool sched_takes(SchedKind k, const char *key);
/* anneal, mode, threshold_mode: the two words, for false and true (NULL for other keys). */
const char *const *sched_option_words(const char *key);
bool sched_option_is_bool(const char *key);      /* three_phase, cycle_momentum */
/* Set option key of cfg: a number; 0 or 1 for a yes/no option or the index of a word option's word.
 * Returns 0, or -1 for an unknown key or milestones (sched_parse_milestones reads those); cfg untouched. */
int sched_set(SchedCfg *cfg, const char *key, double value);
/* The settings as `schedule` takes them back, e.g. "step step_size=10 gamma=0.1": every option of cfg's
 * kind, numbers with `digits` significant digits.  Returns buf (truncated to size). */
const char *sched_text(const SchedCfg *cfg, int digits, char *buf, size_t size);

/* Read `milestones=` text ("30,80": epochs 0..SCHED_MAX_MILESTONE in
 * increasing order, at most SCHED_MAX_MILESTONES) into c.  NULL when it
 * reads, else a message for the user in buf (c->milestones then partly
 * filled). */
const char *sched_parse_milestones(const char *text, SchedCfg *c, char *buf, size_t size);

#endif
