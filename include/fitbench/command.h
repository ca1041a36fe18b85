/* command.h — the command table, the interpreter state, and running one command. */
#ifndef FITBENCH_COMMAND_H
#define FITBENCH_COMMAND_H

#include <signal.h>
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
};

enum {
    CMD_STATE = 1,   /* changes the session: snapshot for undo, roll back on failure, log for save session */
    CMD_RAW = 2,     /* takes the rest of the line as text (echo, expect): no key=value parsing */
    CMD_NOREC = 4,   /* never written by record (help, record, quit, undo handled apart) */
};

typedef struct Command {
    const char *name;
    const char *usage;
    const char *summary;
    const char *help;
    const char *noun;            /* what the first word names, for errors: "optimizer" */
    const char *const *words;    /* allowed first words (NULL = free) */
    const OptSpec *opts;         /* NULL-key terminated, or NULL */
    unsigned flags;
    int (*run)(Interp *it, Args *a, FbErr *err);
} Command;

/* The table, NULL-name terminated, in the order help lists them. */
extern const Command commands[];

const Command *command_find(const char *name);

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
int cmd_load(Interp *, Args *, FbErr *);
int cmd_gen(Interp *, Args *, FbErr *);
int cmd_split(Interp *, Args *, FbErr *);
int cmd_scale(Interp *, Args *, FbErr *);
int cmd_features(Interp *, Args *, FbErr *);
int cmd_model(Interp *, Args *, FbErr *);
int cmd_init(Interp *, Args *, FbErr *);
int cmd_loss(Interp *, Args *, FbErr *);
int cmd_optim(Interp *, Args *, FbErr *);
int cmd_schedule(Interp *, Args *, FbErr *);
int cmd_batch(Interp *, Args *, FbErr *);
int cmd_step(Interp *, Args *, FbErr *);
int cmd_train(Interp *, Args *, FbErr *);
int cmd_reset(Interp *, Args *, FbErr *);
int cmd_undo(Interp *, Args *, FbErr *);
int cmd_solve(Interp *, Args *, FbErr *);
int cmd_eval(Interp *, Args *, FbErr *);
int cmd_predict(Interp *, Args *, FbErr *);
int cmd_show(Interp *, Args *, FbErr *);
int cmd_plot(Interp *, Args *, FbErr *);
int cmd_compare(Interp *, Args *, FbErr *);
int cmd_lrfind(Interp *, Args *, FbErr *);
int cmd_explain(Interp *, Args *, FbErr *);
int cmd_save(Interp *, Args *, FbErr *);
int cmd_run(Interp *, Args *, FbErr *);
int cmd_record(Interp *, Args *, FbErr *);
int cmd_set(Interp *, Args *, FbErr *);
int cmd_expect(Interp *, Args *, FbErr *);
int cmd_echo(Interp *, Args *, FbErr *);
int cmd_pause(Interp *, Args *, FbErr *);
int cmd_sleep(Interp *, Args *, FbErr *);
int cmd_help(Interp *, Args *, FbErr *);
int cmd_quit(Interp *, Args *, FbErr *);

/* Shared by cmd_*.c: look up a metric or parameter by name for expect/until. */
int interp_lookup(void *ctx, const char *name, const double *idx, int nidx, double *out, FbErr *err);

#endif
