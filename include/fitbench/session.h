/* session.h — all the state a command acts on: data, model, training setup and progress. */
#ifndef FITBENCH_SESSION_H
#define FITBENCH_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/dataset.h"
#include "fitbench/err.h"
#include "fitbench/model.h"
#include "fitbench/prep.h"
#include "fitbench/train.h"

typedef struct Settings {
    unsigned long long seed; /* default for gen, split, init and the data order (0) */
    int threads;             /* BLAS threads; 0 = OpenBLAS's choice */
    int precision;           /* significant digits in printed numbers (6) */
    bool echo;               /* print each script command before running it */
    bool bail;               /* stop a script at the first error (batch default) */
    bool timing;             /* print wall times (off makes transcripts reproducible) */
    double pace;             /* seconds a train/step/compare/lrfind lasts at least in the workbench;
                              * < 0: automatic (0 at the prompt, PACE_LIVE under --live) */
} Settings;

/* The pace of a --live replay when the script does not set one (seconds). */
#define PACE_LIVE 3.0

typedef struct ModelSpec {
    bool set;
    ModelKind kind;
    Act act;
    size_t hidden[MODEL_MAX_LAYERS];
    size_t nhidden;
} ModelSpec;

typedef struct InitSpec {
    bool set;          /* false: zeros for linear/logistic/softmax, torch's nn.Linear default for mlp */
    InitKind kind;
    double scale;
    bool has_seed;
    unsigned long long seed;
} InitSpec;

/* The parameters after each update, for `plot surface`: recorded only for
 * models with at most PATH_MAX_PARAMS parameters.  When PATH_CAP points are
 * there, every other one is dropped and a point is kept every `every`
 * updates from then on (1, 2, 4, ...).  Owns p. */
#define PATH_MAX_PARAMS 128
#define PATH_CAP 2048
typedef struct ParamPath {
    size_t dim;      /* parameters per point; 0 = nothing recorded */
    size_t n, cap;   /* points held, points allocated (grows up to PATH_CAP) */
    long every;      /* updates per point */
    long pending;    /* updates since the last point */
    double *p;       /* (cap, dim) */
} ParamPath;

/* Curves kept for the plot: one per `compare` run, or the `lrfind` curve.
 * Immutable once made and shared by reference between session copies
 * (session_clone takes a reference, session_free drops it). */
#define CURVES_MAX 8
typedef struct Curve {
    char label[48];
    char opts[160];  /* compare: every option the run used ("sgd lr=0.02 momentum=0 ...; batch full") */
    size_t n;
    double *x;       /* (n) epoch (compare) or lr (lrfind) */
    double *y;       /* (n) train loss or metric (compare) or smoothed loss (lrfind) */
    double *y2;      /* (n) val loss or metric (NaN without validation) or the raw minibatch loss */
    ParamPath path;  /* compare: that run's parameter path */
    /* compare: the run's outcome, for plot validation, learning and path */
    double xval;     /* the value as a number (NaN when it is not one: optim, act, hidden=16x8, batch=full) */
    double rows;     /* training rows (cv=: the folds' mean) */
    double final[4]; /* train loss, val loss, train score, val score at the end (cv=: the folds' means) */
    double spread[4];/* cv=: the folds' standard deviations (ddof 0); NaN without cv= */
    double *w;       /* (nw) the final weights, biases left out (plot path); NULL with cv= */
    size_t nw;
} Curve;

typedef struct Curves {
    int refs;
    char key[32];        /* compare: the option varied; lrfind: "lr" */
    char what[16];       /* compare: what the curves follow: "loss" or a history metric (metric=accuracy) */
    size_t ncurves;
    Curve c[CURVES_MAX];
    double suggest;      /* lrfind: the suggested lr (NaN for compare) */
    double lo, hi;       /* lrfind: the lr range tried */
    unsigned long build_gen; /* compare: the session's build_gen when it ran (its paths are of that model) */
    int folds;           /* compare cv=K: K; else 0 */
    char score[16];      /* compare: the score in Curve.final[2..3]: accuracy, r2 or the metric= */
} Curves;

/* Allocate an empty set with one reference (NULL on out of memory, err filled). */
Curves *curves_new(FbErr *err);
void curves_unref(Curves *c);  /* NULL-safe; frees on the last reference */

/* A learning-rate change made while train or step ran (the workbench's + and
 * - keys): where the training was when it took effect, and the lr from then on. */
typedef struct LrMark {
    long steps;      /* ts.steps then */
    long epoch;      /* ts.epoch then */
    size_t cursor;   /* ts.cursor then (0: between epochs) */
    double lr;       /* the optimizer's lr from then on */
} LrMark;

/* What a running train or step leaves for the log besides its own text.
 * train/step open it; lr changes made meanwhile are marked in it; when they
 * (or an interrupt) make the command's text no longer say what happened, the
 * command puts the lines that do into `line`, and command_run logs and
 * records those instead.  Transient: session_clone leaves it empty,
 * session_free and session_live_clear free it. */
typedef struct LiveLog {
    bool open;          /* a train or step is running */
    const char *closed; /* when open: why lr changes cannot be replayed in this run (NULL: they can) */
    LrMark *mark;
    size_t nmark, capmark;
    char **line;
    size_t nline, capline;
} LiveLog;

/* The state.  Copied whole (session_clone) for undo and compare; data and
 * prep are shared by reference, everything else is deep-copied.  `work` is
 * scratch and never copied.  Owned by whoever made it; session_free. */
typedef struct Session {
    Settings set;
    Dataset *data;         /* NULL before load/gen */
    PrepSpec prep_spec;
    Prepared *prep;        /* derived from data + prep_spec */
    ModelSpec mspec;
    InitSpec init;
    bool loss_set;         /* false: the model's natural loss */
    TrainSetup setup;
    bool built;            /* ts holds a model for the current data */
    unsigned long build_gen; /* counts session_build calls (new starts): compare paths belong to one of them */
    TrainState ts;
    TrainWork work;
    double optimum;        /* closed-form optimum of the training loss (solve), NaN when unknown */
    char **log;            /* the commands that built this state, for `save session` */
    size_t nlog, caplog;
    char plot[16];         /* what the plot pane shows: loss, lr, grad, ... */
    bool plot_logy;
    char plot_x[64];       /* plot fit: the input column ("" = the first) */
    char plot_p1[32], plot_p2[32]; /* plot surface: the parameters, "W[0,1]" ("" = the first two) */
    long plot_neuron[2];   /* plot neuron L,J: layer L (1 = the first hidden), neuron J (0-based) */
    char plot_points[8];   /* plot boundary: whose points, "train" (""), "val", "test" or "all" */
    bool plot_hard;        /* plot boundary: shade the predicted class, not P(class 1) */
    ParamPath path;        /* the parameters along training (deep-copied by session_clone) */
    Curves *compare;       /* the last compare's curves, or NULL (shared, see Curves) */
    Curves *lrfind;        /* the last lrfind's curve, or NULL (shared) */
    LiveLog live;          /* the running command's lr changes and log lines (never copied) */
    struct ModelFile *deployed; /* `load model` without data: the model predict uses (modelfile.h; shared by reference) */
} Session;

void session_init(Session *s);
void session_free(Session *s);                                   /* NULL-safe */
int session_clone(Session *dst, const Session *src, FbErr *err); /* fails on out of memory; dst then empty */

/* Replace the data (takes a reference) and rebuild everything derived:
 * prepared data, model (if a model is chosen), history.  Fails on an
 * impossible split/expansion or out of memory. */
int session_set_data(Session *s, Dataset *ds, FbErr *err);

/* Rebuild the prepared data from prep_spec, then the model.  Fails as above. */
int session_reprepare(Session *s, FbErr *err);

/* (Re)build and initialise the model for the current data, spec, loss and
 * init; resets optimizer, schedule, data order and history.  A no-op
 * without data or model.  Fails on a loss/model/target mismatch or out of
 * memory. */
int session_build(Session *s, FbErr *err);

/* Does the loss fit the model kind and the target?  NULL when it does, else a
 * message for the user (writes into buf). */
const char *session_loss_mismatch(const Session *s, const LossCfg *loss, ModelKind kind, char *buf, size_t size);

/* The natural loss for a model kind on the current data. */
LossKind session_default_loss(const Session *s, ModelKind kind);

/* The model output width for kind and loss on the current data. */
size_t session_outputs(const Session *s, ModelKind kind, LossKind loss);

/* Fill d with the training / validation data in the form the loss wants. */
void session_train_data(const Session *s, TrainData *d);

/* The targets of a part in the form the loss wants, and their width. */
const double *session_targets(const Session *s, const Part *p, size_t *ky);

/* Remember a command line in the log (for save session).  Fails on out of memory. */
int session_log_add(Session *s, const char *line, FbErr *err);

/* Set the optimizer's lr to `lr` keeping the schedule's place: its current,
 * base (and onecycle peak) lr are multiplied by lr / the old lr, so a
 * schedule keeps its shape at the new scale, and its epoch count, plateau
 * and momentum state stay.  Before any training the history's row 0 shows
 * the new lr.  Fails (state unchanged) when lr is not a finite number > 0
 * or the scheduled lr would leave the range 1e-300..1e100. */
int session_set_lr(Session *s, double lr, FbErr *err);

/* session_set_lr during a train or step, marked for the log (the
 * workbench's + and - keys).  Fails, changing nothing, when no train or step
 * is running or live.closed says this one cannot replay it (the message says
 * why), as session_set_lr does, or on out of memory. */
int session_lr_mark(Session *s, double lr, FbErr *err);

/* Add a line to live.line (fails on out of memory); free the marks and lines
 * and close the live log. */
int session_live_add_line(Session *s, const char *line, FbErr *err);
void session_live_clear(Session *s);

/* Parameter path for plot surface.  session_path_mark, before training,
 * starts the path (or adds the current parameters when they moved without
 * training: solve, load weights); fails on out of memory.  session_path_step,
 * after each update, records the parameters as the thinning allows; it never
 * fails.  Both do nothing for models with more than PATH_MAX_PARAMS. */
int session_path_mark(Session *s, FbErr *err);
void session_path_step(Session *s);
void path_free(ParamPath *p);                                 /* NULL-safe; leaves p zeroed */
int path_clone(ParamPath *dst, const ParamPath *src, FbErr *err); /* fails on out of memory; dst then zeroed */

/* Make everything that describes the current parameters agree with them:
 * ts.now (the losses and gradient norm the status line, the status pane and
 * `grad_norm` show) is recomputed when the parameters, the loss or the data
 * moved since it was computed, and before any training history row 0 (the
 * state training starts from) is set to those losses and the scheduled lr.
 * command_run calls it after every successful command, so no command has to
 * remember to; it costs a comparison of the parameters when nothing moved,
 * else one pass over the training and validation rows.  A no-op without a
 * model.  Fails on out of memory (ts.now is then invalid). */
int session_refresh(Session *s, FbErr *err);

/* Need-checks with a message naming the command to run first. */
int session_need_data(const Session *s, FbErr *err);
int session_need_model(Session *s, FbErr *err);

/* ---- Changing the session.  Commands write the session only through these
 * (and the functions above), so what a change resets is said once, here.  A
 * function that fails may leave the session partly changed: command_run then
 * restores its snapshot. ---- */

/* Choose the model.  A new kind of model gets its natural loss (loss_set
 * cleared); the init choice is forgotten and the closed-form optimum is
 * unknown; the model is rebuilt (session_build: parameters, optimizer state,
 * schedule, data order and history start again).  Fails as session_build. */
int session_set_model(Session *s, const ModelSpec *ms, FbErr *err);

/* Choose the initialisation and re-initialise the parameters (session_build:
 * optimizer state, schedule, data order and history start again).  Fails
 * without data or model (session_need_model) or as session_build. */
int session_set_init(Session *s, const InitSpec *in, FbErr *err);

/* Choose the loss (the caller has checked session_loss_mismatch).  Another
 * loss or huber delta makes the optimum unknown.  When the model's outputs or
 * the target's form (classes vs values) change, the model is rebuilt and
 * *rebuilt is set; otherwise the parameters are kept and training continues
 * under the new loss.  Fails as session_build. */
int session_set_loss(Session *s, const LossCfg *cfg, bool *rebuilt, FbErr *err);

/* Choose the optimizer.  Another kind starts with fresh state (as constructing
 * a new torch optimizer); the same kind keeps its state and changes only its
 * options.  The parameters are kept; the schedule starts again from the new
 * lr.  Fails on out of memory. */
int session_set_optim(Session *s, const OptCfg *c, FbErr *err);

/* Change the running optimizer's options (c is of the same kind) keeping the
 * schedule's place: the lr goes through session_set_lr.  Fails as that does,
 * with nothing changed. */
int session_rescale_optim(Session *s, const OptCfg *c, FbErr *err);

/* The optimizer's state starts again, the parameters and options kept: they
 * jumped (solve, load weights) or the optimizer changed.  A no-op without a
 * model.  Fails on out of memory with nothing changed. */
int session_fresh_optim(Session *s, FbErr *err);

/* Choose the lr schedule; with a model it starts again from the optimizer's lr
 * at the next epoch.  Never fails (the caller checked sched_check). */
void session_set_schedule(Session *s, const SchedCfg *c);

/* The minibatch size (0: the full batch) and, when shuffle is not NULL,
 * whether rows are reshuffled every epoch; from the next batch on. */
void session_set_batch(Session *s, size_t batch, const bool *shuffle);

/* Split, scaling or feature expansion: the prepared data and the model are
 * rebuilt (session_reprepare: the optimum is unknown).  Fails as that does. */
int session_set_prep(Session *s, const PrepSpec *ps, FbErr *err);

/* New parameters were put in the model (load weights, load model): a new run
 * starts from them — history, epoch, step and data order at zero, the
 * schedule restarted, history row 0 the losses at the new parameters.  Fails
 * on out of memory. */
int session_new_run(Session *s, FbErr *err);

/* Cross-validation (on a copy): train on other rows, prepared from the same table (takes a reference to p,
 * which has the model's width): the parameters are kept, the optimizer's state and a new run start (as
 * session_fresh_optim and session_new_run), the optimum is unknown.  Fails without a model, on another width,
 * or on out of memory. */
int session_use_prepared(Session *s, Prepared *p, FbErr *err);

/* solve: the training loss at the closed-form optimum (the loss plot's
 * reference line and `optimum` in expressions) until the model, loss or
 * training rows change. */
void session_set_optimum(Session *s, double loss);

/* explain: the update it computed becomes the state.  Takes ownership of
 * *after (left zeroed); setup is the setup that update ran with.  The
 * parameter path records the new point. */
void session_take_step(Session *s, TrainState *after, const TrainSetup *setup);

/* A train or step starts / ends: open the live log (emptied first; closed is
 * why lr changes cannot be replayed in this run, or NULL), shut it. */
void session_live_open(Session *s, const char *closed);
void session_live_shut(Session *s);

/* load model over data: preprocessing, model and loss together, as the file
 * says (the loss counts as chosen; the init choice stays); the prepared data
 * and the model are rebuilt (session_reprepare).  Fails as that does. */
int session_set_specs(Session *s, const PrepSpec *ps, const ModelSpec *ms, const LossCfg *loss, FbErr *err);

/* Replace the prepared data with p, made elsewhere for the same data and spec
 * (load model's own scaling statistics); takes p's reference.  The model is
 * not rebuilt: p must have the width the model was built for. */
void session_set_prepared(Session *s, Prepared *p);

/* load model without data: the model predict uses (takes mf's reference,
 * drops the old one). */
void session_deploy(Session *s, struct ModelFile *mf);

/* compare's curves become cv (the session takes the caller's reference) and
 * the plot shows them; returns the old curves, whose reference passes to the
 * caller (to put back, or curves_unref). */
Curves *session_swap_compare(Session *s, Curves *cv);

/* lrfind's curve becomes cv (takes the reference, drops the old) and the plot
 * shows it. */
void session_set_lrfind(Session *s, Curves *cv);

#endif
