/* cmd_predict.c — predict: a split's rows against their targets, or raw rows (one on the command line, or a
 * CSV file) through the deployable model (modelfile.h): the session's trained model or one loaded with
 * `load model`.  Classifiers name the class and give each class's probability. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/command.h"
#include "fitbench/csv_rows.h"
#include "fitbench/fileio.h"
#include "fitbench/modelfile.h"
#include "fitbench/strutil.h"

enum { BATCH = 4096 }; /* raw rows encoded and predicted at a time */

/* Where the predictions go: the terminal (the first nshow rows) and, with
 * out=, every row to a CSV file written atomically. */
typedef struct Out {
    Interp *it;
    const ModelFile *mf;
    AtomicFile af;
    SinkFile sf;      /* af.fp as a sink's file */
    bool file;
    size_t nshow, rows;
    bool with_target, cls, proba;
    size_t k;          /* model outputs */
    double *p;         /* nclasses probabilities */
} Out;

/* The session's trained model as a ModelFile (in *local), else the loaded one. */
static int predictor(Interp *it, ModelFile *local, const ModelFile **out, FbErr *err)
{
    Session *s = it->s;
    memset(local, 0, sizeof *local);
    if (s->data && s->mspec.set) {
        if (session_need_model(s, err) || modelfile_from(local, &s->ts.model, &s->setup.loss, s->prep, err))
            return -1;
        *out = local;
        return 0;
    }
    if (s->deployed) {
        *out = s->deployed;
        return 0;
    }
    *out = NULL;
    if (s->data)
        return fb_fail(err, "no model yet: choose one with 'model linear' (or logistic, softmax, mlp), or load a "
                            "saved one (load model PATH)");
    return fb_fail(err, "no model yet: train one (load DATA, model linear, train) or load a saved one "
                        "(load model PATH)");
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void put_field(Sink *o, bool first, const char *s)
{
    if (!first)
        sink_printf(o, ",");
    if (!strpbrk(s, ",\"\r\n")) {
        sink_printf(o, "%s", s);
        return;
    }
    sink_printf(o, "\"");
    for (; *s; s++)
        sink_printf(o, *s == '"' ? "\"\"" : "%c", *s);
    sink_printf(o, "\"");
}

static const char *target_name(const ModelFile *mf, size_t t)
{
    return mf->schema->col[mf->schema->target_order[t]].name;
}

static void file_header(Out *o, Sink *f)
{
    const ModelFile *mf = o->mf;
    size_t nt = mf->schema->ntargets;
    bool first = true;
    char buf[600];
    for (size_t t = 0; o->with_target && t < nt; t++, first = false)
        put_field(f, first, target_name(mf, t));
    for (size_t t = 0; t < (o->cls ? 1 : nt); t++, first = false) {
        snprintf(buf, sizeof buf, "predicted_%s", target_name(mf, t));
        put_field(f, first, buf);
    }
    for (size_t c = 0; o->proba && c < mf->nclasses; c++) {
        snprintf(buf, sizeof buf, "p_%s", mf->classes[c]);
        put_field(f, false, buf);
    }
    if (o->cls && !o->proba)
        put_field(f, false, "score");
    sink_printf(f, "\n");
}

static void terminal_header(Out *o)
{
    Sink *t = o->it->out;
    sink_printf(t, "%5s  %-14s", "row", "prediction");
    if (o->with_target)
        sink_printf(t, " %-14s", "target");
    for (size_t c = 0; o->proba && c < o->mf->nclasses; c++)
        sink_printf(t, " p(%s)", FB_SHOWN(o->mf->classes[c]));
    sink_printf(t, "\n");
}

/* One row's output: tcell the target texts (or NULL), z its logits. */
static void emit(Out *o, const char *const *tcell, const double *z)
{
    const ModelFile *mf = o->mf;
    size_t nt = mf->schema->ntargets;
    char nb[40];
    if (o->cls && o->proba)
        modelfile_proba(mf, z, o->p);
    const char *cls_name = o->cls ? mf->classes[modelfile_class(mf, z)] : NULL;
    if (o->file) {
        Sink f = sink_file(&o->sf);
        bool first = true;
        for (size_t t = 0; o->with_target && t < nt; t++, first = false)
            put_field(&f, first, tcell[t] ? tcell[t] : "");
        if (o->cls)
            put_field(&f, first, cls_name);
        for (size_t j = 0; !o->cls && j < o->k; j++, first = false)
            put_field(&f, first, fb_fmt(nb, sizeof nb, z[j], 17));
        for (size_t c = 0; o->cls && c < (o->proba ? mf->nclasses : 1); c++)
            put_field(&f, false, fb_fmt(nb, sizeof nb, o->proba ? o->p[c] : z[0], 17));
        sink_printf(&f, "\n");
    }
    if (o->rows < o->nshow) {
        Interp *it = o->it;
        sink_printf(it->out, "%5zu  ", o->rows);
        if (o->cls)
            sink_printf(it->out, "%-14s", FB_SHOWN(cls_name));
        for (size_t j = 0; !o->cls && j < o->k; j++)
            sink_printf(it->out, "%s%-14s", j ? " " : "", NUM(it, z[j]));
        double v;
        char vb[40];
        const char *tv = tcell[0] ? tcell[0] : "";
        if (o->with_target && !o->cls && fb_parse_double(tv, strlen(tv), &v))
            tv = num(it, vb, sizeof vb, v); /* a number as the session prints numbers */
        if (o->with_target)
            sink_printf(it->out, " %-14s", FB_SHOWN(tv));
        for (size_t c = 0; o->proba && c < mf->nclasses; c++)
            sink_printf(it->out, " %s", NUM(it, o->p[c]));
        sink_printf(it->out, "\n");
    }
    o->rows++;
}

static int out_open(Out *o, Interp *it, const ModelFile *mf, const char *path, bool with_target, long nshow,
                    FbErr *err)
{
    memset(o, 0, sizeof *o);
    o->it = it;
    o->mf = mf;
    o->nshow = (size_t)nshow;
    o->with_target = with_target;
    o->k = modelfile_outputs(mf);
    o->cls = modelfile_is_classifier(mf);
    o->proba = o->cls && mf->loss.kind != LOSS_HINGE;
    if (o->cls && !(o->p = fb_malloc(mf->nclasses, sizeof *o->p, "probabilities", err)))
        return -1;
    if (path) {
        if (atomic_open(&o->af, path, err)) {
            free(o->p);
            return -1;
        }
        o->file = true;
        o->sf = (SinkFile){o->af.fp, 0};
        Sink f = sink_file(&o->sf);
        file_header(o, &f);
    }
    if (o->nshow)
        terminal_header(o);
    return 0;
}

/* Commit (ok) or abandon the output file; free o. */
static int out_close(Out *o, bool ok, FbErr *err)
{
    free(o->p);
    if (!o->file)
        return ok ? 0 : -1;
    if (!ok) {
        atomic_abort(&o->af);
        return -1;
    }
    return atomic_commit(&o->af, err);
}

/* Encode and predict rows[0..n) (X is (n, ninputs) already encoded), then emit them. */
static int flush(Out *o, const double *X, size_t n, char **tcells, double *Z, FbErr *err)
{
    if (modelfile_predict(o->mf, X, n, Z, err))
        return -1;
    size_t nt = o->mf->schema->ntargets;
    for (size_t i = 0; i < n; i++)
        emit(o, (const char *const *)(tcells + i * nt), Z + i * o->k);
    return 0;
}

/* A classifier's target cell must name a class (an empty cell: no target). */
static int check_class(const ModelFile *mf, const char *cell, FbErr *err)
{
    if (!modelfile_is_classifier(mf) || !cell || !cell[0] || modelfile_class_named(mf, cell) >= 0)
        return 0;
    char list[400];
    size_t used = 0;
    list[0] = '\0';
    for (size_t c = 0; c < mf->nclasses && c < 8 && used < sizeof list; c++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", c ? ", " : "", mf->classes[c]);
    return fb_fail(err, "column '%s': unknown class '%s' (the model knows %s%s)", target_name(mf, 0),
                   FB_SHOWN(cell), list, mf->nclasses > 8 ? ", ..." : "");
}

/* err's message prefixed with where it happened (a file's row; nothing for the command-line row). */
static int prefix(FbErr *err, const char *where, const char *what, unsigned long line, bool one)
{
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    if (one)
        return fb_fail(err, "%s", msg);
    return fb_fail(err, "%s: %s %lu: %s", where, what, line, msg);
}

/* The command-line row's prediction on one line: the class and its
 * probabilities, or the value(s); then the target when the row had one. */
static void print_one(Interp *it, Out *o, char *const *tc, const double *z)
{
    const ModelFile *mf = o->mf;
    if (o->cls) {
        sink_printf(it->out, "%s", FB_SHOWN(mf->classes[modelfile_class(mf, z)]));
        if (o->proba && modelfile_proba(mf, z, o->p)) {
            sink_printf(it->out, "  (p:");
            for (size_t c = 0; c < mf->nclasses; c++)
                sink_printf(it->out, " %s=%s", FB_SHOWN(mf->classes[c]), NUM(it, o->p[c]));
            sink_printf(it->out, ")");
        } else {
            sink_printf(it->out, "  (score %s)", NUM(it, z[0]));
        }
    } else {
        for (size_t j = 0; j < o->k; j++)
            sink_printf(it->out, "%s%s", j ? " " : "", NUM(it, z[j]));
    }
    for (size_t t = 0; o->with_target && t < mf->schema->ntargets; t++)
        sink_printf(it->out, "%s%s", t ? " " : "  target ", FB_SHOWN(tc[t] ? tc[t] : ""));
    sink_printf(it->out, "\n");
}

typedef struct Batch {
    double *X, *Z;
    char **tc;        /* (BATCH, ntargets) copies of the target cells */
    size_t n;
} Batch;

static void batch_clear(Batch *b, size_t nt)
{
    for (size_t i = 0; i < b->n * nt; i++) {
        free(b->tc[i]);
        b->tc[i] = NULL;
    }
    b->n = 0;
}

/* Read every record of rows, encode, predict and emit.  `where` names the
 * source in messages ("new.csv" / "the row"). */
static int predict_records(Interp *it, const ModelFile *mf, CsvRows *rows, const char *where, const char *out,
                           long nshow, bool one, FbErr *err)
{
    const RawSchema *sc = mf->schema;
    size_t nt = sc->ntargets, m = sc->ncols, ncells = 0;
    size_t *pos = fb_malloc(m, sizeof *pos, "a column layout", err);
    const char **tcell = pos ? fb_calloc(nt ? nt : 1, sizeof *tcell, "target cells", err) : NULL;
    Batch b = {0};
    b.X = tcell ? fb_malloc(BATCH, mf->ninputs * sizeof *b.X, "raw rows", err) : NULL;
    b.Z = b.X ? fb_malloc(BATCH, modelfile_outputs(mf) * sizeof *b.Z, "predictions", err) : NULL;
    b.tc = b.Z ? fb_calloc(BATCH * (nt ? nt : 1), sizeof *b.tc, "target cells", err) : NULL;
    Out o;
    bool opened = false, with_target = false;
    int got, rc = -1;
    const char *const *cells;
    size_t nf;
    if (!b.tc)
        goto done;
    while ((got = csv_rows_next(rows, &cells, &nf, err)) == 1) {
        unsigned long line = csv_rows_line(rows);
        if (!opened) {
            bool header = !one && schema_is_header(sc, cells, nf);
            if (schema_layout(sc, header ? cells : NULL, nf, pos, &with_target, err)) {
                prefix(err, where, header ? "header, line" : "row", line, one);
                goto done;
            }
            ncells = nf;
            if (out_open(&o, it, mf, out, with_target, one ? 0 : nshow, err))
                goto done;
            opened = true;
            if (header)
                continue;
        }
        if (nf != ncells) {
            fb_fail(err, "%s: row %lu has %zu value%s, the first row had %zu", where, line, nf, nf == 1 ? "" : "s",
                    ncells);
            goto done;
        }
        if (schema_encode(sc, cells, pos, b.X + b.n * mf->ninputs, tcell, err) ||
            (with_target && check_class(mf, tcell[0], err))) {
            prefix(err, where, "row", line, one);
            goto done;
        }
        for (size_t t = 0; with_target && t < nt; t++)
            if (!(b.tc[b.n * nt + t] = fb_strdup(tcell[t], err)))
                goto done;
        if (++b.n == BATCH) {
            if (flush(&o, b.X, b.n, b.tc, b.Z, err))
                goto done;
            batch_clear(&b, nt);
        }
    }
    if (got < 0)
        goto done;
    if (!opened || (o.rows == 0 && b.n == 0)) {
        fb_fail(err, "%s has no rows to predict", where);
        goto done;
    }
    if (b.n && flush(&o, b.X, b.n, b.tc, b.Z, err))
        goto done;
    rc = 0;
done:
    if (opened) {
        if (one && rc == 0)
            print_one(it, &o, b.tc, b.Z);
        size_t n = o.rows;
        int crc = out_close(&o, rc == 0, err);
        if (rc == 0 && crc == 0 && out)
            sink_printf(it->out, "wrote %zu prediction%s to %s\n", n, n == 1 ? "" : "s", out);
        rc = rc ? rc : crc;
    }
    batch_clear(&b, nt);
    free(b.X);
    free(b.Z);
    free(b.tc);
    free(pos);
    free(tcell);
    return rc;
}

static bool split_word(const char *w)
{
    return !strcmp(w, "train") || !strcmp(w, "val") || !strcmp(w, "test");
}

/* A positional argument names a file when one exists there or it ends in .csv/.tsv/.txt. */
static bool names_file(const char *s)
{
    struct stat st;
    size_t n = strlen(s);
    if (stat(s, &st) == 0)
        return true;
    return (n > 4 && (!strcmp(s + n - 4, ".csv") || !strcmp(s + n - 4, ".tsv") || !strcmp(s + n - 4, ".txt"))) ||
           (n > 7 && !strcmp(s + n - 7, ".csv.gz"));
}

/* predict ROW | predict FILE [out=] [n=]: raw rows through the deployable model. */
static int predict_raw(Interp *it, Args *a, const Tok *arg, FbErr *err)
{
    ModelFile local;
    const ModelFile *mf;
    if (predictor(it, &local, &mf, err))
        return -1;
    long nshow = 10;
    args_long(a, "n", &nshow);
    const char *out = args_str(a, "out");
    bool file = names_file(arg->text);
    CsvRows *rows = NULL;
    int rc;
    if (file)
        rc = csv_rows_open(arg->text, 0, &rows, err);
    else
        rc = csv_rows_text(arg->text, mf->schema->sep == ';' ? ';' : ',', &rows, err);
    if (!rc)
        rc = predict_records(it, mf, rows, file ? arg->text : "the row", out, nshow, !file, err);
    csv_rows_close(rows);
    modelfile_free(&local);
    if (rc && out && strstr(err->msg, out) && args_opt(a, "out"))
        err->col = args_opt(a, "out")->vcol; /* a write error: point at the file */
    else if (rc && !err->col)
        err->col = arg->col;
    return rc;
}

/* The targets of part row i as text: class names for a classifier, else %.17g values. */
static void split_targets(const Session *s, const ModelFile *mf, const Part *p, size_t i, char (*buf)[40], char **tc)
{
    size_t nt = mf->schema->ntargets;
    for (size_t t = 0; t < nt; t++) {
        if (modelfile_is_classifier(mf))
            tc[t] = s->data->class_names[(int)p->L[i]];
        else
            tc[t] = fb_fmt(buf[t], 40, p->Y[i * s->prep->ny + t], 17);
    }
}

/* predict [train|val|test] [n=] [out=]: a split's rows against their targets. */
static int predict_split(Interp *it, Args *a, const char *which, FbErr *err)
{
    Session *s = it->s;
    const Part *p = !strcmp(which, "val") ? &s->prep->val : !strcmp(which, "test") ? &s->prep->test : &s->prep->train;
    if (p->n == 0)
        return fb_fail(err, "there are no %s rows", which);
    long nshow = 10;
    args_long(a, "n", &nshow);
    ModelFile mf;
    if (modelfile_from(&mf, &s->ts.model, &s->setup.loss, s->prep, err))
        return -1;
    size_t k = modelfile_outputs(&mf), nt = mf.schema->ntargets;
    double *Z = fb_malloc(p->n, k * sizeof *Z, "predictions", err);
    char (*buf)[40] = Z ? fb_malloc(nt, sizeof *buf, "targets", err) : NULL;
    char **tc = buf ? fb_calloc(nt, sizeof *tc, "targets", err) : NULL;
    Out o;
    int rc = -1;
    if (tc && !train_predict(&s->ts.model, p->X, p->n, Z, &s->work, err) &&
        !out_open(&o, it, &mf, args_str(a, "out"), true, nshow, err)) {
        for (size_t i = 0; i < p->n; i++) {
            split_targets(s, &mf, p, i, buf, tc);
            emit(&o, (const char *const *)tc, Z + i * k);
        }
        rc = out_close(&o, true, err);
        if (!rc && args_str(a, "out"))
            sink_printf(it->out, "wrote %zu predictions to %s\n", p->n, args_str(a, "out"));
    }
    if (rc && args_opt(a, "out") && !err->col)
        err->col = args_opt(a, "out")->vcol; /* a write error: point at the file, not the command */
    free(tc);
    free(buf);
    free(Z);
    modelfile_free(&mf);
    return rc;
}

int cmd_predict(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    int np = args_positional(a, pos, 1); /* 0 or 1: command_run checked */
    if (np == 1 && !split_word(pos[0]->text))
        return predict_raw(it, a, pos[0], err);
    if (!it->s->data && it->s->deployed)
        return fb_fail(err, "there is no data: give the model raw rows (predict V1,V2,... or predict FILE.csv)");
    if (session_need_model(it->s, err))
        return -1;
    return predict_split(it, a, np ? pos[0]->text : "train", err);
}
