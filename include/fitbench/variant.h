/* variant.h — a copy of the session with one setting changed, for `compare`: the keys compare can vary, the
 * command that applies each value, and where each run starts.  One table (variant.c); compare, its
 * completion, its help and its error messages ask it. */
#ifndef FITBENCH_VARIANT_H
#define FITBENCH_VARIANT_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/command.h"

/* Keys compare can vary, at most (the optimizer options included). */
#define VARIANT_KEYS_MAX 40

typedef struct VariantKey VariantKey;

/* How a variant runs a command line on its copy c, its output discarded: the caller's (compare runs it through
 * command_run, so that a value is checked exactly as a typed one).  Fails with the command's message. */
typedef int (*VariantRunFn)(Interp *it, Session *c, const char *line, FbErr *err);

typedef struct VariantCtx {
    Interp *it;         /* whose session is copied */
    VariantRunFn run;
} VariantCtx;

/* Applies KEY=VAL to the copy c (already a clone of it->s), through the ordinary command where there is one.
 * Fails (-1, err saying why, without the key) when the value or the session does not allow it; c then stays a
 * valid session the caller frees. */
typedef int (*VariantApply)(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err);

struct VariantKey {
    const char *key;     /* the key; NULL in the one row that stands for every optimizer option */
    const char *applies; /* what applies V, for help and docs: "model mlp hidden=V (act kept)" */
    bool fresh;          /* it changes the model or the features: each run starts from a fresh init */
    VariantApply apply;
};

/* The row for key (an optimizer option from optim_all_options() finds the optimizer-option row), or NULL
 * for a key compare cannot vary.  Never fails. */
const VariantKey *variant_find(const char *key);

/* Every key compare can vary, in the table's order with the optimizer options in place of their row, into
 * keys (cap entries, NULL-terminated; cap >= VARIANT_KEYS_MAX + 1 holds them all).  Returns how many. */
size_t variant_keys(const char **keys, size_t cap);

/* A comma-separated list of every key (for messages), into buf. */
void variant_key_list(char *buf, size_t size);

/* The rows, NULL-key row included, ending with a row whose apply is NULL (docs, tests). */
const VariantKey *variant_table(void);

/* c = a copy of x->it->s with key=val applied (vk = variant_find(key)); its TrainWork is empty.  Fails (-1, err
 * saying why, c left empty) on a value the setting refuses or out of memory. */
int variant_make(const VariantCtx *x, const VariantKey *vk, const char *key, const char *val, Session *c,
                 FbErr *err);

/* train_size's value: a fraction in (0, 1] into *f.  Fails (-1, err) on anything else. */
int variant_fraction(const char *val, double *f, FbErr *err);

#endif
