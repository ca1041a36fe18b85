/* gen.h — synthetic datasets for teaching: regression curves and TensorFlow Playground's classification sets. */
#ifndef FITBENCH_GEN_H
#define FITBENCH_GEN_H

#include <stdint.h>

#include "fitbench/dataset.h"
#include "fitbench/err.h"

typedef enum { GEN_LINEAR, GEN_POLY, GEN_SINE, GEN_BLOBS, GEN_MOONS, GEN_CIRCLES, GEN_XOR, GEN_SPIRAL, GEN_GAUSS } GenKind;

typedef struct GenSpec {
    GenKind kind;
    size_t n;        /* rows (default 200) */
    size_t d;        /* features: linear and blobs only (default 1 / 2); others are fixed */
    double noise;    /* default 0.1: target noise std (regression) or point jitter (classes) */
    size_t classes;  /* blobs and spiral (default 3 and 2) */
    uint64_t seed;
} GenSpec;

extern const char *const gen_kind_names[]; /* NULL-terminated, in GenKind order */

void gen_spec_default(GenSpec *spec, GenKind kind);

/* Make the dataset (refs = 1, caller unrefs).  `source` in the result reads
 * back as the gen command.  Fails on n == 0, d == 0, classes < 2 or out of
 * range, or out of memory. */
int gen_make(const GenSpec *spec, Dataset **out, FbErr *err);

#endif
