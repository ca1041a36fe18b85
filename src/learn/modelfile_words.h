/* modelfile_words.h — what modelfile.c (writer) and modelfile_read.c (reader) share: the words of the format. */
#ifndef FITBENCH_MODELFILE_WORDS_H
#define FITBENCH_MODELFILE_WORDS_H

#include "fitbench/modelfile.h"

static const char *const kind_words[] = {"linear", "logistic", "softmax", "mlp", NULL};
static const char *const act_words[] = {"relu", "tanh", "sigmoid", "linear", NULL};
static const char *const loss_words[] = {"mse", "mae", "huber", "bce", "ce", "hinge", NULL};
static const char *const scale_words[] = {"none", "standard", "minmax", NULL};
static const char *const missing_words[] = {[MISSING_ERROR] = "error", [MISSING_DROP] = "drop",
                                            [MISSING_MEAN] = "mean", NULL};
static const char *const role_words[] = {[RAW_FEATURE] = "feature", [RAW_ONEHOT] = "onehot",
                                         [RAW_TARGET] = "target", [RAW_DROP] = "drop", NULL};

/* mf->ninputs and mf->inputs from mf->schema.  Fails on out of memory. */
int modelfile_name_inputs(ModelFile *mf, FbErr *err);

#endif
