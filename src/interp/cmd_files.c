/* cmd_files.c — save model|weights|history|plot|session, load model|weights. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/command.h"
#include "fitbench/fileio.h"
#include "fitbench/modelfile.h"
#include "fitbench/npy.h"
#include "fitbench/plotview.h"
#include "fitbench/strutil.h"
#include "fitbench/svg.h"

int cmd_load_model(Interp *it, Args *a, const Tok *path, FbErr *err);
int cmd_load_weights(Interp *it, Args *a, const Tok *path, FbErr *err);

void cmd_weight_name(char *buf, size_t size, const char *dir, const Model *m, size_t layer, char which)
{
    if (m->nlayers == 1)
        snprintf(buf, size, "%s/%c.npy", dir, which);
    else
        snprintf(buf, size, "%s/%c%zu.npy", dir, which, layer + 1);
}

/* Replace every occurrence of `from` in err's message by `to`. */
static void err_rename(FbErr *err, const char *from, const char *to)
{
    char out[sizeof err->msg];
    size_t lf = strlen(from), n = 0;
    for (const char *p = err->msg; *p && n + 1 < sizeof out;) {
        if (lf && strncmp(p, from, lf) == 0) {
            n += (size_t)snprintf(out + n, sizeof out - n, "%s", to);
            if (n >= sizeof out)
                n = sizeof out - 1;
            p += lf;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    memcpy(err->msg, out, n + 1);
}

/* Move the staged files of m into dir, all or none: each old file is first
 * renamed aside into the stage (name + "~"), then the new one renamed in; if
 * any rename fails, every file moved so far is put back as it was.  A name
 * in dir that is not a regular file (a folder, say) is refused before
 * anything moves. */
static int swap_in(const Model *m, const char *stage, const char *dir, FbErr *err)
{
    size_t nf = 2 * m->nlayers, i;
    char from[4200], to[4200], old[4210];
    struct stat st;
    for (i = 0; i < nf; i++) {
        cmd_weight_name(to, sizeof to, dir, m, i / 2, i % 2 ? 'b' : 'W');
        if (lstat(to, &st) == 0 && !S_ISREG(st.st_mode))
            return fb_fail(err, "cannot write %s: it is not a regular file; nothing saved", to);
    }
    bool had[2 * MODEL_MAX_LAYERS] = {false};
    int rc = 0;
    for (i = 0; i < nf && !rc; i++) {
        cmd_weight_name(from, sizeof from, stage, m, i / 2, i % 2 ? 'b' : 'W');
        cmd_weight_name(to, sizeof to, dir, m, i / 2, i % 2 ? 'b' : 'W');
        snprintf(old, sizeof old, "%s~", from);
        had[i] = lstat(to, &st) == 0;
        if ((had[i] && rename(to, old) != 0) || rename(from, to) != 0) {
            rc = fb_fail(err, "cannot write %s: %s; nothing saved (the folder is as it was)", to, strerror(errno));
            if (had[i] && lstat(to, &st) != 0)
                rename(old, to); /* this file's old version back */
            break;
        }
    }
    /* On failure, undo files [0, i) in reverse; on success, drop the old versions. */
    for (size_t j = rc ? i : nf; j-- > 0;) {
        cmd_weight_name(from, sizeof from, stage, m, j / 2, j % 2 ? 'b' : 'W');
        cmd_weight_name(to, sizeof to, dir, m, j / 2, j % 2 ? 'b' : 'W');
        snprintf(old, sizeof old, "%s~", from);
        if (!rc)
            unlink(old);
        else if (had[j])
            rename(old, to);
        else
            unlink(to);
    }
    return rc;
}

/* All or nothing: the files are written (each atomically) into a staging
 * folder inside dir, and renamed into place only when every one of them
 * was written, so a full disk never leaves a folder that mixes the layers
 * of two models.  Messages name the final paths. */
static int save_weights(Interp *it, const char *dir, FbErr *err)
{
    const Model *m = &it->s->ts.model;
    if (ensure_dir(dir, err))
        return -1;
    char stage[4096];
    if ((size_t)snprintf(stage, sizeof stage, "%s/.saving.XXXXXX", dir) >= sizeof stage)
        return fb_fail(err, "cannot write %s: the name is too long", dir);
    if (!mkdtemp(stage))
        return fb_fail(err, "cannot write %s: %s", dir, strerror(errno));
    int rc = 0;
    char from[4200]; /* stage plus "/W15.npy" */
    for (size_t l = 0; l < m->nlayers && !rc; l++) {
        size_t shape[2] = {m->sizes[l + 1], m->sizes[l]};
        cmd_weight_name(from, sizeof from, stage, m, l, 'W');
        rc = npy_write(from, m->params + m->woff[l], 2, shape, err);
        cmd_weight_name(from, sizeof from, stage, m, l, 'b');
        if (!rc)
            rc = npy_write(from, m->params + m->boff[l], 1, shape, err);
    }
    if (rc)
        err_rename(err, stage, dir);
    if (!rc)
        rc = swap_in(m, stage, dir, err);
    for (size_t l = 0; l < m->nlayers; l++)
        for (int k = 0; k < 2; k++) {
            cmd_weight_name(from, sizeof from, stage, m, l, k ? 'b' : 'W');
            unlink(from); /* whatever was not moved */
        }
    rmdir(stage);
    if (rc)
        return -1;
    sink_printf(it->out, "saved %zu layer%s to %s/\n", m->nlayers, m->nlayers == 1 ? "" : "s", dir);
    return 0;
}

int cmd_load_weights(Interp *it, Args *a, const Tok *path, FbErr *err)
{
    Session *s = it->s;
    if (session_need_model(s, err))
        return -1;
    Model *m = &s->ts.model;
    struct stat st;
    if (stat(path->text, &st) != 0 || !S_ISDIR(st.st_mode))
        return fb_fail_at(err, path->col, "%s is not a folder of .npy files (save weights DIR makes one)", path->text);
    /* Read everything first: a failure leaves the parameters untouched. */
    double *staged = fb_malloc(m->nparams, sizeof *staged, "the weights", err);
    if (!staged)
        return -1;
    for (size_t l = 0; l < m->nlayers; l++) {
        for (int wb = 0; wb < 2; wb++) {
            char file[4200];
            cmd_weight_name(file, sizeof file, path->text, m, l, wb ? 'b' : 'W');
            double *data;
            size_t ndim, shape[2];
            if (npy_read(file, &data, &ndim, shape, err)) {
                free(staged);
                err->col = path->col;
                return -1;
            }
            size_t rows = m->sizes[l + 1], cols = m->sizes[l], want[2] = {rows, cols};
            bool ok = wb ? (ndim == 1 && shape[0] == rows) : (ndim == 2 && shape[0] == rows && shape[1] == cols);
            size_t count = ok ? (wb ? rows : rows * cols) : 0, bad = count;
            for (size_t i = 0; i < count && bad == count; i++)
                if (!isfinite(data[i]))
                    bad = i;
            if (!ok || bad < count) {
                char has[64], needs[64];
                if (!ok)
                    fb_fail_at(err, path->col, "%s has shape %s (%zu dimension%s), the model needs %s", file,
                               npy_shape_text(has, sizeof has, shape, ndim), ndim, ndim == 1 ? "" : "s",
                               npy_shape_text(needs, sizeof needs, want, wb ? 1 : 2));
                else
                    fb_fail_at(err, path->col, "%s holds %s at index %zu: weights must be finite numbers; nothing "
                               "loaded", file, isnan(data[bad]) ? "NaN" : "an infinity", bad);
                free(data);
                free(staged);
                return -1;
            }
            memcpy(staged + (wb ? m->boff[l] : m->woff[l]), data, (wb ? rows : rows * cols) * sizeof(double));
            free(data);
        }
    }
    memcpy(m->params, staged, m->nparams * sizeof(double));
    free(staged);
    /* New weights start a new run: fresh optimizer, schedule and history. */
    if (session_fresh_optim(s, err) || session_new_run(s, err))
        return -1;
    sink_printf(it->out, "loaded %zu parameters from %s/\n", m->nparams, path->text);
    return 0;
}

/* Does the loaded data fit model file mf: the same feature columns (one-hot
 * vocabularies included), targets and, for a classifier, classes?  NULL when
 * it does, else a message in buf. */
static const char *data_mismatch(const Dataset *ds, const ModelFile *mf, const char *path, char *buf, size_t size)
{
    const RawSchema *sc = mf->schema;
    if (mf->ninputs != ds->d) {
        snprintf(buf, size, "%s was made for %zu feature columns; the data has %zu", path, mf->ninputs, ds->d);
        return buf;
    }
    for (size_t j = 0; j < ds->d; j++)
        if (strcmp(mf->inputs[j], ds->names[j]) != 0) {
            snprintf(buf, size, "%s expects feature %zu to be '%s', the data has '%s'", path, j + 1,
                     FB_SHOWN(mf->inputs[j]), FB_SHOWN(ds->names[j]));
            return buf;
        }
    if (sc->ntargets != ds->ny) {
        snprintf(buf, size, "%s was made for %zu target column%s; the data has %zu", path, sc->ntargets,
                 sc->ntargets == 1 ? "" : "s", ds->ny);
        return buf;
    }
    for (size_t t = 0; t < ds->ny; t++)
        if (strcmp(sc->col[sc->target_order[t]].name, ds->ynames[t]) != 0) {
            snprintf(buf, size, "%s predicts '%s', the data's target is '%s'", path,
                     FB_SHOWN(sc->col[sc->target_order[t]].name), FB_SHOWN(ds->ynames[t]));
            return buf;
        }
    if (!modelfile_is_classifier(mf))
        return NULL;
    bool same = mf->nclasses == ds->nclasses;
    for (size_t c = 0; same && c < ds->nclasses; c++)
        same = strcmp(mf->classes[c], ds->class_names[c]) == 0 &&
               (!mf->class_values || !ds->class_values || mf->class_values[c] == ds->class_values[c]);
    if (!same) {
        snprintf(buf, size, "%s knows %zu classes (%s%s...), the data's target '%s' has %zu (%s%s...)", path,
                 mf->nclasses, mf->nclasses ? FB_SHOWN(mf->classes[0]) : "", mf->nclasses > 1 ? ", " : "",
                 FB_SHOWN(ds->ynames[0]), ds->nclasses, ds->nclasses ? FB_SHOWN(ds->class_names[0]) : "",
                 ds->nclasses > 1 ? ", " : "");
        return buf;
    }
    return NULL;
}

/* The session's prepared data with the model file's scaler instead of the
 * statistics of this data: the same split and expansion, unscaled, then
 * x' = (x - shift) / scaleby as prep_transform computes it, so a split's
 * predictions equal the raw rows' bit for bit.  The new Prepared is not
 * shared yet when its buffers are filled.  Fails on out of memory. */
static int prep_with_scaler(Session *s, const ModelFile *mf, Prepared **out, FbErr *err)
{
    PrepSpec raw = s->prep_spec;
    raw.scale = SCALE_NONE;
    Prepared *p;
    if (prep_build(s->data, &raw, &p, err))
        return -1;
    Part *parts[3] = {&p->train, &p->val, &p->test};
    for (int i = 0; i < 3; i++) {
        Part *q = parts[i];
        double *X = fb_malloc(q->n ? q->n : 1, p->d * sizeof *X, "the scaled data", err);
        if (!X) {
            prep_unref(p);
            return -1;
        }
        for (size_t r = 0; r < q->n; r++)
            for (size_t j = 0; j < p->d; j++)
                X[r * p->d + j] = (q->X[r * p->d + j] - mf->shift[j]) / mf->scaleby[j];
        if (p->owns_x)
            free(q->X);
        q->X = X;
    }
    if (!p->owns_x) { /* the identity case aliased the dataset: the copies are its own now */
        p->owns_x = true;
    }
    memcpy(p->shift, mf->shift, p->d * sizeof *p->shift);
    memcpy(p->scale, mf->scaleby, p->d * sizeof *p->scale);
    p->spec.scale = mf->scale;
    *out = p;
    return 0;
}

/* load model over loaded data: the model, its loss and preprocessing, and its own scaler. */
static int install_model(Interp *it, ModelFile *mf, const Tok *path, FbErr *err)
{
    Session *s = it->s;
    PrepSpec ps = s->prep_spec;
    ps.terms = mf->terms;
    ps.degree = terms_poly_degree(mf->terms);
    ps.scale = mf->scale;
    ModelSpec ms = s->mspec;
    ms.set = true;
    ms.kind = mf->model.kind;
    ms.act = mf->model.act;
    ms.nhidden = mf->model.nlayers - 1;
    for (size_t l = 0; l + 1 < mf->model.nlayers; l++)
        ms.hidden[l] = mf->model.sizes[l + 1];
    if (session_set_specs(s, &ps, &ms, &mf->loss, err))
        return -1;
    if (s->ts.model.nparams != mf->model.nparams || s->prep->d != mf->d)
        return fb_fail_at(err, path->col, "%s does not fit this data (%zu parameters, the data makes %zu)",
                          path->text, mf->model.nparams, s->ts.model.nparams);
    Prepared *p;
    if (prep_with_scaler(s, mf, &p, err))
        return -1;
    session_set_prepared(s, p);
    memcpy(s->ts.model.params, mf->model.params, mf->model.nparams * sizeof(double));
    return session_new_run(s, err);
}

int cmd_load_model(Interp *it, Args *a, const Tok *path, FbErr *err)
{
    Session *s = it->s;
    ModelFile mf;
    if (modelfile_read(path->text, &mf, err)) {
        err->col = path->col;
        return -1;
    }
    int rc = -1;
    char buf[700];
    const char *why = s->data ? data_mismatch(s->data, &mf, path->text, buf, sizeof buf) : NULL;
    if (why) {
        fb_fail_at(err, path->col, "%s: nothing changed (load the data it was made for, or train a new model)",
                   why);
    } else if (s->data) {
        rc = install_model(it, &mf, path, err);
        if (!rc)
            sink_printf(it->out, "loaded model %s (%zu parameters, with its own scaling statistics) from %s\n",
                        model_kind_name(mf.model.kind), mf.model.nparams, path->text);
    } else {
        ModelFile *dup = modelfile_dup(&mf, err);
        if (dup) {
            session_deploy(s, dup);
            rc = 0;
            sink_printf(it->out, "loaded model %s (%zu parameters) from %s: predict V1,V2,... or predict FILE.csv "
                                 "reads rows as in the original CSV (%zu columns)\n",
                        model_kind_name(mf.model.kind), mf.model.nparams, path->text, mf.schema->ncols);
        }
    }
    modelfile_free(&mf);
    return rc;
}

static int save_session(Interp *it, const char *path, FbErr *err)
{
    const Session *s = it->s;
    SinkBuffer b = {0};
    Sink bs = sink_buffer(&b);
    sink_printf(&bs, "# fitbench session: replaying this file rebuilds the state it was saved from\n");
    if (s->set.seed)
        sink_printf(&bs, "set seed=%llu\n", (unsigned long long)s->set.seed);
    for (size_t i = 0; i < s->nlog; i++)
        sink_printf(&bs, "%s\n", s->log[i]);
    int rc = b.lost ? fb_oom(err, "the session file", b.len) : atomic_write_file(path, b.data, b.len, err);
    sink_buffer_free(&b);
    if (!rc)
        sink_printf(it->out, "saved %zu commands to %s\n", s->nlog, path);
    return rc;
}

static int save_plot(Interp *it, Args *a, const char *path, FbErr *err)
{
    long w = 800, h = 500;
    args_long(a, "width", &w);
    args_long(a, "height", &h);
    PlotView pv;
    if (plotview_build(it->s, &pv, err))
        return -1;
    int rc = pv.net    ? netplot_svg_write(&pv.np, path, (int)w, (int)h, err)
             : pv.heat ? svg_write_heat(&pv.hc, path, (int)w, (int)h, err)
                       : svg_write_chart(&pv.chart, path, (int)w, (int)h, err);
    plotview_free(&pv);
    if (!rc)
        sink_printf(it->out, "saved the %s plot to %s\n", it->s->plot, path);
    return rc;
}

int cmd_save(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[2];
    args_positional(a, pos, 2); /* a save_w word and a path: command_run checked */
    const char *what = pos[0]->text, *path = pos[1]->text;
    Session *s = it->s;
    int rc;
    if ((args_opt(a, "width") || args_opt(a, "height")) && strcmp(what, "plot") != 0)
        return fb_fail_at(err, (args_opt(a, "width") ? args_opt(a, "width") : args_opt(a, "height"))->col,
                          "width= and height= are for save plot");
    if (args_opt(a, "ddp") && strcmp(what, "torch") != 0)
        return fb_fail_at(err, args_opt(a, "ddp")->col, "ddp= is for save torch");
    if (strcmp(what, "session") == 0)
        rc = save_session(it, path, err);
    else if (strcmp(what, "model") == 0 && !s->data && s->deployed) {
        rc = modelfile_save(path, s->deployed, err); /* the loaded model, written again */
        if (!rc)
            sink_printf(it->out, "saved model %s to %s\n", model_kind_name(s->deployed->model.kind), path);
    }
    else if (strcmp(what, "plot") == 0)
        rc = save_plot(it, a, path, err);
    else if (strcmp(what, "torch") == 0 || strcmp(what, "sklearn") == 0)
        rc = cmd_save_script(it, a, pos[0], pos[1], err);
    else if (session_need_model(s, err))
        rc = -1;
    else if (strcmp(what, "weights") == 0)
        rc = save_weights(it, path, err);
    else if (strcmp(what, "history") == 0) {
        rc = history_save_csv(&s->ts.hist, path, err);
        if (!rc)
            sink_printf(it->out, "saved %zu rows to %s\n", s->ts.hist.n, path);
    } else {
        rc = modelfile_write(path, &s->ts.model, &s->setup.loss, s->prep, err);
        if (!rc)
            sink_printf(it->out, "saved model %s to %s\n", model_kind_name(s->ts.model.kind), path);
    }
    if (rc && !err->col)
        err->col = pos[1]->col;
    return rc;
}
