/* export.h — a session written out as a standalone Python script (PyTorch or scikit-learn) that reproduces it. */
#ifndef FITBENCH_EXPORT_H
#define FITBENCH_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fitbench/dataset.h"
#include "fitbench/err.h"
#include "fitbench/gen.h"
#include "fitbench/model.h"
#include "fitbench/prep.h"
#include "fitbench/strbuf.h"
#include "fitbench/train.h"

/* One step of the run after its start, in the order the session log ran them. */
typedef enum {
    EXPORT_TRAIN,    /* `epochs` epochs (train, step) */
    EXPORT_OPTIM,    /* another optimizer: fresh state, the schedule starts again */
    EXPORT_OPTIONS,  /* the same optimizer with new options: state kept, the schedule starts again */
    EXPORT_RESCALE,  /* the same optimizer, lr rescaled keeping the schedule's place (schedule=scale, +/- keys) */
    EXPORT_SCHEDULE, /* a new schedule, starting from the optimizer's lr */
    EXPORT_BATCH,    /* batch size / shuffle */
    EXPORT_LOSS,     /* another loss, parameters kept */
} ExportStep;

typedef struct ExportEvent {
    ExportStep kind;
    const char *line;  /* the session-log line it came from (borrowed from the session) */
    long epochs;       /* EXPORT_TRAIN: epochs it ran */
    long patience;     /* EXPORT_TRAIN: train patience=P (0: none) */
    TrainSetup setup;  /* the setup after the command */
} ExportEvent;

/* Where the data came from. */
typedef struct ExportData {
    const Dataset *ds;     /* the loaded table (its schema for a CSV) */
    const char *csv_path;  /* absolute path of the CSV, or NULL for generated data */
    GenSpec gen;           /* generated data: the generator's spec */
    PrepSpec prep;         /* split, features, scaling */
} ExportData;

/* Everything a script needs: borrowed pointers, owned by the caller. */
typedef struct ExportPlan {
    ExportData data;
    const Model *model;        /* the model's shape (kind, act, sizes) */
    const char *start_dir;     /* folder of the run's starting parameters, relative to the script (W1.npy ...) */
    const char *stem;          /* the script's name without .py, for the files it writes */
    const char *command;       /* the save command, for the header */
    TrainSetup setup0;         /* the setup when the run started */
    uint64_t rng0[4];          /* the data-order generator's state when the run started */
    const ExportEvent *ev;
    size_t nev;
    bool has_val;              /* the split has validation rows */
    bool ddp;                  /* save torch ddp=yes: under torchrun the script splits batches without --ddp */
    /* sklearn: the closed form solve computes (weight decay of the optimizer, the loss's l2 penalty on the
     * weights; both 0 = least squares) */
    double weight_decay, l2;
} ExportPlan;

/* The PyTorch script for plan, appended to out (out->oom on out of memory).
 * Fails (err filled) when the plan holds something the script cannot express. */
int export_torch(const ExportPlan *plan, StrBuf *out, FbErr *err);

/* The scikit-learn script (LinearRegression, or Ridge with weight decay) for
 * a linear model with the mse loss.  Fails (err filled) for another model. */
int export_sklearn(const ExportPlan *plan, StrBuf *out, FbErr *err);

/* The data section both scripts share (reading or generating the rows,
 * split, features, scaling), appended to out.  Section numbers start at 1. */
void export_data_section(const ExportPlan *plan, StrBuf *out);

/* A double as Python reads it back exactly (repr: shortest round trip). */
const char *export_float(char *buf, size_t size, double v);

/* A string as a Python literal ('...' with escapes). */
void export_pystr(StrBuf *out, const char *s);

#endif
