/* fixture_read.h — reads the reference-number fixtures written by tools/ref_*.py (tests only). */
#ifndef FITBENCH_TESTS_FIXTURE_READ_H
#define FITBENCH_TESTS_FIXTURE_READ_H

/* Format: '#' comment lines; blocks "NAME ROWS COLS" followed by ROWS*COLS
 * numbers (%.17g, C locale) separated by blanks and newlines. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

#ifndef FITBENCH_SRCDIR
#define FITBENCH_SRCDIR "."
#endif

#define FX_MAX_ARRAYS 32

typedef struct FxArr {
    char name[128];
    size_t rows, cols;
    double *v; /* (rows, cols) row-major, owned */
} FxArr;

typedef struct Fx {
    FxArr a[FX_MAX_ARRAYS];
    size_t n;
} Fx;

static inline void fx_free(Fx *fx)
{
    for (size_t i = 0; i < fx->n; i++)
        free(fx->a[i].v);
    fx->n = 0;
}

/* Next blank-separated token of f, skipping '#' comment lines; 0 at EOF. */
static inline int fx_token(FILE *f, char *tok, size_t cap)
{
    int c;
    for (;;) {
        c = fgetc(f);
        if (c == EOF)
            return 0;
        if (c == '#') {
            while (c != EOF && c != '\n')
                c = fgetc(f);
            continue;
        }
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
            break;
    }
    size_t len = 0;
    while (c != EOF && c != ' ' && c != '\n' && c != '\t' && c != '\r') {
        if (len + 1 < cap)
            tok[len++] = (char)c;
        c = fgetc(f);
    }
    tok[len] = '\0';
    return 1;
}

/* Load `rel` (relative to the source tree).  Returns 0, or -1 if the file is
 * missing or malformed. */
static inline int fx_load(Fx *fx, const char *rel)
{
    char path[1024], tok[128];
    snprintf(path, sizeof path, "%s/%s", FITBENCH_SRCDIR, rel);
    memset(fx, 0, sizeof *fx);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fx_token(f, tok, sizeof tok)) {
        if (fx->n == FX_MAX_ARRAYS)
            goto bad;
        FxArr *a = &fx->a[fx->n];
        snprintf(a->name, sizeof a->name, "%s", tok);
        double r, c;
        if (!fx_token(f, tok, sizeof tok) || !fb_parse_double(tok, strlen(tok), &r) || !fx_token(f, tok, sizeof tok) ||
            !fb_parse_double(tok, strlen(tok), &c) || r < 0 || c < 0)
            goto bad;
        a->rows = (size_t)r;
        a->cols = (size_t)c;
        a->v = malloc((a->rows * a->cols + 1) * sizeof(double));
        if (!a->v)
            goto bad;
        fx->n++;
        for (size_t i = 0; i < a->rows * a->cols; i++)
            if (!fx_token(f, tok, sizeof tok) || !fb_parse_double(tok, strlen(tok), &a->v[i]))
                goto bad;
    }
    fclose(f);
    return 0;
bad:
    fclose(f);
    fx_free(fx);
    return -1;
}

/* The array called name, or NULL. */
static inline const FxArr *fx_get(const Fx *fx, const char *name)
{
    for (size_t i = 0; i < fx->n; i++)
        if (strcmp(fx->a[i].name, name) == 0)
            return &fx->a[i];
    return NULL;
}

#endif
