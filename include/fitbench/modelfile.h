/* modelfile.h — the `fitbench-model 1` text format: model, loss, preprocessing and every parameter in %.17g. */
#ifndef FITBENCH_MODELFILE_H
#define FITBENCH_MODELFILE_H

#include "fitbench/err.h"
#include "fitbench/loss.h"
#include "fitbench/model.h"
#include "fitbench/prep.h"

/* What a model file holds.  Owns everything (modelfile_free). */
typedef struct ModelFile {
    Model model;
    LossCfg loss;
    int degree;
    ScaleKind scale;
    size_t ninputs;      /* raw feature columns */
    char **inputs;       /* ninputs names */
    char *target;
    size_t nclasses;
    char **classes;
    size_t d;            /* features after expansion (model input width) */
    double *shift, *scaleby; /* (d) the scaler */
} ModelFile;

/* Write atomically.  The data description comes from p (its dataset's
 * names, its scaler).  Fails as atomic_open / atomic_commit. */
int modelfile_write(const char *path, const Model *m, const LossCfg *loss, const Prepared *p, FbErr *err);

/* Read and validate a model file; on failure the message names the file and
 * line ("m.txt:7: expected 14 parameters, found 12") and *mf is empty. */
int modelfile_read(const char *path, ModelFile *mf, FbErr *err);
void modelfile_free(ModelFile *mf);

#endif
