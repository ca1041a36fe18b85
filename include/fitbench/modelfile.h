/* modelfile.h — a deployable model: the `fitbench-model 3` text format (raw columns, vocabularies, fills, classes, scaler, expansion, model, loss; %.17g) and predicting raw rows with it. */
#ifndef FITBENCH_MODELFILE_H
#define FITBENCH_MODELFILE_H

#include <stdbool.h>

#include "fitbench/err.h"
#include "fitbench/loss.h"
#include "fitbench/model.h"
#include "fitbench/prep.h"
#include "fitbench/schema.h"

/* The widest model input (features after expansion) and the most classes a
 * model file holds.  One limit for writing and reading: save model refuses
 * what load model would refuse. */
#define MODELFILE_MAX_WIDTH 100000000
#define MODELFILE_MAX_CLASSES 1000000

/* Everything needed to turn a raw input row into a prediction.  Owns
 * everything (modelfile_free).  Made by modelfile_from (the current session)
 * or modelfile_read (a file); both give bit-identical predictions.  When
 * shared (a session holds one after `load model`), refs counts the holders:
 * modelfile_ref / modelfile_unref on a heap copy from modelfile_dup. */
typedef struct ModelFile {
    int refs;
    int version;          /* 1, 2 or 3: the format the file was in (files are written as 3) */
    Model model;
    LossCfg loss;
    RawSchema *schema;    /* the raw columns (a version 1 file: one numeric column per input, then the target) */
    size_t ninputs;       /* encoded features before expansion: schema_features(schema) */
    char **inputs;        /* ninputs names ("x1", "city=Paris"): the Dataset's feature names */
    size_t nclasses;
    char **classes;       /* nclasses names in class order (the data's, also for regression data) */
    double *class_values; /* nclasses values of a numeric class target, else NULL */
    Terms *terms;         /* the feature terms (a reference of its own), NULL: the inputs as they are */
    ScaleKind scale;
    size_t d;             /* model inputs after expansion */
    char **features;      /* d names in term order ("x1^2", "x1 x2"); NULL from a version 1 file */
    double *shift, *scaleby; /* (d): x' = (x - shift) / scaleby */
} ModelFile;

/* The model of the current session as a ModelFile (deep copies of the model,
 * p's dataset layout, classes and scaler).  Fails on non-finite parameters,
 * a model wider than MODELFILE_MAX_WIDTH, or out of memory; *mf is then empty. */
int modelfile_from(ModelFile *mf, const Model *m, const LossCfg *loss, const Prepared *p, FbErr *err);

/* Write mf atomically (temp file, fsync, rename) as version 3.  Fails as
 * atomic_open / atomic_commit; nothing is left behind on failure. */
int modelfile_save(const char *path, const ModelFile *mf, FbErr *err);

/* modelfile_from + modelfile_save. */
int modelfile_write(const char *path, const Model *m, const LossCfg *loss, const Prepared *p, FbErr *err);

/* Read and validate a model file (versions 1, 2 and 3); on failure the message
 * names the file and line ("m.txt:7: expected 14 parameters, found 12"),
 * non-finite numbers included, and *mf is empty. */
int modelfile_read(const char *path, ModelFile *mf, FbErr *err);
void modelfile_free(ModelFile *mf);   /* leaves *mf empty; an empty one is fine */

/* A heap copy with refs = 1 (NULL on out of memory); take and drop references. */
ModelFile *modelfile_dup(const ModelFile *mf, FbErr *err);
ModelFile *modelfile_ref(ModelFile *mf);  /* NULL-safe, returns mf */
void modelfile_unref(ModelFile *mf);      /* NULL-safe; the last one frees */

/* Logits Z (n, k) of encoded raw rows X (n, ninputs): expansion, the file's
 * scaler, the model.  Fails on out of memory. */
int modelfile_predict(const ModelFile *mf, const double *X, size_t n, double *Z, FbErr *err);

/* Outputs of the model (k), and whether its loss makes it a classifier. */
size_t modelfile_outputs(const ModelFile *mf);
bool modelfile_is_classifier(const ModelFile *mf);

/* The class of logits z (k): argmax, or z > 0 with one logit. */
size_t modelfile_class(const ModelFile *mf, const double *z);

/* Class probabilities p (nclasses) of logits z: softmax for ce, sigmoid for
 * bce (p[1] = sigmoid(z), p[0] = 1 - p[1]).  false for hinge, which has none. */
bool modelfile_proba(const ModelFile *mf, const double *z, double *p);

/* The class a target cell names: its class name, or for a numeric class
 * target a number equal to a class value.  -1 when it is neither. */
long modelfile_class_named(const ModelFile *mf, const char *cell);

#endif
