/* modelfile_read.c — reading and validating `fitbench-model 1` and `2` files (docs/file-formats.md). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/penalty.h"
#include "fitbench/strutil.h"
#include "modelfile_words.h"

typedef struct Reader {
    FILE *fp;
    const char *path;
    long line;
    char *buf;
    size_t cap;
    FbErr *err;
    bool again; /* the next next_line returns buf again (a line looked at and put back) */
} Reader;

/* Next line without its newline; NULL at end of file (err filled). */
static char *next_line(Reader *r, const char *expect)
{
    if (r->again) {
        r->again = false;
        r->line++;
        return r->buf;
    }
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

/* A "key VALUE" line (comment lines before it skipped); returns VALUE. */
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

static int word_in(Reader *r, const char *key, const char *v, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(words[i], v) == 0)
            return i;
    fb_fail(r->err, "%s:%ld: unknown %s '%.40s'", r->path, r->line, key, v);
    return -1;
}

static int word_of(Reader *r, const char *key, const char *const *words)
{
    char *v = keyed(r, key);
    return v ? word_in(r, key, v, words) : -1;
}

/* A count from 0 to max at the start of v; *rest (if not NULL) gets what follows a space. */
static int parse_count(Reader *r, const char *key, const char *v, size_t max, size_t *out, char **rest)
{
    char *end;
    errno = 0;
    unsigned long long n = v[0] >= '0' && v[0] <= '9' ? strtoull(v, &end, 10) : 0;
    bool ok = v[0] >= '0' && v[0] <= '9' && errno == 0 && n <= max;
    if (ok && rest)
        ok = *end == ' ';
    else if (ok)
        ok = *end == '\0';
    if (!ok)
        return fb_fail(r->err, "%s:%ld: %s must be a count from 0 to %zu (found '%.40s')", r->path, r->line, key,
                       max, v);
    *out = (size_t)n;
    if (rest)
        *rest = end + 1;
    return 0;
}

static int count_of(Reader *r, const char *key, size_t max, size_t *out)
{
    char *v = keyed(r, key);
    *out = 0;
    return v ? parse_count(r, key, v, max, out, NULL) : -1;
}

/* n finite numbers, one a line. */
static int numbers(Reader *r, const char *what, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        char *l = next_line(r, what);
        if (!l)
            return -1;
        if (!fb_parse_double(l, strlen(l), &out[i]))
            return fb_fail(r->err, "%s:%ld: '%.40s' is not a number (%s %zu of %zu)", r->path, r->line, l, what,
                           i + 1, n);
        if (!isfinite(out[i]))
            return fb_fail(r->err, "%s:%ld: %s %zu of %zu is %s; a model file holds finite numbers only (was it "
                           "written after training diverged?)", r->path, r->line, what, i + 1, n, l);
    }
    return 0;
}

/* A name as put_name wrote it: \\ \n \r unescaped in place (version 2). */
static int unescape(Reader *r, char *s, int version)
{
    if (version < 2)
        return 0;
    char *o = s;
    for (; *s; s++) {
        if (*s != '\\') {
            *o++ = *s;
            continue;
        }
        s++;
        if (*s == '\\' || *s == 'n' || *s == 'r')
            *o++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' : '\\';
        else
            return fb_fail(r->err, "%s:%ld: a name has '\\' before '%c' (only \\\\, \\n and \\r are escapes)",
                           r->path, r->line, *s ? *s : ' ');
    }
    *o = '\0';
    return 0;
}

static char *name_dup(Reader *r, char *s, int version)
{
    return unescape(r, s, version) ? NULL : fb_strdup(s, r->err);
}

/* n names, one a line. */
static int names(Reader *r, const char *what, size_t n, char ***out, int version)
{
    *out = fb_calloc(n ? n : 1, sizeof **out, "names", r->err);
    if (!*out)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char *l = next_line(r, what);
        if (!l || !((*out)[i] = name_dup(r, l, version)))
            return -1;
    }
    return 0;
}

/* Each parameter and number takes at least two bytes ("0\n"): a hand-edited
 * count must not make a tiny file allocate gigabytes before it is checked. */
static int fits_file(Reader *r, double count, const char *what)
{
    struct stat st;
    if (fstat(fileno(r->fp), &st) == 0 && S_ISREG(st.st_mode) && count * 2 > (double)st.st_size)
        return fb_fail(r->err, "%s:%ld: %.0f %s are more than the file can hold (%lld bytes)", r->path, r->line,
                       count, what, (long long)st.st_size);
    return 0;
}

/* One column entry of a version 2 file into col. */
static int parse_column(Reader *r, const RawSchema *s, RawColumn *col)
{
    char *l;
    do
        l = next_line(r, "a column");
    while (l && l[0] == '#');
    if (!l)
        return -1;
    char *sp = strchr(l, ' ');
    if (!sp)
        return fb_fail(r->err, "%s:%ld: expected 'feature|onehot|target|drop NAME', found '%.40s'", r->path,
                       r->line, l);
    *sp = '\0';
    int role = word_in(r, "column role", l, role_words);
    if (role < 0)
        return -1;
    col->role = (RawRole)role;
    char *name = sp + 1;
    if (role == RAW_ONEHOT && parse_count(r, "a one-hot column's value count", name, 10000000, &col->nvalues, &name))
        return -1;
    if (!(col->name = name_dup(r, name, 2)))
        return -1;
    if (role == RAW_ONEHOT && (fits_file(r, (double)col->nvalues, "one-hot values") ||
                               names(r, "a one-hot value", col->nvalues, &col->values, 2)))
        return -1;
    if (s->missing != MISSING_MEAN || (role != RAW_FEATURE && role != RAW_ONEHOT))
        return 0;
    size_t nf, want = role == RAW_ONEHOT ? col->nvalues : 1;
    if (count_of(r, "fill", want, &nf))
        return -1;
    if (nf != want)
        return fb_fail(r->err, "%s:%ld: column '%s' needs %zu fill values, the file says %zu", r->path, r->line,
                       col->name, want, nf);
    if (!(col->fill = fb_malloc(want, sizeof *col->fill, "fill values", r->err)))
        return -1;
    return numbers(r, "fill value", want, col->fill);
}

/* The raw columns of a version 2 file. */
static int parse_columns(Reader *r, ModelFile *mf)
{
    int missing = word_of(r, "missing", missing_words);
    if (missing < 0)
        return -1;
    static const char *const sep_words[] = {"comma", "semicolon", "tab", NULL};
    static const char *const decimal_words[] = {"point", "comma", NULL};
    int sep = word_of(r, "sep", sep_words);
    int dec = sep < 0 ? -1 : word_of(r, "decimal", decimal_words);
    size_t m;
    if (dec < 0 || count_of(r, "columns", MODELFILE_MAX_WIDTH, &m) || fits_file(r, (double)m, "columns"))
        return -1;
    RawSchema *s = mf->schema = schema_new(m, r->err);
    if (!s)
        return -1;
    s->missing = (MissingMode)missing;
    s->sep = ",;\t"[sep];
    s->decimal = ".,"[dec];
    for (size_t c = 0; c < m; c++) {
        s->col[c].role = RAW_DROP;
        if (parse_column(r, s, &s->col[c]))
            return -1;
    }
    char *v = keyed(r, "targets");
    if (!v || !(s->target_order = fb_malloc(m ? m : 1, sizeof *s->target_order, "targets", r->err)))
        return -1;
    /* "targets K i1 ... iK": the target columns (0-based) in target= order. */
    size_t k = 0, want = 0;
    for (char *p = v, *end; *p; p = end, k++) {
        errno = 0;
        unsigned long long x = *p >= '0' && *p <= '9' ? strtoull(p, &end, 10) : ULLONG_MAX;
        if (x == ULLONG_MAX || errno || (*end && *end != ' ') || (k > 0 && x >= m) || (k == 0 && x > m) ||
            (k > 0 && k > want))
            return fb_fail(r->err, "%s:%ld: targets must be a count and that many column numbers below %zu",
                           r->path, r->line, m);
        if (k == 0)
            want = (size_t)x;
        else
            s->target_order[k - 1] = (size_t)x;
        if (*end == ' ')
            end++;
    }
    if (k == 0 || k - 1 != want)
        return fb_fail(r->err, "%s:%ld: targets must be a count and that many column numbers below %zu", r->path,
                       r->line, m);
    s->ntargets = want;
    char buf[300];
    const char *why = schema_invalid(s, buf, sizeof buf);
    if (why)
        return fb_fail(r->err, "%s:%ld: %s", r->path, r->line, why);
    return 0;
}

/* The terms of a version 1 or 2 file's "degree K" over nin inputs: every monomial up to K (none for 1). */
static int degree_terms(Reader *r, ModelFile *mf, size_t deg, size_t nin)
{
    if (deg < 1)
        return fb_fail(r->err, "%s: degree must be at least 1", r->path);
    if (deg > 1 && !(mf->terms = terms_poly(nin, (int)deg, r->err))) {
        size_t ml = strlen(r->err->msg);
        snprintf(r->err->msg + ml, sizeof r->err->msg - ml, " (in %s)", r->path);
        return -1;
    }
    return 0;
}

/* Version 3's "terms N" and N terms (x0*x1^2, sin(x0)) over nin inputs; N = 0: the inputs as they are. */
static int parse_terms(Reader *r, ModelFile *mf, size_t nin)
{
    size_t n;
    if (count_of(r, "terms", TERMS_MAX, &n) || fits_file(r, (double)n, "terms"))
        return -1;
    if (n == 0)
        return 0;
    Term *t = fb_malloc(n, sizeof *t, "the feature terms", r->err);
    if (!t)
        return -1;
    for (size_t j = 0; j < n; j++) {
        char *l = next_line(r, "a term");
        FbErr e2;
        if (!l) {
            free(t);
            return -1;
        }
        if (term_parse(l, NULL, nin, &t[j], &e2)) {
            free(t);
            return fb_fail(r->err, "%s:%ld: %s", r->path, r->line, e2.msg);
        }
        if (terms_find(&(Terms){.n = j, .t = t}, &t[j]) >= 0) {
            free(t);
            return fb_fail(r->err, "%s:%ld: the term %.200s is listed twice", r->path, r->line, l);
        }
    }
    mf->terms = terms_new(nin, t, n, r->err);
    free(t);
    return mf->terms ? 0 : -1;
}

/* Version 1: "degree, scale, inputs N + names, target NAME, classes N + names"; the raw columns are the inputs
 * (numbers) then the target. */
static int parse_v1_data(Reader *r, ModelFile *mf)
{
    size_t deg, n;
    if (count_of(r, "degree", PREP_MAX_DEGREE, &deg))
        return -1;
    int sc = word_of(r, "scale", scale_names);
    if (sc < 0)
        return -1;
    mf->scale = (ScaleKind)sc;
    char **in = NULL;
    if (count_of(r, "inputs", MODELFILE_MAX_WIDTH, &n) || fits_file(r, (double)n, "inputs"))
        return -1;
    RawSchema *s = mf->schema = schema_new(n + 1, r->err);
    if (!s || names(r, "an input name", n, &in, 1))
        goto fail;
    for (size_t j = 0; j < n; j++) {
        s->col[j].name = in[j];
        in[j] = NULL;
    }
    char *v = keyed(r, "target");
    s->col[n].role = RAW_TARGET;
    s->ntargets = 1;
    if (!v || !(s->col[n].name = fb_strdup(v, r->err)) ||
        !(s->target_order = fb_malloc(1, sizeof *s->target_order, "targets", r->err)))
        goto fail;
    s->target_order[0] = n;
    free(in);
    return degree_terms(r, mf, deg, n);
fail:
    for (size_t j = 0; in && j < n; j++)
        free(in[j]);
    free(in);
    return -1;
}

/* Versions 2 and 3: classes, class values, degree (2) or terms (3), scale, feature names. */
static int parse_v2_data(Reader *r, ModelFile *mf)
{
    size_t deg, ncv;
    if (parse_columns(r, mf) || count_of(r, "classes", MODELFILE_MAX_CLASSES, &mf->nclasses) ||
        fits_file(r, (double)mf->nclasses, "classes") || names(r, "a class name", mf->nclasses, &mf->classes, 2) ||
        count_of(r, "class_values", mf->nclasses, &ncv))
        return -1;
    if (ncv && ncv != mf->nclasses)
        return fb_fail(r->err, "%s:%ld: class_values must be 0 or the number of classes (%zu)", r->path, r->line,
                       mf->nclasses);
    if (ncv && (!(mf->class_values = fb_malloc(ncv, sizeof(double), "class values", r->err)) ||
                numbers(r, "class value", ncv, mf->class_values)))
        return -1;
    size_t nin = schema_features(mf->schema);
    if (mf->version == 2 ? count_of(r, "degree", PREP_MAX_DEGREE, &deg) || degree_terms(r, mf, deg, nin)
                         : parse_terms(r, mf, nin))
        return -1;
    int sc = word_of(r, "scale", scale_names);
    if (sc < 0 || count_of(r, "features", MODELFILE_MAX_WIDTH, &mf->d) || fits_file(r, (double)mf->d, "features"))
        return -1;
    mf->scale = (ScaleKind)sc;
    return names(r, "a feature name", mf->d, &mf->features, mf->version);
}

/* Do model, loss, classes, targets and expansion agree?  NULL when they do. */
static const char *mismatch(const ModelFile *mf, const size_t *sizes, size_t ns, int kind, char *buf, size_t size)
{
    size_t k = sizes[ns - 1];
    LossKind lk = mf->loss.kind;
    bool cls = lk == LOSS_CE || lk == LOSS_BCE || lk == LOSS_HINGE;
    size_t want = mf->terms ? mf->terms->n : mf->ninputs;
    if (want != mf->d)
        snprintf(buf, size, "%zu inputs and %zu terms make %zu features, but the file has %zu", mf->ninputs,
                 mf->terms ? mf->terms->n : 0, want, mf->d);
    else if (sizes[0] != mf->d)
        snprintf(buf, size, "the model has %zu inputs but the file lists %zu features", sizes[0], mf->d);
    else if (kind != MODEL_MLP && ns != 2)
        snprintf(buf, size, "model %s has one layer, but sizes lists %zu", model_kind_names[kind], ns - 1);
    else if ((kind == MODEL_LOGISTIC && lk != LOSS_BCE && lk != LOSS_HINGE) || (kind == MODEL_SOFTMAX && lk != LOSS_CE))
        snprintf(buf, size, "model %s cannot go with loss %s", model_kind_names[kind], loss_names[lk]);
    else if (cls && mf->schema->ntargets != 1)
        snprintf(buf, size, "a classifier needs one target column, the file has %zu", mf->schema->ntargets);
    else if (lk == LOSS_CE && k != mf->nclasses)
        snprintf(buf, size, "loss ce needs one output per class: %zu outputs, %zu classes", k, mf->nclasses);
    else if ((lk == LOSS_BCE || lk == LOSS_HINGE) && (k != 1 || mf->nclasses != 2))
        snprintf(buf, size, "loss %s needs one output and two classes (%zu outputs, %zu classes)", loss_names[lk], k,
                 mf->nclasses);
    else if (!cls && k != mf->schema->ntargets)
        snprintf(buf, size, "the model has %zu outputs for %zu target column%s", k, mf->schema->ntargets,
                 mf->schema->ntargets == 1 ? "" : "s");
    else
        return NULL;
    return buf;
}

/* "sizes N s0 s1 ...": the layer widths. */
static int parse_sizes(Reader *r, size_t *sizes, size_t *ns)
{
    char *v = keyed(r, "sizes");
    if (!v)
        return -1;
    char *p = v, *end;
    long cnt = strtol(p, &end, 10);
    if (end == p || cnt < 2 || cnt > MODEL_MAX_LAYERS + 1)
        return fb_fail(r->err, "%s:%ld: sizes must start with a count from 2 to %d", r->path, r->line,
                       MODEL_MAX_LAYERS + 1);
    for (*ns = 0, p = end; *ns < (size_t)cnt; p = end) {
        long s = strtol(p, &end, 10);
        if (end == p || s < 1 || s > MODELFILE_MAX_WIDTH)
            return fb_fail(r->err, "%s:%ld: sizes needs %ld layer widths from 1 to %d", r->path, r->line, cnt,
                           MODELFILE_MAX_WIDTH);
        sizes[(*ns)++] = (size_t)s;
    }
    if (*end)
        return fb_fail(r->err, "%s:%ld: extra text after the sizes", r->path, r->line);
    return 0;
}

static int parse_scaler(Reader *r, ModelFile *mf, int version)
{
    size_t d2;
    if (count_of(r, "shift", MODELFILE_MAX_WIDTH, &d2) || fits_file(r, (double)d2, "shift values"))
        return -1;
    if (version == 1)
        mf->d = d2;
    else if (d2 != mf->d)
        return fb_fail(r->err, "%s:%ld: shift has %zu values, the file lists %zu features", r->path, r->line, d2,
                       mf->d);
    mf->shift = fb_malloc(mf->d ? mf->d : 1, sizeof(double), "the scaler", r->err);
    mf->scaleby = mf->shift ? fb_malloc(mf->d ? mf->d : 1, sizeof(double), "the scaler", r->err) : NULL;
    if (!mf->scaleby || numbers(r, "shift value", mf->d, mf->shift) || count_of(r, "scaleby", MODELFILE_MAX_WIDTH, &d2))
        return -1;
    if (d2 != mf->d)
        return fb_fail(r->err, "%s:%ld: scaleby has %zu values, shift had %zu", r->path, r->line, d2, mf->d);
    if (numbers(r, "scale value", mf->d, mf->scaleby))
        return -1;
    for (size_t j = 0; j < mf->d; j++)
        if (!(mf->scaleby[j] > 0))
            return fb_fail(r->err, "%s:%ld: scale value %zu of %zu is %.17g; scales are > 0", r->path,
                           r->line - (long)(mf->d - j) + 1, j + 1, mf->d, mf->scaleby[j]);
    return 0;
}

static int parse_params(Reader *r, ModelFile *mf, int kind, int act, const size_t *sizes, size_t ns, long sizes_line)
{
    double need = 0;
    for (size_t i = 0; i + 1 < ns; i++)
        need += ((double)sizes[i] + 1) * (double)sizes[i + 1];
    long here = r->line;
    r->line = sizes_line;
    int big = fits_file(r, need, "parameters (from the sizes)");
    r->line = here;
    if (big)
        return -1;
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

/* The optional "l1 V" and "l2 V" lines after delta (written only when a penalty is set): finite, >= 0.
 * Without them the penalties are 0 and the line read is put back. */
static int parse_penalty(Reader *r, ModelFile *mf)
{
    char *l;
    do
        l = next_line(r, "the rest of the file");
    while (l && l[0] == '#');
    if (!l)
        return -1;
    r->again = true; /* keyed below, or the next section's reader, takes it */
    r->line--;
    if (strncmp(l, "l1 ", 3) != 0)
        return 0;
    static const char *const keys[] = {"l1", "l2"};
    for (int i = 0; i < 2; i++) {
        double *v = i ? &mf->loss.l2 : &mf->loss.l1;
        char *t = keyed(r, keys[i]);
        if (!t)
            return -1;
        FbErr why;
        if (!fb_parse_double(t, strlen(t), v) || penalty_check(keys[i], *v, &why))
            return fb_fail(r->err, "%s:%ld: %s must be a finite number >= 0", r->path, r->line, keys[i]);
    }
    return 0;
}

static int parse(Reader *r, ModelFile *mf)
{
    char *l = next_line(r, "the header");
    if (!l)
        return -1;
    if (strncmp(l, "fitbench-model ", 15) != 0)
        return fb_fail(r->err, "%s is not a fitbench model file (it should start with 'fitbench-model 3')", r->path);
    if (strcmp(l + 15, "1") != 0 && strcmp(l + 15, "2") != 0 && strcmp(l + 15, "3") != 0)
        return fb_fail(r->err, "%s is fitbench-model version %.20s; this fitbench reads versions 1 to 3", r->path,
                       l + 15);
    mf->version = l[15] - '0';
    int kind = word_of(r, "model", model_kind_names), act = kind < 0 ? -1 : word_of(r, "act", act_names);
    size_t sizes[MODEL_MAX_LAYERS + 2], ns = 0;
    if (act < 0 || parse_sizes(r, sizes, &ns))
        return -1;
    long sizes_line = r->line;
    int loss = word_of(r, "loss", loss_names);
    if (loss < 0)
        return -1;
    mf->loss.kind = (LossKind)loss;
    char *v = keyed(r, "delta");
    if (!v || !fb_parse_double(v, strlen(v), &mf->loss.delta) || !(mf->loss.delta > 0) || !isfinite(mf->loss.delta))
        return v ? fb_fail(r->err, "%s:%ld: delta must be a finite number > 0", r->path, r->line) : -1;
    if (parse_penalty(r, mf))
        return -1;
    if (mf->version == 1) {
        if (parse_v1_data(r, mf) || count_of(r, "classes", MODELFILE_MAX_CLASSES, &mf->nclasses) ||
            fits_file(r, (double)mf->nclasses, "classes") || names(r, "a class name", mf->nclasses, &mf->classes, 1))
            return -1;
    } else if (parse_v2_data(r, mf)) {
        return -1;
    }
    if (parse_scaler(r, mf, mf->version) || modelfile_name_inputs(mf, r->err))
        return -1;
    char buf[300];
    const char *why = mismatch(mf, sizes, ns, kind, buf, sizeof buf);
    if (why)
        return fb_fail(r->err, "%s: %s", r->path, why);
    return parse_params(r, mf, kind, act, sizes, ns, sizes_line);
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
    Reader r = {fp, path, 0, NULL, 0, err, false};
    int rc = parse(&r, mf);
    free(r.buf);
    fclose(fp);
    if (rc)
        modelfile_free(mf);
    return rc;
}
