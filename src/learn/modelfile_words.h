/* modelfile_words.h — what modelfile.c (writer) and modelfile_read.c (reader) share: the words of the format. */
#ifndef FITBENCH_MODELFILE_WORDS_H
#define FITBENCH_MODELFILE_WORDS_H

#include "fitbench/modelfile.h"

/* The model kind, activation, loss and scaling words are the core modules' name tables (model_kind_names,
 * act_names, loss_names, scale_names). */
static const char *const missing_words[] = {[MISSING_ERROR] = "error", [MISSING_DROP] = "drop",
                                            [MISSING_MEAN] = "mean", NULL};
static const char *const role_words[] = {[RAW_FEATURE] = "feature", [RAW_ONEHOT] = "onehot",
                                         [RAW_TARGET] = "target", [RAW_DROP] = "drop", NULL};

/* mf->ninputs and mf->inputs from mf->schema.  Fails on out of memory. */
int modelfile_name_inputs(ModelFile *mf, FbErr *err);

#endif
