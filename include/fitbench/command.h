/* command.h — the command table, the interpreter state, and running one command. */
#ifndef FITBENCH_COMMAND_H
#define FITBENCH_COMMAND_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "fitbench/args.h"
#include "fitbench/err.h"
#include "fitbench/session.h"
#include "fitbench/sink.h"

#define RUN_MAX_DEPTH 16
#define UNDO_MAX 32

typedef struct Interp Interp;

/* What a front end can plug in (the TUI); every member may be NULL. */
typedef struct FrontEnd {
    void *ctx;
    /* Training is about to start / has ended (set up and tear down live drawing). */
    void (*train_begin)(void *ctx, Interp *it);
    void (*train_end)(void *ctx, Interp *it);
    /* After each epoch / batch; nonzero stops training (keys, Esc). */
    int (*train_epoch)(void *ctx, Interp *it);
    int (*train_batch)(void *ctx, Interp *it);
    /* The plot choice or data changed: redraw. */
    void (*redraw)(void *ctx, Interp *it);
    /* `pause [message]` in a live replay: wait for a key. */
    void (*pause)(void *ctx, Interp *it, const char *msg);
    /* How much of it->work_total the running command may have done by now at the front end's pace (set pace=,
     * the keys < > e, space to pause); it->work_total when it is not paced.  For work that cannot wait in
     * train_epoch (compare's child processes wait for it instead). */
    long (*work_allowed)(void *ctx, Interp *it);
} FrontEnd;

/* The interpreter: the session plus everything about running commands.
 * Commands print only through out (results) and err (warnings); errors are
 * returned, and reported with their location in one place (script.c). */
struct Interp {
    Session *s;
    Sink *out;
    Sink *err;
    const FrontEnd *fe;
    volatile sig_atomic_t *interrupt; /* SIGINT: stop training after the current batch */
    bool interactive;  /* a person is typing */
    bool live;         /* --live replay: pause and sleep are honoured */
    bool keep_going;   /* --keep-going: scripts carry on after errors */
    bool quiet;        /* -q: no per-epoch lines */
    bool quit;         /* `quit` was run */
    int failed;        /* some command or expect failed (exit status 1) */
    int depth;
    char *stack[RUN_MAX_DEPTH];   /* real paths of the scripts being run (cycle check) */
    FILE *reading[RUN_MAX_DEPTH + 1]; /* every stream script_stream is reading (stdin too): record refuses them */
    int nreading;
    Session *undo[UNDO_MAX];      /* snapshots before state-changing commands, oldest first */
    int nundo;
    FILE *record;                 /* `record FILE`: every successful command is appended */
    char *record_path;
    const char *const *data_dirs; /* where `load NAME` looks for shipped datasets */
    /* Where the current command came from, for messages. */
    const char *file;
    long line;
    /* How far the running train/step/compare/lrfind is, in units of work (epochs, or updates for step batch
     * and lrfind), for the workbench's pace (set pace=): work_done of work_total.  0 of 0 when unknown. */
    long work_done, work_total;
    /* While a command's work runs elsewhere (compare's child processes): the flag that holds it back, which the
     * front end sets while paused (space) and clears after; the front end then paces it through work_allowed,
     * not by waiting in train_batch.  NULL otherwise. */
    atomic_int *hold;
};

enum {
    CMD_STATE = 1,   /* changes the session: snapshot for undo, roll back on failure, log for save session */
    CMD_RAW = 2,     /* takes the rest of the line as text (echo, expect): no key=value parsing */
    CMD_NOREC = 4,   /* never written by record (help, record, quit, undo handled apart) */
};

/* Command.maxw: any number of words. */
#define CMD_ANY 255

typedef struct Command Command;

/* A command's handler: the row it was found in (its usage for errors), its
 * words (options already checked against row->opts, the word count against
 * minw..maxw).  Returns 0, or -1 with err filled (command_run then rolls
 * back a CMD_STATE command). */
typedef int CommandFn(Interp *it, const Command *row, Args *a, FbErr *err);

struct Command {
    const char *name;
    const char *usage;           /* the one usage text: help prints it, every wrong-words error quotes it */
    const char *summary;
    const char *help;
    const char *noun;            /* what the first word names, for errors: "optimizer" */
    const char *const *words;    /* allowed first words (NULL = free) */
    const OptSpec *opts;         /* NULL-key terminated, or NULL */
    unsigned flags;
    /* How many plain words (not key=value) may follow the name: minw..maxw
     * (CMD_ANY: no limit).  A CMD_RAW command counts every word.  Checked by
     * command_run before the handler, with the usage as the error. */
    unsigned char minw, maxw;
    CommandFn *run;
};

/* The table, NULL-name terminated, in the order help lists them. */
extern const Command commands[];

const Command *command_find(const char *name);

/* The row's usage on one line, for messages, into buf (truncated to size):
 * a line break before indented text (a continuation) becomes one space, one
 * before a new form becomes " | ".  Returns buf. */
const char *command_usage_line(const Command *row, char *buf, size_t size);

/* The error for words a command does not take, built from the row's usage
 * (command_usage_line): "usage: USAGE", or "WHY (usage: USAGE)" when why_fmt
 * is not NULL.  col is the offending word's column (0: none; command_run then
 * uses the command's).  Always returns -1. */
int command_usage_error(FbErr *err, const Command *row, int col, const char *why_fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Completion candidates for the word being typed, given the words before
 * it: command names, first words, option keys ("lr="), enum values.
 * Returns a NULL-terminated malloc'ed array of malloc'ed strings (caller
 * frees both), or NULL when none (or out of memory). */
char **command_complete(const Interp *it, const char *line_before, const char *word);

void interp_init(Interp *it, Session *s, Sink *out, Sink *err);
void interp_free(Interp *it);   /* frees undo snapshots, closes record; not the session */

/* Run one command (already split from its line).  Handles option checking,
 * snapshots for undo, roll-back on failure, the session log and record.
 * `text` is the command as typed (for logs).  Fails with err filled (col is
 * 1-based in the physical line); the session is then unchanged. */
int command_run(Interp *it, const char *text, size_t len, int col0, FbErr *err);

/* Format a number with the session's precision into buf. */
const char *num(const Interp *it, char *buf, size_t size, double x);
#define NUM(it, x) num((it), (char[40]){0}, 40, (x))

/* Run functions of the individual commands (cmd_*.c). */
CommandFn cmd_load;
CommandFn cmd_gen;
CommandFn cmd_split;
CommandFn cmd_scale;
CommandFn cmd_features;
/* `show features`: the term list in column order (the loaded model's with no data).  Fails with neither. */
int cmd_show_features(Interp *it, FbErr *err);
/* Completion words after `features add` (the inputs as terms name them, sin(, cos() or `features drop` (the
 * terms there are): a NULL-terminated malloc'd list the caller frees (fb_free_strings), or NULL. */
char **features_words(const Interp *it, const char *sub);
CommandFn cmd_model;
CommandFn cmd_init;
CommandFn cmd_loss;
CommandFn cmd_optim;
CommandFn cmd_schedule;
CommandFn cmd_batch;
CommandFn cmd_step;
CommandFn cmd_train;
CommandFn cmd_reset;
CommandFn cmd_undo;
CommandFn cmd_solve;
CommandFn cmd_eval;
CommandFn cmd_predict;
CommandFn cmd_show;
CommandFn cmd_plot;
CommandFn cmd_compare;
CommandFn cmd_lrfind;
CommandFn cmd_cv;
CommandFn cmd_explain;
CommandFn cmd_check;
CommandFn cmd_save;
CommandFn cmd_run;
CommandFn cmd_record;
CommandFn cmd_set;
CommandFn cmd_expect;
CommandFn cmd_echo;
CommandFn cmd_pause;
CommandFn cmd_sleep;
CommandFn cmd_help;
CommandFn cmd_quit;

/* Shared by cmd_*.c: where `load NAME` finds a file (NAME itself when it is a file or has a '/', else
 * DIR/NAME.csv, .csv.gz or NAME in it->data_dirs; NAME when none is there): returns name or buf. */
const char *resolve_dataset(const Interp *it, const char *name, char *buf, size_t size);

/* Shared by cmd_*.c: the file of layer `layer`'s W or b (which) in a weights folder: W.npy / b.npy for a
 * one-layer model, W1.npy b1.npy W2.npy ... for an MLP. */
void cmd_weight_name(char *buf, size_t size, const char *dir, const Model *m, size_t layer, char which);

/* save torch|sklearn PATH.py [ddp=yes] (cmd_export.c): the session as a Python script. */
int cmd_save_script(Interp *it, Args *a, const Tok *what, const Tok *path, FbErr *err);

/* Shared by cmd_*.c: look up a metric or parameter by name for expect/until. */
int interp_lookup(void *ctx, const char *name, const double *idx, int nidx, double *out, FbErr *err);

#endif
