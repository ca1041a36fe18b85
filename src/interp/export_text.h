/* export_text.h — the fixed Python pieces of the exported scripts (export_text.c), and what each needs
 * defined before it (the generators write those lines). */
#ifndef FITBENCH_EXPORT_TEXT_H
#define FITBENCH_EXPORT_TEXT_H

#include "fitbench/strbuf.h"

extern const char *const export_py_rng[];       /* class Rng: fitbench's xoshiro256** (needs math) */
extern const char *const export_py_csv[];       /* read_data() from a CSV: DATA_PATH, SEP, DECIMAL, MISSING, COLUMNS,
                                          * TARGETS, FILLS (needs csv, gzip, math, numpy; class_index) */
extern const char *const export_py_classes[];   /* class_index(values): fitbench's numeric-classes rule */
extern const char *const export_py_genreg[];    /* read_data() for gen linear|poly|sine: GEN_* and Rng */
extern const char *const export_py_gencls[];    /* read_data() for the classification sets: GEN_*, Rng, class_index */
extern const char *const export_py_prep[];      /* prepare(): VAL, TEST, SPLIT_SEED, SPLIT_SHUFFLE, TERMS, SCALE */
extern const char *const export_py_torch[];     /* the losses, optimizers, schedules and class Run (training loop) */
extern const char *const export_py_torchmain[]; /* param_names, arguments, main: HERE, STEM, START, build_model, replay */
extern const char *const export_py_sklearn[];   /* the closed form: fit and print (sklearn scripts) */

/* Append the lines of a piece to out. */
void export_lines(StrBuf *out, const char *const *lines);

#endif
