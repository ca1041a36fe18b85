/* modelfile.c — reading and writing the fitbench-model text format. */
#include "fitbench/modelfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/fileio.h"
#include "fitbench/strutil.h"

static const char *const kind_words[] = {"linear", "logistic", "softmax", "mlp", NULL};
static const char *const act_words[] = {"relu", "tanh", "sigmoid", "linear", NULL};
static const char *const loss_words[] = {"mse", "mae", "huber", "bce", "ce", "hinge", NULL};
static const char *const scale_words[] = {"none", "standard", "minmax", NULL};

static void put(FILE *fp, double v)
{
    char b[40];
    fputs(fb_fmt(b, sizeof b, v, 17), fp);
    fputc('\n', fp);
}

int modelfile_write(const char *path, const Model *m, const LossCfg *loss, const Prepared *p, FbErr *err)
{
    AtomicFile af;
    if (atomic_open(&af, path, err))
        return -1;
    FILE *fp = af.fp;
    const Dataset *ds = p->ds;
    fprintf(fp, "fitbench-model 1\n# numbers are %%.17g in the C locale; see docs/file-formats.md\n");
    fprintf(fp, "model %s\nact %s\nsizes %zu", kind_words[m->kind], act_words[m->act], m->nlayers + 1);
    for (size_t l = 0; l <= m->nlayers; l++)
        fprintf(fp, " %zu", m->sizes[l]);
    fprintf(fp, "\nloss %s\ndelta ", loss_words[loss->kind]);
    put(fp, loss->delta);
    fprintf(fp, "degree %d\nscale %s\ninputs %zu\n", p->spec.degree, scale_words[p->spec.scale], ds->d);
    for (size_t j = 0; j < ds->d; j++)
        fprintf(fp, "%s\n", ds->names[j]);
    fprintf(fp, "target %s\nclasses %zu\n", ds->ynames[0], ds->nclasses);
    for (size_t c = 0; c < ds->nclasses; c++)
        fprintf(fp, "%s\n", ds->class_names[c]);
    fprintf(fp, "shift %zu\n", p->d);
    for (size_t j = 0; j < p->d; j++)
        put(fp, p->shift[j]);
    fprintf(fp, "scaleby %zu\n", p->d);
    for (size_t j = 0; j < p->d; j++)
        put(fp, p->scale[j]);
    fprintf(fp, "params %zu\n", m->nparams);
    for (size_t i = 0; i < m->nparams; i++)
        put(fp, m->params[i]);
    fprintf(fp, "end\n");
    return atomic_commit(&af, err);
}

void modelfile_free(ModelFile *mf)
{
    model_free(&mf->model);
    for (size_t i = 0; mf->inputs && i < mf->ninputs; i++)
        free(mf->inputs[i]);
    free(mf->inputs);
    for (size_t i = 0; mf->classes && i < mf->nclasses; i++)
        free(mf->classes[i]);
    free(mf->classes);
    free(mf->target);
    free(mf->shift);
    free(mf->scaleby);
    memset(mf, 0, sizeof *mf);
}

typedef struct Reader {
    FILE *fp;
    const char *path;
    long line;
    char *buf;
    size_t cap;
    FbErr *err;
} Reader;

/* Next line without its newline; NULL at end of file (err filled). */
static char *next_line(Reader *r, const char *expect)
{
    ssize_t n = getline(&r->buf, &r->cap, r->fp);
    r->line++;
    if (n < 0) {
        fb_fail(r->err, "%s:%ld: the file ends early (expected %s)", r->path, r->line, expect);
        return NULL;
    }
    if ((size_t)n != strlen(r->buf)) {
        fb_fail(r->err, "%s:%ld: NUL byte: this is not a fitbench model file", r->path, r->line);
        return NULL;
    }
    while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
        r->buf[--n] = '\0';
    return r->buf;
}

/* A "key VALUE" line; returns VALUE. */
static char *keyed(Reader *r, const char *key)
{
    char *l;
    do
        l = next_line(r, key);
    while (l && l[0] == '#');
    if (!l)
        return NULL;
    size_t k = strlen(key);
    if (strncmp(l, key, k) != 0 || l[k] != ' ') {
        fb_fail(r->err, "%s:%ld: expected '%s ...', found '%.40s'", r->path, r->line, key, l);
        return NULL;
    }
    return l + k + 1;
}

static int word_of(Reader *r, const char *key, const char *const *words)
{
    char *v = keyed(r, key);
    if (!v)
        return -1;
    for (int i = 0; words[i]; i++)
        if (strcmp(words[i], v) == 0)
            return i;
    fb_fail(r->err, "%s:%ld: unknown %s '%.40s'", r->path, r->line, key, v);
    return -1;
}

static int count_of(Reader *r, const char *key, size_t max, size_t *out)
{
    char *v = keyed(r, key);
    long n;
    *out = 0;
    if (!v)
        return -1;
    if (!fb_parse_long(v, &n) || n < 0 || (size_t)n > max)
        return fb_fail(r->err, "%s:%ld: %s must be a count from 0 to %zu (found '%.40s')", r->path, r->line, key,
                       max, v);
    *out = (size_t)n;
    return 0;
}

static int numbers(Reader *r, const char *what, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        char *l = next_line(r, what);
        if (!l)
            return -1;
        if (!fb_parse_double(l, strlen(l), &out[i]))
            return fb_fail(r->err, "%s:%ld: '%.40s' is not a number (%s %zu of %zu)", r->path, r->line, l, what,
                           i + 1, n);
    }
    return 0;
}

static int names(Reader *r, const char *what, size_t n, char ***out)
{
    *out = fb_calloc(n, sizeof **out, "names", r->err);
    if (!*out)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *l = next_line(r, what);
        if (!l || !((*out)[i] = fb_strdup(l, r->err)))
            return -1;
    }
    return 0;
}

static int parse(Reader *r, ModelFile *mf)
{
    char *l = next_line(r, "the header");
    if (!l)
        return -1;
    if (strncmp(l, "fitbench-model ", 15) != 0)
        return fb_fail(r->err, "%s is not a fitbench model file (it should start with 'fitbench-model 1')", r->path);
    if (strcmp(l + 15, "1") != 0)
        return fb_fail(r->err, "%s is fitbench-model version %.20s; this fitbench reads version 1", r->path, l + 15);
    int kind = word_of(r, "model", kind_words), act = kind < 0 ? -1 : word_of(r, "act", act_words);
    if (act < 0)
        return -1;
    char *v = keyed(r, "sizes");
    if (!v)
        return -1;
    size_t sizes[MODEL_MAX_LAYERS + 2], ns = 0;
    char *p = v, *end;
    long cnt = strtol(p, &end, 10);
    if (end == p || cnt < 2 || cnt > MODEL_MAX_LAYERS + 1)
        return fb_fail(r->err, "%s:%ld: sizes must start with a count from 2 to %d", r->path, r->line,
                       MODEL_MAX_LAYERS + 1);
    for (p = end; ns < (size_t)cnt; p = end) {
        long s = strtol(p, &end, 10);
        if (end == p || s < 1 || s > 100000000)
            return fb_fail(r->err, "%s:%ld: sizes needs %ld layer widths from 1 to 100000000", r->path,
                           r->line, cnt);
        sizes[ns++] = (size_t)s;
    }
    if (*end)
        return fb_fail(r->err, "%s:%ld: extra text after the sizes", r->path, r->line);
    long sizes_line = r->line;
    int loss = word_of(r, "loss", loss_words);
    if (loss < 0)
        return -1;
    mf->loss.kind = (LossKind)loss;
    v = keyed(r, "delta");
    if (!v || !fb_parse_double(v, strlen(v), &mf->loss.delta) || !(mf->loss.delta > 0))
        return v ? fb_fail(r->err, "%s:%ld: delta must be a number > 0", r->path, r->line) : -1;
    size_t deg;
    if (count_of(r, "degree", PREP_MAX_DEGREE, &deg))
        return -1;
    if (deg < 1)
        return fb_fail(r->err, "%s:%ld: degree must be at least 1", r->path, r->line);
    mf->degree = (int)deg;
    int sc = word_of(r, "scale", scale_words);
    if (sc < 0)
        return -1;
    mf->scale = (ScaleKind)sc;
    if (count_of(r, "inputs", 10000000, &mf->ninputs) || names(r, "an input name", mf->ninputs, &mf->inputs))
        return -1;
    v = keyed(r, "target");
    if (!v || !(mf->target = fb_strdup(v, r->err)))
        return -1;
    if (count_of(r, "classes", 1000000, &mf->nclasses) || names(r, "a class name", mf->nclasses, &mf->classes))
        return -1;
    size_t d2;
    if (count_of(r, "shift", PREP_MAX_FEATURES, &mf->d))
        return -1;
    if (mf->d != sizes[0])
        return fb_fail(r->err, "%s:%ld: shift has %zu values but the model has %zu inputs", r->path, r->line, mf->d,
                       sizes[0]);
    mf->shift = fb_malloc(mf->d, sizeof(double), "the scaler", r->err);
    mf->scaleby = mf->shift ? fb_malloc(mf->d, sizeof(double), "the scaler", r->err) : NULL;
    if (!mf->scaleby || numbers(r, "shift value", mf->d, mf->shift) || count_of(r, "scaleby", PREP_MAX_FEATURES, &d2))
        return -1;
    if (d2 != mf->d)
        return fb_fail(r->err, "%s:%ld: scaleby has %zu values, shift had %zu", r->path, r->line, d2, mf->d);
    if (numbers(r, "scale value", mf->d, mf->scaleby))
        return -1;
    if (kind != MODEL_MLP && ns != 2)
        return fb_fail(r->err, "%s: model %s has one layer, but sizes lists %zu", r->path, kind_words[kind], ns - 1);
    /* Each parameter takes at least two bytes ("0\n"): a hand-edited width
     * must not make a tiny file allocate gigabytes before the count is
     * checked. */
    struct stat fst;
    if (fstat(fileno(r->fp), &fst) == 0 && S_ISREG(fst.st_mode)) {
        double need = 0;
        for (size_t i = 0; i + 1 < ns; i++)
            need += ((double)sizes[i] + 1) * (double)sizes[i + 1];
        if (need * 2 > (double)fst.st_size)
            return fb_fail(r->err, "%s:%ld: the sizes make %.0f parameters, more than the file can hold (%lld bytes)",
                           r->path, sizes_line, need, (long long)fst.st_size);
    }
    size_t hidden[MODEL_MAX_LAYERS];
    for (size_t i = 1; i + 1 < ns; i++)
        hidden[i - 1] = sizes[i];
    if (model_build(&mf->model, (ModelKind)kind, (Act)act, hidden, ns - 2, sizes[0], sizes[ns - 1], r->err)) {
        size_t ml = strlen(r->err->msg);
        snprintf(r->err->msg + ml, sizeof r->err->msg - ml, " (in %s)", r->path);
        return -1;
    }
    size_t np;
    if (count_of(r, "params", (size_t)1 << 40, &np))
        return -1;
    if (np != mf->model.nparams)
        return fb_fail(r->err, "%s:%ld: the sizes make %zu parameters, but the file says %zu", r->path, r->line,
                       mf->model.nparams, np);
    if (numbers(r, "parameter", np, mf->model.params))
        return -1;
    char *last = next_line(r, "end");
    if (!last)
        return -1;
    if (strcmp(last, "end") != 0)
        return fb_fail(r->err, "%s:%ld: expected 'end' after the %zu parameters", r->path, r->line, np);
    return 0;
}

int modelfile_read(const char *path, ModelFile *mf, FbErr *err)
{
    memset(mf, 0, sizeof *mf);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return fb_fail(err, "%s is a directory, not a model file", path);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return fb_fail(err, "cannot open %s: %s", path, strerror(errno));
    Reader r = {fp, path, 0, NULL, 0, err};
    int rc = parse(&r, mf);
    free(r.buf);
    fclose(fp);
    if (rc)
        modelfile_free(mf);
    return rc;
}
