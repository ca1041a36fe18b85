/* command.c — the command table with usage and help, option tables, and running one command. */
#include "fitbench/command.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/gen.h"
#include "fitbench/strutil.h"
#include "fitbench/variant.h"

#define INF INFINITY

static const char *const yesno[] = {"yes", "no", NULL};
static const char *const header_w[] = {"auto", "yes", "no", NULL};
static const char *const missing_w[] = {"error", "drop", "mean", NULL};
static const char *const decimal_w[] = {"auto", ".", ",", NULL};
static const char *const anneal_w[] = {"cos", "linear", NULL};
static const char *const mode_w[] = {"min", "max", NULL};
static const char *const tmode_w[] = {"rel", "abs", NULL};

static const char *const features_w[] = {"poly", "add", "drop", "none", NULL};
static const char *const osched_w[] = {"restart", "scale", NULL};
static const char *const eval_w[] = {"train", "val", "test", "all", NULL};
static const char *const show_w[] = {"data",   "model",     "params",   "grads", "optim",
                                     "config", "history",   "confusion", "features", NULL};
static const char *const points_w[] = {"train", "val", "test", "all", NULL};
static const char *const plot_w[] = {"loss",    "lr",       "grad",    "accuracy", "f1",      "r2",
                                     "rmse",    "metric",   "fit",     "boundary", "surface", "compare",
                                     "lrfind",  "network",  "neuron",  "weights",  "grads",   "updates",
                                     "validation", "learning", "path", "roc",
                                     NULL};
static const char *const save_w[] = {"model", "weights", "history", "plot", "session", "torch", "sklearn", NULL};

static const OptSpec load_o[] = {
    {"target", OT_STR, 0, 0, 0, NULL, "the target column(s): name or 0-based index, comma-separated (default: last)"},
    {"sep", OT_STR, 0, 0, 0, NULL, "the separator: ',' ';' or tab (default: detected)"},
    {"decimal", OT_ENUM, 0, 0, 0, decimal_w, "the decimal mark: . or , (default auto: , when sep is ; and numbers use it)"},
    {"header", OT_ENUM, 0, 0, 0, header_w, "is the first row a header? (default: auto)"},
    {"drop", OT_LIST, 0, 0, 0, NULL, "columns to leave out: names or 0-based indices, comma-separated"},
    {"onehot", OT_LIST, 0, 0, 0, NULL, "string columns to expand into 0/1 columns: names or 0-based indices"},
    {"missing", OT_ENUM, 0, 0, 0, missing_w, "empty/NA cells: error, drop the row, or the column mean"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec gen_o[] = {
    {"n", OT_INT, 1, 1e8, 0, NULL, "rows (200)"},
    {"d", OT_INT, 1, 1000, 0, NULL, "features, for linear and blobs (1 / 2)"},
    {"noise", OT_NUM, 0, 100, 0, NULL, "noise level (0.1)"},
    {"classes", OT_INT, 2, 20, 0, NULL, "classes, for blobs and spiral (3 / 2)"},
    {"seed", OT_INT, 0, 9.2e18, 0, NULL, "random seed (set seed)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec split_o[] = {
    {"val", OT_NUM, 0, 1, OPT_LT_MAX, NULL, "fraction of rows for validation (0)"},
    {"test", OT_NUM, 0, 1, OPT_LT_MAX, NULL, "fraction of rows for testing (0)"},
    {"seed", OT_INT, 0, 9.2e18, 0, NULL, "row shuffle seed (set seed)"},
    {"shuffle", OT_BOOL, 0, 0, 0, yesno, "shuffle rows before splitting (yes)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec features_o[] = {
    {"degree", OT_INT, 1, PREP_MAX_DEGREE, 0, NULL, "polynomial degree (2)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec model_o[] = {
    {"hidden", OT_LIST, 0, 0, 0, NULL, "mlp hidden layer widths, e.g. 16,8 (16)"},
    {"act", OT_ENUM, 0, 0, 0, act_names, "mlp activation (relu)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec init_o[] = {
    {"std", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "normal: standard deviation (0.01)"},
    {"bound", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "uniform: U(-bound, bound) (0.05)"},
    {"seed", OT_INT, 0, 9.2e18, 0, NULL, "random seed (set seed)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec loss_o[] = {
    {"delta", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "huber: where the loss turns linear (1)"},
    {"l1", OT_NUM, 0, INF, 0, NULL, "L1 penalty l1 * sum|w| on the weights, not biases (0)"},
    {"l2", OT_NUM, 0, INF, 0, NULL, "L2 penalty l2 * sum w^2 on the weights, not biases (0)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec optim_o[] = {
    {"lr", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "learning rate (sgd 0.01, adam 0.001, rmsprop 0.01, adagrad 0.01)"},
    {"momentum", OT_NUM, 0, INF, 0, NULL, "sgd, rmsprop: momentum factor (0)"},
    {"dampening", OT_NUM, 0, INF, 0, NULL, "sgd: dampening for momentum (0)"},
    {"nesterov", OT_BOOL, 0, 0, 0, yesno, "sgd: Nesterov momentum (no)"},
    {"weight_decay", OT_NUM, 0, INF, 0, NULL, "L2 penalty on every parameter (0; adamw 0.01, decoupled)"},
    {"beta1", OT_NUM, 0, 1, OPT_LT_MAX, NULL, "adam, adamw: first-moment decay (0.9)"},
    {"beta2", OT_NUM, 0, 1, OPT_LT_MAX, NULL, "adam, adamw: second-moment decay (0.999)"},
    {"eps", OT_NUM, 0, INF, 0, NULL, "term added to the denominator (1e-8; adagrad 1e-10)"},
    {"alpha", OT_NUM, 0, INF, 0, NULL, "rmsprop: smoothing constant (0.99)"},
    {"centered", OT_BOOL, 0, 0, 0, yesno, "rmsprop: normalise by the variance estimate (no)"},
    {"amsgrad", OT_BOOL, 0, 0, 0, yesno, "adam, adamw: AMSGrad variant (no)"},
    {"lr_decay", OT_NUM, 0, INF, 0, NULL, "adagrad: learning-rate decay (0)"},
    {"initial_accumulator_value", OT_NUM, 0, INF, 0, NULL, "adagrad: starting sum of squares (0)"},
    {"schedule", OT_ENUM, 0, 0, 0, osched_w,
     "restart the lr schedule from the new lr (restart), or keep its place and scale it (scale)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec sched_o[] = {
    {"step_size", OT_INT, 1, 1e9, 0, NULL, "step: epochs between decays (10)"},
    {"gamma", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "step, multistep: factor (0.1); exp: per-epoch factor (0.95)"},
    {"milestones", OT_LIST, 0, 0, 0, NULL, "multistep: epochs at which to decay, e.g. 30,80"},
    {"t_max", OT_INT, 1, 1e9, 0, NULL, "cosine: epochs of the half cosine (100)"},
    {"eta_min", OT_NUM, 0, INF, 0, NULL, "cosine: lowest lr (0)"},
    {"max_lr", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "onecycle: peak lr (the optimizer's lr)"},
    {"total_steps", OT_INT, 1, 1e9, 0, NULL, "onecycle: epochs in the cycle (100)"},
    {"pct_start", OT_NUM, 0, 1, OPT_GT_MIN | OPT_LT_MAX, NULL, "onecycle: share of the cycle going up (0.3)"},
    {"anneal", OT_ENUM, 0, 0, 0, anneal_w, "onecycle: annealing shape (cos)"},
    {"div_factor", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "onecycle: initial lr = max_lr/div_factor (25)"},
    {"final_div_factor", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "onecycle: final lr = initial/final_div_factor (1e4)"},
    {"three_phase", OT_BOOL, 0, 0, 0, yesno, "onecycle: three phases (no)"},
    {"cycle_momentum", OT_BOOL, 0, 0, 0, yesno, "onecycle: cycle momentum/beta1 inversely (yes, as torch)"},
    {"base_momentum", OT_NUM, 0, 1, 0, NULL, "onecycle: lowest momentum (0.85)"},
    {"max_momentum", OT_NUM, 0, 1, 0, NULL, "onecycle: highest momentum (0.95)"},
    {"mode", OT_ENUM, 0, 0, 0, mode_w, "plateau: min or max (min)"},
    {"factor", OT_NUM, 0, 1, OPT_GT_MIN | OPT_LT_MAX, NULL, "plateau: lr factor on a plateau (0.1)"},
    {"patience", OT_INT, 0, 1e9, 0, NULL, "plateau: epochs without improvement first (10)"},
    {"threshold", OT_NUM, 0, INF, 0, NULL, "plateau: what counts as improvement (1e-4)"},
    {"threshold_mode", OT_ENUM, 0, 0, 0, tmode_w, "plateau: rel or abs (rel)"},
    {"cooldown", OT_INT, 0, 1e9, 0, NULL, "plateau: epochs to wait after a cut (0)"},
    {"min_lr", OT_NUM, 0, INF, 0, NULL, "plateau: lowest lr (0)"},
    {"eps", OT_NUM, 0, INF, 0, NULL, "plateau: smallest change applied (1e-8)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec batch_o[] = {
    {"shuffle", OT_BOOL, 0, 0, 0, yesno, "reshuffle the rows every epoch (yes)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec train_o[] = {
    {"patience", OT_INT, 1, 1e9, 0, NULL, "stop when val_loss has not improved for this many epochs (Keras)"},
    {"until", OT_EXPR, 0, 0, 0, NULL, "stop when this expression holds, e.g. until=\"train_loss < 22\""},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec solve_o[] = {
    {"apply", OT_BOOL, 0, 0, 0, yesno, "put the solution into the parameters (yes); no: only compute the optimum"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec predict_o[] = {
    {"n", OT_INT, 1, 1e9, 0, NULL, "rows to print (10)"},
    {"out", OT_PATH, 0, 0, 0, NULL, "write all predictions to this CSV file"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec plot_o[] = {
    {"log", OT_BOOL, 0, 0, 0, yesno, "logarithmic y axis (no)"},
    {"x", OT_STR, 0, 0, 0, NULL, "fit: the input column to put on the x axis (the first)"},
    {"p1", OT_STR, 0, 0, 0, NULL, "surface: the first parameter, e.g. W[0,0] (the first)"},
    {"p2", OT_STR, 0, 0, 0, NULL, "surface: the second parameter, e.g. b[0] (the second)"},
    {"points", OT_ENUM, 0, 0, 0, points_w, "boundary: whose points, train, val, test or all (train)"},
    {"hard", OT_BOOL, 0, 0, 0, yesno, "boundary: hard regions of the predicted class, not P(class 1) (no)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const char *const cmetric_w[] = {"loss", "accuracy", "f1", "r2", "rmse", NULL};
static const OptSpec compare_o[] = {
    {"epochs", OT_INT, 1, 1e9, 0, NULL, "epochs per run (50)"},
    {"metric", OT_ENUM, 0, 0, 0, cmetric_w, "what the curves show: loss, or the history's accuracy, f1, r2, rmse (loss)"},
    {"cv", OT_INT, 2, 100, 0, NULL, "run every value through K folds (as cv) and report the mean and spread"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec lrfind_o[] = {
    {"start", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "first learning rate (1e-7)"},
    {"end", OT_NUM, 0, INF, OPT_GT_MIN, NULL, "last learning rate (10)"},
    {"iters", OT_INT, 2, 1e6, 0, NULL, "minibatch updates (100)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec cv_o[] = {
    {"k", OT_INT, 2, 100, 0, NULL, "number of folds (5)"},
    {"epochs", OT_INT, 1, 1e9, 0, NULL, "epochs per fold (50)"},
    {"stratify", OT_BOOL, 0, 0, 0, yesno, "keep each class's share in every fold (yes for classifiers)"},
    {"shuffle", OT_BOOL, 0, 0, 0, yesno, "shuffle the rows by seed= before cutting the folds (no)"},
    {"seed", OT_INT, 0, 9.2e18, 0, NULL, "the shuffle's seed (set seed)"},
    {"save", OT_PATH, 0, 0, 0, NULL, "write the fold of every row to this CSV file (row,fold)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec explain_o[] = {
    {"dry", OT_BOOL, 0, 0, 0, yesno, "only show the update, do not make it (no)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const char *const check_w[] = {"grad", NULL};
static const OptSpec check_o[] = {
    {"eps", OT_NUM, 0, 1, OPT_GT_MIN, NULL, "the finite-difference step (1e-5)"},
    {"rows", OT_INT, 1, 1e9, 0, NULL, "take the loss over the first N training rows (up to 1000; fewer for big models)"},
    {"max", OT_INT, 0, 1e9, 0, NULL, "parameters checked per layer, evenly spaced; 0 = all (all when cheap)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec save_o[] = {
    {"width", OT_INT, 200, 10000, 0, NULL, "save plot: SVG width in pixels (800)"},
    {"height", OT_INT, 150, 10000, 0, NULL, "save plot: SVG height in pixels (500)"},
    {"ddp", OT_BOOL, 0, 0, 0, yesno, "save torch: under torchrun the script splits batches without --ddp (no)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec set_o[] = {
    {"seed", OT_INT, 0, 9.2e18, 0, NULL, "default seed for gen, split, init and data order (0)"},
    {"echo", OT_BOOL, 0, 0, 0, yesno, "print each script command before it runs (no)"},
    {"bail", OT_BOOL, 0, 0, 0, yesno, "stop a script at the first error (yes)"},
    {"threads", OT_INT, 0, 256, 0, NULL, "BLAS threads, 0 = automatic"},
    {"precision", OT_INT, 1, 17, 0, NULL, "significant digits printed (6)"},
    {"timing", OT_BOOL, 0, 0, 0, yesno, "print wall-clock times (yes)"},
    {"pace", OT_NUM, 0, 3600, 0, NULL, "seconds train/step/compare/lrfind last at least in the workbench (0; 3 --live)"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};
static const OptSpec none_o[] = {{NULL, 0, 0, 0, 0, NULL, NULL}};

const Command commands[] = {
    {"load", "load PATH|NAME [target=COL] [sep=,] [decimal=auto|.|,] [header=auto|yes|no] [drop=A,B] [onehot=A,B]\n"
             "     [missing=error|drop|mean]\n"
             "load model PATH | load weights DIR",
     "load a CSV/TSV file or a shipped dataset; or a saved model / weights",
     "Reads a CSV (RFC 4180 quoting, CRLF, BOM, ',' ';' or tab) streaming it from disk; a gzip-compressed file\n"
     "(.csv.gz) is decompressed as it is read. Numbers are read in the C locale; decimal=, reads decimal commas\n"
     "(detected when the separator is ';' and the numbers use commas); digits grouped by thousands separators\n"
     "('1 234,5') are refused, not guessed. The target is the last column unless target= names one or more.\n"
     "Columns in target=, drop= and onehot= are names or 0-based indices (negative from the end); quote a name\n"
     "with blanks or commas: drop=\"note, free text\". String targets become classes in sorted order. A NAME\n"
     "without a path (boston, iris, wine, diabetes, breast_cancer, digits) finds a shipped dataset from any\n"
     "directory ($FITBENCH_DATA, the source tree of a build, the installed tree; docs/file-formats.md).\n"
     "`load model PATH` restores a model saved with `save model`: with no data, for predict on raw rows; over\n"
     "data with the same columns and classes, with its own scaling statistics. `load weights DIR` reads W.npy/b.npy files.",
     NULL, NULL, load_o, CMD_STATE, 1, 2, cmd_load},
    {"gen", "gen linear|poly|sine|blobs|moons|circles|xor|spiral|gauss [n=200] [d=] [noise=0.1] [classes=] [seed=]",
     "make a synthetic dataset", "Regression curves (linear, poly, sine) and the TensorFlow Playground sets.",
     "dataset kind", gen_kind_names, gen_o, CMD_STATE, 1, 1, cmd_gen},
    {"split", "split [val=F] [test=F] [seed=S] [shuffle=yes|no]", "hold out validation and test rows",
     "Shuffles the rows (seeded) and keeps the last fractions for validation and test. Scaling statistics\n"
     "come from the training rows only. `split` alone removes the split.",
     NULL, NULL, split_o, CMD_STATE, 0, 0, cmd_split},
    {"scale", "scale standard|minmax|none", "scale features with training-split statistics",
     "standard: (x - mean) / std with the population std, as scikit-learn's StandardScaler.\n"
     "minmax: (x - min) / (max - min). Constant columns are left unscaled.",
     "scaling", scale_names, none_o, CMD_STATE, 1, 1, cmd_scale},
    {"features", "features poly degree=K | add TERM... | drop TERM... | none", "choose the feature terms",
     "The columns the model sees, in order. poly: all monomials up to degree K in scikit-learn's\n"
     "PolynomialFeatures order (no bias column; degree=1 is the plain inputs). add: append terms after the\n"
     "current ones: products and powers of inputs (x0*x1, x0^2, age*income^2), sin(TERM), cos(TERM). drop:\n"
     "remove terms (inputs too), the rest keep their order. none: the inputs as they are. An input is its\n"
     "column name, or [name] when the name is not letters, digits, '_' and '.', or xK (column K from 0)\n"
     "when no column is named so; quote a term with a blank as any word: \"[monthly rent]^2\". An unknown\n"
     "column, a term already there, a constant (x0^0) or a degree above 10 is an error and changes nothing.\n"
     "`show features` lists the terms in column order. Scaling applies after the expansion.",
     "feature expansion", features_w, features_o, CMD_STATE, 1, CMD_ANY, cmd_features},
    {"model", "model linear|logistic|softmax|mlp [hidden=16,8] [act=relu|tanh|sigmoid|linear]", "choose the model",
     "Outputs are logits; the loss decides the link. Layers are torch.nn.Linear: W is (out, in).\n"
     "Choosing a model initialises its parameters (zeros; mlp: PyTorch's nn.Linear default).",
     "model", model_kind_names, model_o, CMD_STATE, 1, 1, cmd_model},
    {"init", "init zeros|normal|uniform|xavier|he|torch [std=] [bound=] [seed=]", "re-initialise the parameters",
     "normal: N(0, std^2); uniform: U(-bound, bound); xavier: Glorot uniform; he: Kaiming normal;\n"
     "torch: nn.Linear's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Resets optimizer state and history.",
     "initialisation", init_names, init_o, CMD_STATE, 1, 1, cmd_init},
    {"loss", "loss mse|mae|huber|bce|ce|hinge [delta=1] [l1=0] [l2=0]", "choose the loss (mean reduction, as PyTorch)",
     "mse, mae (L1), huber: regression. bce: BCEWithLogits for two classes. ce: CrossEntropy over K logits.\n"
     "hinge: mean(max(0, 1 - t z)) with t = -1/+1. l1=, l2= add l1 * sum|w| + l2 * sum w^2 over every\n"
     "layer's weights (not biases) to the loss and its gradient, as a PyTorch loop adding them before\n"
     "backward(). The same name keeps the options not given; another name starts from the defaults.\n"
     "See docs/math.md.",
     "loss", loss_names, loss_o, CMD_STATE, 1, 1, cmd_loss},
    {"optim", "optim sgd|adam|adamw|rmsprop|adagrad [lr=] [momentum=] [dampening=] [nesterov=] [weight_decay=]\n"
              "      [beta1=] [beta2=] [eps=] [alpha=] [centered=] [amsgrad=] [lr_decay=] [initial_accumulator_value=]\n"
              "      [schedule=restart|scale]",
     "choose the optimizer (torch.optim's names, defaults and updates)",
     "The same name keeps the optimizer state and changes only the options given (as editing a torch\n"
     "param_group); another name starts a fresh optimizer. The parameters are always kept. The lr schedule\n"
     "starts again from the new lr, unless schedule=scale (same name only): then it keeps its place and its\n"
     "current, base and peak lr are scaled by new lr / old lr, as the workbench's +/- keys do (and are\n"
     "logged so).",
     "optimizer", optim_names, optim_o, CMD_STATE, 1, 1, cmd_optim},
    {"schedule", "schedule constant|step|multistep|exp|cosine|onecycle|plateau [options]",
     "learning-rate schedule, stepped once per epoch",
     "As torch.optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, OneCycleLR,\n"
     "ReduceLROnPlateau (on val_loss, or train_loss without a validation split). Starts at the next epoch.",
     "schedule", sched_names, sched_o, CMD_STATE, 1, 1, cmd_schedule},
    {"batch", "batch full|N [shuffle=yes|no]", "minibatch size",
     "full: one update per epoch over the whole training split. N: updates on N rows at a time; with\n"
     "shuffle=no the batches go in row order and the last, smaller batch is kept.",
     NULL, NULL, batch_o, CMD_STATE, 1, 1, cmd_batch},
    {"step", "step [N] | step batch [N]", "train N epochs (1) | make N single minibatch updates",
     "Prints the losses after the step. `step batch` moves through the epoch one minibatch at a time.",
     NULL, NULL, none_o, CMD_STATE, 0, 2, cmd_step},
    {"train", "train [N] [patience=P] [until=EXPR]", "train N epochs (100), one line per epoch",
     "Ctrl-C stops after the current batch and keeps the state. patience=P is Keras' EarlyStopping(\n"
     "monitor='val_loss', patience=P, restore_best_weights=True): it stops when val_loss has not been\n"
     "lower than this command's best for P epochs, and when training ends (stopped early or not) puts\n"
     "back the weights of the epoch with the lowest val_loss; the epoch count, optimizer state and\n"
     "history stay those of the last epoch. until= stops when the expression holds.",
     NULL, NULL, train_o, CMD_STATE, 0, 1, cmd_train},
    {"reset", "reset", "re-initialise the parameters (data and settings kept)",
     "Parameters, optimizer state, schedule, data order and history start again.", NULL, NULL, none_o, CMD_STATE,
     0, 0, cmd_reset},
    {"undo", "undo", "go back to the state before the last state-changing command",
     "Up to 32 steps back. Undo is recorded, so a recorded session replays the same.", NULL, NULL, none_o, 0,
     0, 0, cmd_undo},
    {"solve", "solve [apply=yes|no]", "closed-form least squares for linear + mse, applied to the parameters",
     "With weight_decay > 0 it solves for the point gradient descent with that weight decay converges to\n"
     "(ridge with the bias penalised too); with loss mse l2=V, ridge on the weights only (scikit-learn's\n"
     "Ridge(alpha = n k V), intercept free). l1 has no closed form: refused (train instead). The optimum's\n"
     "loss becomes the reference line of the loss plot; apply=no computes only that, leaving the\n"
     "parameters where they are.",
     NULL, NULL, solve_o, CMD_STATE, 0, 0, cmd_solve},
    {"eval", "eval [train|val|test|all]", "metrics: loss, mse, rmse, mae, r2 / accuracy, log-loss",
     "Without an argument: every split that has rows.", "split", eval_w, none_o, 0, 0, 1, cmd_eval},
    {"predict", "predict [train|val|test] [n=10] [out=FILE.csv] | predict V1,V2,... | predict FILE.csv [out=OUT.csv]",
     "predictions",
     "Prints predictions against targets for the first n rows of a split, or for raw rows exactly as in the\n"
     "original CSV (every column, text for one-hot columns, the target optional): one on the command line or\n"
     "a file. Works after `load model PATH` with no data. Classifiers name the class and give each class's\n"
     "probability; out= writes every row (%.17g) and no file on error.",
     NULL, NULL, predict_o, 0, 0, 1, cmd_predict},
    {"show", "show data|model|params|grads|optim|config|history|confusion|features", "inspect the state", NULL, "thing to show",
     show_w, none_o, 0, 1, 1, cmd_show},
    {"plot", "plot loss|lr|grad|accuracy|f1|r2|rmse|fit|boundary|surface|compare|lrfind|network|weights|grads|updates"
             "|validation|learning|path\n"
             "     [log=yes|no] [x=COL] [p1=W[i,j]] [p2=b[i]] [points=train|val|test|all] [hard=yes|no]\n"
             "     | plot metric NAME | plot neuron L,J | plot roc",
     "what the plot shows (a text chart without a terminal)",
     "loss, lr, grad: curves per epoch. accuracy, f1 (macro F1) for a classifier, r2, rmse for a regression:\n"
     "the metric on the training and validation splits per epoch (`plot metric NAME` says the same). fit: one input against the target, data as points and the model's\n"
     "prediction as a curve (other inputs at their training mean). boundary: a two-input classifier's\n"
     "decision regions (shaded by P(class 1) for two classes; hard=yes: by the predicted class) with the\n"
     "training points (points=val|test|all: those; val O X, test digits; ! misclassified). surface: the loss\n"
     "over two parameters (the others fixed at their current values) as a shaded contour map, with the\n"
     "optimizer's path, the current point X and the lowest point *. compare, lrfind: the curves of the\n"
     "last compare or lrfind. network: the layers as columns of neurons; before each neuron one mark per\n"
     "incoming weight (filled + / hollow -, bigger for larger |w|), under it its bias; for two inputs each\n"
     "neuron is a small map of its output over the input plane (the output: the decision map). Up to 6\n"
     "hidden layers of 8; bigger networks get one line per layer. neuron L,J: neuron J (from 0) of layer\n"
     "L (1 = the first hidden, the last = the output) as a full map with the training points.\n"
     "weights, grads: per layer over the epochs, the median and the 5 % and 95 % quantiles of its weights\n"
     "or of its gradient's magnitudes (log scale). updates: per layer, the size of the epoch's last update\n"
     "against the weights, ||dW|| / ||W||, with the 1e-3 rule of thumb (cs231n) as a reference line.\n"
     "validation: the last compare's final score (accuracy or r2) on the training and validation rows against\n"
     "the values it tried (after cv=K the folds' mean, and mean +/- std); learning: the same against the\n"
     "training rows (compare train_size=0.1,0.5,1); path: each weight's final value against the values (the\n"
     "regularisation path: compare weight_decay=0.001,0.01,0.1). Log x when the values span two decades.\n"
     "roc: a two-class classifier's ROC curve (false against true positive rate, scikit-learn's roc_curve)\n"
     "on the validation split (the training split without one) with the AUC in the key; refused for a\n"
     "regression and for more than two classes (show confusion has per-class scores).\n"
     "Without a terminal the picture is printed as text with a key under it.",
     "plot", plot_w, plot_o, 0, 0, 2, cmd_plot},
    {"compare", "compare KEY=V1,V2,... [epochs=50] [metric=loss|accuracy|f1|r2|rmse] [cv=K]",
     "train one copy per value, side by side on the cores, overlay the curves",
     "KEY is an optimizer option (lr, momentum, ...), optim, batch, hidden, act, degree, scale, seed, l1, l2 or\n"
     "train_size. Each value is applied to a copy through its own command (hidden=16x8 -> model mlp hidden=16,8,\n"
     "act kept; degree -> features poly; scale; seed -> set seed + reset: the init and the data order; l1, l2\n"
     "-> loss with that penalty; train_size=F -> the first int(F n) training rows, validation kept). Keys that\n"
     "change the model or the features (hidden, act, degree, scale, seed) start each run from a fresh init;\n"
     "the others from the current parameters and data order. optim=\"sgd lr=0.02,adam lr=1\" starts from that\n"
     "optimizer's defaults. The runs train in parallel, one per core (set threads=N: at most N at once), each\n"
     "in a process of its own on one thread, so each gives the bits of that run alone under set threads=1.\n"
     "Ctrl-C stops them all and keeps the runs that finished. The session's own\n"
     "model is left as it was; the table lists each run's options, final losses and score. cv=K runs every\n"
     "value through cv's K folds (train_size: int(F m) of the first fold's m training rows in each, as\n"
     "sklearn's learning_curve) and reports each loss and score's mean and std. plot validation, learning\n"
     "and path draw the outcome against the values.",
     NULL, NULL, compare_o, CMD_RAW, 1, CMD_ANY, cmd_compare},
    {"lrfind", "lrfind [start=1e-7] [end=10] [iters=100]", "learning-rate range test; suggests an lr",
     "The lr grows exponentially per minibatch until the smoothed loss passes 4x its best (Leslie Smith;\n"
     "fastai's lr_find). Parameters and optimizer state are restored exactly afterwards.",
     NULL, NULL, lrfind_o, 0, 0, 0, cmd_lrfind},
    {"cv", "cv [k=5] [epochs=50] [stratify=yes|no] [shuffle=no] [seed=S] [save=FILE]",
     "k-fold cross-validation: mean and spread of the losses and the score",
     "Each fold trains a copy from the current parameters (fresh optimizer state) on the other folds and\n"
     "scores it on its own: loss, and accuracy or r2. Folds as scikit-learn's KFold / StratifiedKFold\n"
     "(shuffle=False) over the rows that are not test rows; the session's own model is left as it was.",
     NULL, NULL, cv_o, 0, 0, 0, cmd_cv},
    {"explain", "explain [dry=yes|no]", "the next update written out with the current numbers, then made",
     "For a linear or logistic model: each parameter's gradient, the optimizer's terms, lr x step and the\n"
     "new value; for an MLP, per-layer gradient and update norms. dry=yes only shows it.",
     NULL, NULL, explain_o, CMD_STATE, 0, 0, cmd_explain},
    {"check", "check grad [eps=1e-5] [rows=N] [max=N]",
     "backpropagation's gradient against centred finite differences, per layer",
     "For every layer: the relative error |a - n| / max(|a|, |n|) between the analytic gradient a (what\n"
     "training uses) and the numerical one n = (L(p + eps) - L(p - eps)) / 2 eps, over the layer's\n"
     "gradient vector, with cs231n's bands: < 1e-7 fine, < 1e-4 ok only with kinks (relu, mae, hinge),\n"
     "< 1e-2 uncomfortable, above that probably wrong; and the parameter that agrees worst. Big models\n"
     "check a subset (rows=, max=; the report says how many). The parameters are left exactly as they were.",
     "check", check_w, check_o, 0, 1, 1, cmd_check},
    {"save", "save model|weights|history|plot|session PATH | save torch PATH.py [ddp=yes] | save sklearn PATH.py",
     "write a file (atomically)",
     "model: text format with every number in %.17g; weights: a folder of .npy files (W.npy, b.npy or\n"
     "W1.npy, b1.npy, ...); history: CSV; plot: SVG; session: the .fit commands that rebuild this state.\n"
     "torch: a standalone PyTorch script (float64) that rebuilds the data, model and starting parameters\n"
     "(PATH_start/ next to it) and replays the training commands; its history equals `save history`'s.\n"
     "It runs under torchrun with --ddp. sklearn: the closed form (LinearRegression, or Ridge with weight\n"
     "decay) on the same data, for model linear + loss mse. See docs/export.md.",
     "file kind", save_w, save_o, 0, 2, 2, cmd_save},
    {"run", "run PATH", "run the commands of a .fit script (scripts may nest)", NULL, NULL, NULL, none_o, CMD_NOREC,
     1, 1, cmd_run},
    {"record", "record PATH|off", "append every successful command to a .fit file", NULL, NULL, NULL, none_o,
     CMD_NOREC, 1, 1, cmd_record},
    {"set", "set KEY=VALUE ...", "settings: seed, echo, bail, threads, precision, timing, pace", NULL, NULL, NULL, set_o,
     0, 0, 0, cmd_set},
    {"expect", "expect EXPR", "fail the script unless EXPR holds, e.g. expect train_loss < 22",
     "Names: epoch, step, loss/train_loss, val_loss, lr, grad_norm, optimum, and metrics on the training\n"
     "split (mse, rmse, mae, r2, accuracy, f1) or another (val_r2, test_accuracy, ...); parameters W[i,j] and\n"
     "b[i] (layer l of an mlp: W1[i,j], b1[i], ...). Operators: + - * / < <= > >= == != and or not abs().",
     NULL, NULL, NULL, CMD_RAW, 1, CMD_ANY, cmd_expect},
    {"echo", "echo TEXT", "print TEXT", NULL, NULL, NULL, NULL, CMD_RAW, 0, CMD_ANY, cmd_echo},
    {"pause", "pause [MESSAGE]", "wait for a key in a live replay (skipped in batch runs)", NULL, NULL, NULL, NULL,
     CMD_RAW, 0, CMD_ANY, cmd_pause},
    {"sleep", "sleep SECONDS", "wait in a live replay (skipped in batch runs)", NULL, NULL, NULL, none_o, 0,
     1, 1, cmd_sleep},
    {"help", "help [COMMAND]", "list the commands, or explain one", NULL, NULL, NULL, none_o, CMD_NOREC, 0, 1, cmd_help},
    {"quit", "quit", "leave fitbench (Ctrl-D does too)", NULL, NULL, NULL, none_o, CMD_NOREC, 0, 0, cmd_quit},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL},
};

const Command *command_find(const char *name)
{
    for (const Command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *command_usage_line(const Command *row, char *buf, size_t size)
{
    if (!size)
        return buf;
    size_t o = 0;
    for (const char *p = row->usage; *p && o + 1 < size; p++) {
        const char *piece = (char[2]){*p, 0};
        if (*p == '\n') {
            piece = p[1] == ' ' ? " " : " | ";
            while (p[1] == ' ')
                p++;
        }
        for (; *piece && o + 1 < size; piece++)
            buf[o++] = *piece;
    }
    buf[o] = '\0';
    return buf;
}

int command_usage_error(FbErr *err, const Command *row, int col, const char *why_fmt, ...)
{
    char usage[sizeof err->msg];
    command_usage_line(row, usage, sizeof usage);
    if (!why_fmt)
        return fb_fail_at(err, col, "usage: %s", usage);
    char why[512];
    va_list ap;
    va_start(ap, why_fmt);
    vsnprintf(why, sizeof why, why_fmt, ap);
    va_end(ap);
    return fb_fail_at(err, col, "%s (usage: %s)", why, usage);
}

/* The row's word count (minw..maxw) against the words given: a CMD_RAW command counts every word, others
 * the plain ones.  Fails with the usage at the first word too many (or at the command word). */
static int check_word_count(const Command *c, const Args *a, FbErr *err)
{
    const Tok *pos[ARGS_MAX];
    int n = (c->flags & CMD_RAW) ? a->n - 1 : args_positional(a, pos, ARGS_MAX);
    if (n < c->minw)
        return command_usage_error(err, c, a->t[0].col, NULL);
    if (c->maxw != CMD_ANY && n > c->maxw)
        return command_usage_error(err, c, (c->flags & CMD_RAW) ? a->t[c->maxw + 1].col : pos[c->maxw]->col, NULL);
    return 0;
}

const char *num(const Interp *it, char *buf, size_t size, double x)
{
    return fb_fmt(buf, size, x, it->s->set.precision);
}

void interp_init(Interp *it, Session *s, Sink *out, Sink *err)
{
    memset(it, 0, sizeof *it);
    it->s = s;
    it->out = out;
    it->err = err;
}

void interp_free(Interp *it)
{
    for (int i = 0; i < it->nundo; i++) {
        session_free(it->undo[i]);
        free(it->undo[i]);
    }
    it->nundo = 0;
    if (it->record)
        fclose(it->record);
    it->record = NULL;
    free(it->record_path);
    it->record_path = NULL;
}

static void push_undo(Interp *it, Session *snap)
{
    if (it->nundo == UNDO_MAX) {
        session_free(it->undo[0]);
        free(it->undo[0]);
        memmove(it->undo, it->undo + 1, (UNDO_MAX - 1) * sizeof *it->undo);
        it->nundo--;
    }
    it->undo[it->nundo++] = snap;
}

static const char *const *command_names(void)
{
    static const char *names[64];
    if (!names[0]) {
        int i = 0;
        for (const Command *c = commands; c->name && i < 63; c++)
            names[i++] = c->name;
        names[i] = NULL;
    }
    return names;
}

/* The row for the command word, or NULL with err filled: an unknown command gets a "did you mean". */
static const Command *find_row(const Args *a, FbErr *err)
{
    const Command *c = command_find(a->t[0].text);
    if (c)
        return c;
    const char *sug = fb_suggest(a->t[0].text, command_names());
    if (sug)
        fb_fail_at(err, a->t[0].col, "unknown command '%s' (did you mean '%s'?)", a->t[0].text, sug);
    else
        fb_fail_at(err, a->t[0].col, "unknown command '%s' (type help for the list)", a->t[0].text);
    return NULL;
}

/* Check the words against the row before anything runs: their count, every key=value against the option
 * table, and the first word against the row's allowed words.  Fails with err at the offending word. */
static int check_words(const Command *c, const Args *a, FbErr *err)
{
    if (check_word_count(c, a, err))
        return -1;
    if (c->flags & CMD_RAW)
        return 0;
    if (args_check(a, c->opts, c->name, err))
        return -1;
    const Tok *pos[2];
    int np = args_positional(a, pos, 2);
    if (!c->words || np == 0)
        return 0;
    bool ok = false;
    for (int i = 0; c->words[i]; i++)
        ok = ok || strcmp(c->words[i], pos[0]->text) == 0;
    if (ok)
        return 0;
    const char *sug = fb_suggest(pos[0]->text, c->words);
    if (sug)
        return fb_fail_at(err, pos[0]->col, "unknown %s '%s' (did you mean '%s'?)", c->noun, pos[0]->text, sug);
    return command_usage_error(err, c, pos[0]->col, "unknown %s '%s'", c->noun, pos[0]->text);
}

/* Run the row's handler.  A CMD_STATE command first takes an undo snapshot (*snap, the caller's to keep or
 * free); when the handler or the refresh after it fails, the snapshot is put back (a failed command changes
 * nothing) and *snap is NULL.  Fails with err's column defaulting to the command word. */
static int run_with_rollback(Interp *it, const Command *c, Args *a, Session **snap, FbErr *err)
{
    *snap = NULL;
    if (c->flags & CMD_STATE) {
        Session *sn = malloc(sizeof *sn);
        if (!sn || session_clone(sn, it->s, err)) {
            if (!sn)
                fb_oom(err, "an undo snapshot", sizeof *sn);
            free(sn);
            return -1;
        }
        *snap = sn;
    }
    err->col = 0;
    int rc = c->run(it, c, a, err);
    /* Whatever the command moved, the losses and counters shown agree with the parameters (session.h). */
    if (!rc)
        rc = session_refresh(it->s, err);
    if (!rc)
        return 0;
    if (!err->col)
        err->col = a->t[0].col;
    if (*snap) {
        session_free(it->s);
        *it->s = **snap;
        free(*snap);
        *snap = NULL;
    }
    return -1;
}

/* A state-changing command that ran: its log lines go to the session log (what save session writes) and its
 * snapshot onto the undo stack.  A train or step that lr keys or an interrupt split logs the lines that
 * replay what happened (session.h, LiveLog) instead of its text. */
static void log_command(Interp *it, const char *text, size_t len, Session *snap)
{
    const LiveLog *lv = &it->s->live;
    FbErr lerr; /* a log entry lost to OOM only affects save session */
    if (lv->nline) {
        for (size_t i = 0; i < lv->nline; i++)
            session_log_add(it->s, lv->line[i], &lerr);
    } else {
        char *line = strndup(text, len);
        if (line) {
            session_log_add(it->s, line, &lerr);
            free(line);
        }
    }
    push_undo(it, snap);
}

/* Append a command that ran to the open record file.  Flushed at once, so a crash loses nothing typed.  A
 * failed write (disk full) is an error, but the command itself stands: say so, stop recording, and make the
 * exit status 1.  An undo of a command logged as several lines is recorded as that many undos (nlog0: the
 * log's length before the command). */
static void record_command(Interp *it, const Command *c, const char *text, size_t len, int col0, size_t nlog0)
{
    const LiveLog *lv = &it->s->live;
    errno = 0;
    int bad = 0;
    if (lv->nline) {
        for (size_t i = 0; i < lv->nline; i++)
            bad = fprintf(it->record, "%s\n", lv->line[i]) < 0 || bad;
    } else if (c->run == cmd_undo && nlog0 > it->s->nlog + 1) {
        for (size_t i = it->s->nlog; i < nlog0; i++)
            bad = fprintf(it->record, "undo\n") < 0 || bad;
    } else {
        bad = fprintf(it->record, "%.*s\n", (int)len, text) < 0;
    }
    bad = fflush(it->record) != 0 || bad || ferror(it->record);
    if (!bad)
        return;
    const char *why = strerror(errno ? errno : EIO);
    if (it->file)
        sink_printf(it->err, "%s:%ld:%d: error: cannot record to %s: %s (recording stopped; the command ran)\n",
                    it->file, it->line, col0, it->record_path, why);
    else
        sink_printf(it->err, "error: cannot record to %s: %s (recording stopped; the command ran)\n",
                    it->record_path, why);
    it->failed = 1;
    fclose(it->record);
    it->record = NULL;
    free(it->record_path);
    it->record_path = NULL;
}

int command_run(Interp *it, const char *text, size_t len, int col0, FbErr *err)
{
    Args a;
    if (args_split(text, len, col0, &a, err))
        return -1;
    if (a.n == 0)
        return 0;
    int rc = -1;
    const Command *c = find_row(&a, err);
    if (c && !check_words(c, &a, err)) {
        size_t nlog0 = it->s->nlog;
        Session *snap;
        rc = run_with_rollback(it, c, &a, &snap, err);
        if (!rc && snap)
            log_command(it, text, len, snap);
        if (!rc && it->record && !(c->flags & CMD_NOREC))
            record_command(it, c, text, len, col0, nlog0);
    }
    session_live_clear(it->s);
    args_free(&a);
    return rc;
}

/* ---- completion ---- */

static int add_cand(char ***v, size_t *n, size_t *cap, const char *s, const char *prefix, const char *suffix)
{
    size_t lp = strlen(prefix);
    if (strncmp(s, prefix, lp) != 0)
        return 0;
    if (*n + 2 > *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    size_t len = strlen(s) + strlen(suffix) + 1;
    char *c = malloc(len);
    if (!c)
        return -1;
    snprintf(c, len, "%s%s", s, suffix);
    (*v)[(*n)++] = c;
    (*v)[*n] = NULL;
    return 0;
}

/* KEY=NAME for a column name, when NAME starts with typed (what follows '=', an opening quote skipped); quoted as
 * the parser reads it (args.c) when NAME has a blank, a quote or a character that ends or splits a word: "sale
 * price" in double quotes, a name holding a double quote in single ones (a name with both is left out). */
static int add_column_cand(char ***v, size_t *n, size_t *cap, const char *key, const char *name, const char *typed)
{
    if (*typed == '"' || *typed == '\'')
        typed++;
    if (strncmp(name, typed, strlen(typed)) != 0)
        return 0;
    bool dq = strchr(name, '"') != NULL, sq = strchr(name, '\'') != NULL;
    const char *q = "";
    if (strpbrk(name, " \t\"';#=,"))
        q = dq ? "'" : "\"";
    if (dq && sq)
        return 0;
    size_t len = strlen(key) + strlen(name) + 4;
    char *full = malloc(len);
    if (!full)
        return -1;
    snprintf(full, len, "%s=%s%s%s", key, q, name, q);
    int rc = add_cand(v, n, cap, full, "", " ");
    free(full);
    return rc;
}

static void complete_compare(char ***v, size_t *n, size_t *cap, const char *word)
{
    const char *keys[VARIANT_KEYS_MAX + 1];
    variant_keys(keys, VARIANT_KEYS_MAX + 1);
    for (size_t i = 0; keys[i]; i++)
        add_cand(v, n, cap, keys[i], word, "=");
}

/* The terms after `features add|drop` (features_words); "sin(" and "cos(" take no blank after them. */
static void add_features_words(const Interp *it, const char *sub, const char *word, char ***v, size_t *n, size_t *cap)
{
    char **fw = features_words(it, sub);
    for (size_t i = 0; fw && fw[i]; i++)
        add_cand(v, n, cap, fw[i], word, strchr(fw[i], '(') && !strchr(fw[i], ')') ? "" : " ");
    for (size_t i = 0; fw && fw[i]; i++)
        free(fw[i]);
    free(fw);
}

char **command_complete(const Interp *it, const char *line_before, const char *word)
{
    char **v = NULL;
    size_t n = 0, cap = 0;
    Args a;
    FbErr e;
    if (args_split(line_before, strlen(line_before), 1, &a, &e))
        return NULL;
    if (a.n == 0) {
        for (const Command *c = commands; c->name; c++)
            add_cand(&v, &n, &cap, c->name, word, " ");
        args_free(&a);
        return v;
    }
    const Command *c = command_find(a.t[0].text);
    if (!c) {
        args_free(&a);
        return NULL;
    }
    const char *eq = strchr(word, '=');
    if (eq) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - word), word);
        for (const OptSpec *o = c->opts; o && o->key; o++) {
            if (strcmp(o->key, key) != 0)
                continue;
            const char *const *ch = o->choices;
            for (int i = 0; ch && ch[i]; i++) {
                char full[128];
                snprintf(full, sizeof full, "%s=%s", key, ch[i]);
                add_cand(&v, &n, &cap, full, word, " ");
            }
        }
        /* Column names for the options that take them. */
        const Dataset *ds = it->s->data;
        if (ds && (strcmp(key, "target") == 0 || strcmp(key, "drop") == 0 || strcmp(key, "onehot") == 0)) {
            for (size_t j = 0; j < ds->d; j++)
                add_column_cand(&v, &n, &cap, key, ds->names[j], eq + 1);
            for (size_t j = 0; j < ds->ny; j++)
                add_column_cand(&v, &n, &cap, key, ds->ynames[j], eq + 1);
        }
        args_free(&a);
        return v;
    }
    const Tok *pos[1];
    int np = args_positional(&a, pos, 1);
    if (np == 0 && c->words)
        for (int i = 0; c->words[i]; i++)
            add_cand(&v, &n, &cap, c->words[i], word, " ");
    if (c->run == cmd_plot && np == 1 && strcmp(pos[0]->text, "metric") == 0 && a.n == 2)
        for (int t = MTASK_REG; t <= MTASK_CLS; t++) /* `plot metric NAME`: the history's metrics */
            for (int i = 0; i < 2; i++)
                add_cand(&v, &n, &cap, metric_name((MetricTask)t, i), word, " ");
    if (c->run == cmd_features && np >= 1)
        add_features_words(it, pos[0]->text, word, &v, &n, &cap);
    if (strcmp(c->name, "help") == 0 && np == 0)
        for (const Command *k = commands; k->name; k++)
            add_cand(&v, &n, &cap, k->name, word, " ");
    /* `optim KIND` completes that optimizer's own options (and schedule=), `schedule KIND` that schedule's;
     * others every option. */
    OptKind ok;
    SchedKind sk;
    bool per_optim = c->run == cmd_optim && np > 0 && optim_from_name(pos[0]->text, &ok) == 0;
    if (c->run == cmd_compare) /* the keys compare varies (variant.h) */
        complete_compare(&v, &n, &cap, word);
    bool per_sched = c->run == cmd_schedule && np > 0 && sched_from_name(pos[0]->text, &sk) == 0;
    for (const OptSpec *o = c->opts; o && o->key; o++)
        if (per_optim ? optim_takes(ok, o->key) || strcmp(o->key, "schedule") == 0
                      : !per_sched || sched_takes(sk, o->key))
            add_cand(&v, &n, &cap, o->key, word, "=");
    args_free(&a);
    return v;
}
