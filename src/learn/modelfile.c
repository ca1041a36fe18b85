/* modelfile.c — a deployable model: made from a session, written as `fitbench-model 3`, predicting raw rows.
 * The reader is modelfile_read.c; docs/file-formats.md describes the format. */
#include "fitbench/modelfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/fileio.h"
#include "fitbench/strutil.h"
#include "fitbench/train.h"
#include "modelfile_words.h"

void modelfile_free(ModelFile *mf)
{
    model_free(&mf->model);
    schema_free(mf->schema);
    fb_free_strings(mf->inputs, mf->ninputs);
    fb_free_strings(mf->classes, mf->nclasses);
    free(mf->class_values);
    fb_free_strings(mf->features, mf->d);
    free(mf->shift);
    free(mf->scaleby);
    terms_unref(mf->terms);
    memset(mf, 0, sizeof *mf);
}

static char **copy_strings(char *const *src, size_t n, FbErr *err)
{
    char **v = fb_calloc(n ? n : 1, sizeof *v, "names", err);
    for (size_t i = 0; v && i < n; i++)
        if (!(v[i] = fb_strdup(src[i], err))) {
            fb_free_strings(v, n);
            return NULL;
        }
    return v;
}

static double *copy_doubles(const double *src, size_t n, FbErr *err)
{
    double *v = fb_malloc(n ? n : 1, sizeof *v, "numbers", err);
    if (v)
        memcpy(v, src, n * sizeof *v);
    return v;
}

/* The input names from the schema (ninputs set). */
int modelfile_name_inputs(ModelFile *mf, FbErr *err)
{
    mf->ninputs = schema_features(mf->schema);
    if (!(mf->inputs = fb_calloc(mf->ninputs ? mf->ninputs : 1, sizeof *mf->inputs, "input names", err)))
        return -1;
    for (size_t j = 0; j < mf->ninputs; j++) {
        char buf[4096];
        if (!(mf->inputs[j] = fb_strdup(schema_feature_name(mf->schema, j, buf, sizeof buf), err)))
            return -1;
    }
    return 0;
}

int modelfile_from(ModelFile *mf, const Model *m, const LossCfg *loss, const Prepared *p, FbErr *err)
{
    memset(mf, 0, sizeof *mf);
    const Dataset *ds = p->ds;
    mf->version = 3;
    mf->loss = *loss;
    mf->scale = p->spec.scale;
    mf->d = p->d;
    for (size_t i = 0; i < m->nparams; i++)
        if (!isfinite(m->params[i]))
            return fb_fail(err, "parameter %zu of %zu is %s: a model with non-finite parameters cannot be "
                           "saved (reset, lower the learning rate and train again)", i + 1, m->nparams,
                           isnan(m->params[i]) ? "NaN" : "infinite");
    if (p->d > MODELFILE_MAX_WIDTH || ds->nclasses > MODELFILE_MAX_CLASSES)
        return fb_fail(err, "the model is too wide to save (%zu inputs, %zu classes; at most %d and %d)", p->d,
                       ds->nclasses, MODELFILE_MAX_WIDTH, MODELFILE_MAX_CLASSES);
    mf->terms = terms_ref(p->spec.terms);
    if (model_clone(&mf->model, m, err))
        goto fail;
    mf->schema = ds->schema ? schema_copy(ds->schema, err) : schema_from_dataset(ds, err);
    if (!mf->schema || modelfile_name_inputs(mf, err))
        goto fail;
    if (mf->ninputs != ds->d) {
        fb_fail(err, "internal: the column layout makes %zu features, the data has %zu", mf->ninputs, ds->d);
        goto fail;
    }
    mf->nclasses = ds->nclasses;
    if (!(mf->classes = copy_strings(ds->class_names, ds->nclasses, err)))
        goto fail;
    if (ds->class_values && !(mf->class_values = copy_doubles(ds->class_values, ds->nclasses, err)))
        goto fail;
    if (!(mf->features = copy_strings(p->names, p->d, err)) || !(mf->shift = copy_doubles(p->shift, p->d, err)) ||
        !(mf->scaleby = copy_doubles(p->scale, p->d, err)))
        goto fail;
    return 0;
fail:
    modelfile_free(mf);
    return -1;
}

static void put(FILE *fp, double v)
{
    char b[40];
    fputs(fb_fmt(b, sizeof b, v, 17), fp);
    fputc('\n', fp);
}

/* A name on its own line: backslash, newline and carriage return escaped (\\ \n \r). */
static void put_name(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", fp);
        else if (*s == '\n')
            fputs("\\n", fp);
        else if (*s == '\r')
            fputs("\\r", fp);
        else
            fputc(*s, fp);
    }
    fputc('\n', fp);
}

/* "terms N" and N terms in the x0, x1, ... form term_parse reads (N = 0: the inputs as they are). */
static void put_terms(FILE *fp, const Terms *t)
{
    fprintf(fp, "terms %zu\n", t ? t->n : 0);
    for (size_t j = 0; t && j < t->n; j++) {
        char b[256];
        term_name(&t->t[j], NULL, b, sizeof b);
        put_name(fp, b);
    }
}

static void put_columns(FILE *fp, const RawSchema *s)
{
    fprintf(fp, "missing %s\nsep %s\ndecimal %s\ncolumns %zu\n", missing_words[s->missing],
            s->sep == '\t' ? "tab" : s->sep == ';' ? "semicolon" : "comma", s->decimal == ',' ? "comma" : "point",
            s->ncols);
    for (size_t c = 0; c < s->ncols; c++) {
        const RawColumn *col = &s->col[c];
        if (col->role == RAW_ONEHOT)
            fprintf(fp, "onehot %zu ", col->nvalues);
        else
            fprintf(fp, "%s ", role_words[col->role]);
        put_name(fp, col->name);
        for (size_t v = 0; col->role == RAW_ONEHOT && v < col->nvalues; v++)
            put_name(fp, col->values[v]);
        size_t nf = col->role == RAW_ONEHOT ? col->nvalues : 1;
        if (col->fill) {
            fprintf(fp, "fill %zu\n", nf);
            for (size_t v = 0; v < nf; v++)
                put(fp, col->fill[v]);
        }
    }
    fprintf(fp, "targets %zu", s->ntargets);
    for (size_t k = 0; k < s->ntargets; k++)
        fprintf(fp, " %zu", s->target_order[k]);
    fputc('\n', fp);
}

int modelfile_save(const char *path, const ModelFile *mf, FbErr *err)
{
    AtomicFile af;
    if (atomic_open(&af, path, err))
        return -1;
    FILE *fp = af.fp;
    const Model *m = &mf->model;
    fprintf(fp, "fitbench-model 3\n# numbers are %%.17g in the C locale; see docs/file-formats.md\n");
    fprintf(fp, "model %s\nact %s\nsizes %zu", model_kind_names[m->kind], act_names[m->act], m->nlayers + 1);
    for (size_t l = 0; l <= m->nlayers; l++)
        fprintf(fp, " %zu", m->sizes[l]);
    fprintf(fp, "\nloss %s\ndelta ", loss_names[mf->loss.kind]);
    put(fp, mf->loss.delta);
    if (mf->loss.l1 != 0 || mf->loss.l2 != 0) { /* only when set: files without penalties stay as they were */
        fprintf(fp, "l1 ");
        put(fp, mf->loss.l1);
        fprintf(fp, "l2 ");
        put(fp, mf->loss.l2);
    }
    put_columns(fp, mf->schema);
    fprintf(fp, "classes %zu\n", mf->nclasses);
    for (size_t c = 0; c < mf->nclasses; c++)
        put_name(fp, mf->classes[c]);
    fprintf(fp, "class_values %zu\n", mf->class_values ? mf->nclasses : 0);
    for (size_t c = 0; mf->class_values && c < mf->nclasses; c++)
        put(fp, mf->class_values[c]);
    put_terms(fp, mf->terms);
    fprintf(fp, "scale %s\nfeatures %zu\n", scale_names[mf->scale], mf->d);
    for (size_t j = 0; j < mf->d; j++)
        put_name(fp, mf->features ? mf->features[j] : "");
    fprintf(fp, "shift %zu\n", mf->d);
    for (size_t j = 0; j < mf->d; j++)
        put(fp, mf->shift[j]);
    fprintf(fp, "scaleby %zu\n", mf->d);
    for (size_t j = 0; j < mf->d; j++)
        put(fp, mf->scaleby[j]);
    fprintf(fp, "params %zu\n", m->nparams);
    for (size_t i = 0; i < m->nparams; i++)
        put(fp, m->params[i]);
    fprintf(fp, "end\n");
    return atomic_commit(&af, err);
}

int modelfile_write(const char *path, const Model *m, const LossCfg *loss, const Prepared *p, FbErr *err)
{
    ModelFile mf;
    if (modelfile_from(&mf, m, loss, p, err))
        return -1;
    int rc = modelfile_save(path, &mf, err);
    modelfile_free(&mf);
    return rc;
}

ModelFile *modelfile_dup(const ModelFile *src, FbErr *err)
{
    ModelFile *mf = fb_calloc(1, sizeof *mf, "a model", err);
    if (!mf)
        return NULL;
    *mf = *src;
    mf->refs = 1;
    terms_ref(mf->terms);
    mf->schema = NULL;
    mf->inputs = mf->classes = mf->features = NULL;
    mf->class_values = mf->shift = mf->scaleby = NULL;
    memset(&mf->model, 0, sizeof mf->model);
    if (model_clone(&mf->model, &src->model, err) || !(mf->schema = schema_copy(src->schema, err)) ||
        !(mf->inputs = copy_strings(src->inputs, src->ninputs, err)) ||
        !(mf->classes = copy_strings(src->classes, src->nclasses, err)) ||
        (src->class_values && !(mf->class_values = copy_doubles(src->class_values, src->nclasses, err))) ||
        (src->features && !(mf->features = copy_strings(src->features, src->d, err))) ||
        !(mf->shift = copy_doubles(src->shift, src->d, err)) || !(mf->scaleby = copy_doubles(src->scaleby, src->d, err))) {
        modelfile_free(mf);
        free(mf);
        return NULL;
    }
    return mf;
}

ModelFile *modelfile_ref(ModelFile *mf)
{
    if (mf)
        mf->refs++;
    return mf;
}

void modelfile_unref(ModelFile *mf)
{
    if (mf && --mf->refs <= 0) {
        modelfile_free(mf);
        free(mf);
    }
}

int modelfile_predict(const ModelFile *mf, const double *X, size_t n, double *Z, FbErr *err)
{
    if (n == 0)
        return 0;
    double *E = fb_malloc(n, mf->d * sizeof *E, "the expanded rows", err);
    if (!E)
        return -1;
    /* prep_transform reads only the raw width, the expansion and the scaler:
     * a view of the file's (it does not write through these pointers). */
    Dataset raw = {.d = mf->ninputs};
    Prepared view = {.ds = &raw, .d = mf->d, .shift = (double *)mf->shift, .scale = (double *)mf->scaleby};
    view.spec.terms = mf->terms;
    view.spec.scale = mf->scale;
    TrainWork w;
    memset(&w, 0, sizeof w);
    int rc = prep_transform(&view, X, n, E, err) ? -1 : train_predict(&mf->model, E, n, Z, &w, err);
    train_work_free(&w);
    free(E);
    return rc;
}

size_t modelfile_outputs(const ModelFile *mf)
{
    return mf->model.sizes[mf->model.nlayers];
}

bool modelfile_is_classifier(const ModelFile *mf)
{
    LossKind k = mf->loss.kind;
    return k == LOSS_CE || k == LOSS_BCE || k == LOSS_HINGE;
}

size_t modelfile_class(const ModelFile *mf, const double *z)
{
    size_t k = modelfile_outputs(mf);
    if (k == 1)
        return z[0] > 0;
    size_t best = 0; /* torch.argmax: NaN counts as the maximum; ties keep the first */
    for (size_t j = 1; j < k && !isnan(z[best]); j++)
        if (z[j] > z[best] || isnan(z[j]))
            best = j;
    return best;
}

bool modelfile_proba(const ModelFile *mf, const double *z, double *p)
{
    size_t k = modelfile_outputs(mf);
    if (mf->loss.kind == LOSS_BCE) {
        double e = exp(-fabs(z[0])); /* stable: never exp of a large positive number */
        p[1] = z[0] >= 0 ? 1 / (1 + e) : e / (1 + e);
        p[0] = z[0] >= 0 ? e / (1 + e) : 1 / (1 + e);
        return true;
    }
    if (mf->loss.kind != LOSS_CE)
        return false;
    double mx = z[0], sum = 0;
    for (size_t j = 1; j < k; j++)
        mx = fmax(mx, z[j]);
    for (size_t j = 0; j < k; j++)
        sum += (p[j] = exp(z[j] - mx));
    for (size_t j = 0; j < k; j++)
        p[j] /= sum;
    return true;
}

long modelfile_class_named(const ModelFile *mf, const char *cell)
{
    for (size_t c = 0; c < mf->nclasses; c++)
        if (strcmp(mf->classes[c], cell) == 0)
            return (long)c;
    double v;
    if (mf->class_values && fb_parse_double(cell, strlen(cell), &v))
        for (size_t c = 0; c < mf->nclasses; c++)
            if (mf->class_values[c] == v)
                return (long)c;
    return -1;
}
