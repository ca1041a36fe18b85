/* cmd_data.c — load, gen, split, scale: commands that change the data (features: cmd_features.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/command.h"
#include "fitbench/csv.h"
#include "fitbench/schema.h"
#include "fitbench/gen.h"
#include "fitbench/strutil.h"

int cmd_load_model(Interp *it, Args *a, const Tok *path, FbErr *err);   /* cmd_files.c */
int cmd_load_weights(Interp *it, Args *a, const Tok *path, FbErr *err); /* cmd_files.c */

static const char *const shipped[] = {"boston", "diabetes", "iris", "wine", "breast_cancer", "digits", NULL};

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* A bare name (no '/') that is not a file here is looked up among the
 * shipped datasets (NAME.csv, NAME.csv.gz or NAME in each folder of
 * it->data_dirs, in datadirs.h's order), so `load boston` works from any
 * directory. */
const char *resolve_dataset(const Interp *it, const char *name, char *buf, size_t size)
{
    static const char *const ext[] = {".csv", ".csv.gz", ""};
    if (is_file(name) || strchr(name, '/'))
        return name;
    for (int i = 0; it->data_dirs && it->data_dirs[i]; i++)
        for (int k = 0; k < 3; k++) {
            snprintf(buf, size, "%s/%s%s", it->data_dirs[i], name, ext[k]);
            if (is_file(buf))
                return buf;
        }
    return name;
}

static void print_data_summary(Interp *it, const char *what)
{
    const Dataset *ds = it->s->data;
    sink_printf(it->out, "%s: %zu rows, %zu feature%s, target %s", FB_SHOWN(what), ds->n, ds->d,
                ds->d == 1 ? "" : "s", FB_SHOWN(ds->ynames[0]));
    if (ds->ny > 1)
        sink_printf(it->out, " (+%zu more)", ds->ny - 1);
    if (ds->task == TASK_REGRESSION)
        sink_printf(it->out, " (regression)\n");
    else
        sink_printf(it->out, " (%zu classes)\n", ds->nclasses);
    /* Say which rows the fills came from (docs/math.md, Missing values). */
    if (ds->schema && ds->schema->missing == MISSING_MEAN)
        sink_printf(it->out, "missing cells hold the column means of all %zu rows, computed before any split\n", ds->n);
}

static int install_data(Interp *it, Dataset *ds, const char *what, FbErr *err)
{
    int rc = session_set_data(it->s, ds, err);
    dataset_unref(ds);
    if (rc)
        return -1;
    print_data_summary(it, what);
    if (it->s->built)
        sink_printf(it->out, "model %s rebuilt for the new data\n", model_kind_name(it->s->mspec.kind));
    return 0;
}

int cmd_load(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[3];
    int np = args_positional(a, pos, 3);
    if (np == 2 && !pos[1]->text[0] && (!strcmp(pos[0]->text, "model") || !strcmp(pos[0]->text, "weights")))
        return fb_fail_at(err, pos[1]->col, "load %s needs a file name (got '')", pos[0]->text);
    if (np == 2 && strcmp(pos[0]->text, "model") == 0)
        return cmd_load_model(it, a, pos[1], err);
    if (np == 2 && strcmp(pos[0]->text, "weights") == 0)
        return cmd_load_weights(it, a, pos[1], err);
    if (np > 1)
        return command_usage_error(err, row, pos[1]->col, "load takes one file (got '%s' too); quote a path with spaces",
                                   pos[1]->text);
    if (!pos[0]->text[0])
        return fb_fail_at(err, pos[0]->col, "load needs a file name (got '')");
    CsvOptions opt;
    csv_options_default(&opt);
    const char *sep = args_str(a, "sep");
    if (sep) {
        if (strcmp(sep, "tab") == 0 || strcmp(sep, "\\t") == 0)
            opt.sep = '\t';
        else if (strlen(sep) == 1)
            opt.sep = sep[0];
        else
            return fb_fail_at(err, args_opt(a, "sep")->vcol, "sep must be one character, or tab (got '%s')", sep);
    }
    const char *h = args_str(a, "header");
    if (h)
        opt.header = strcmp(h, "yes") == 0 ? HEADER_YES : strcmp(h, "no") == 0 ? HEADER_NO : HEADER_AUTO;
    const char *m = args_str(a, "missing");
    if (m)
        opt.missing = strcmp(m, "drop") == 0 ? MISSING_DROP : strcmp(m, "mean") == 0 ? MISSING_MEAN : MISSING_ERROR;
    const char *dec = args_str(a, "decimal");
    if (dec && strcmp(dec, "auto") != 0)
        opt.decimal = dec[0];
    /* Column lists as typed, quotes kept: drop="note, free text" is one name (csv.h). */
    const Tok *t;
    opt.target = (t = args_opt(a, "target")) ? t->vraw : NULL;
    opt.drop = (t = args_opt(a, "drop")) ? t->vraw : NULL;
    opt.onehot = (t = args_opt(a, "onehot")) ? t->vraw : NULL;
    char buf[4096];
    const char *path = resolve_dataset(it, pos[0]->text, buf, sizeof buf);
    Dataset *ds;
    if (csv_load(path, &opt, &ds, err)) {
        if (!is_file(path) && !strchr(pos[0]->text, '/') && !strchr(pos[0]->text, '.')) {
            const char *sug = fb_suggest(pos[0]->text, shipped);
            if (sug && strcmp(sug, pos[0]->text) == 0)   /* a shipped name, but its folder was not found */
                sug = NULL;
            bool is_shipped = false;
            for (int i = 0; shipped[i]; i++)
                is_shipped |= strcmp(shipped[i], pos[0]->text) == 0;
            char more[256];
            snprintf(more, sizeof more, " (shipped datasets: boston, diabetes, iris, wine, breast_cancer, digits%s%s%s%s)",
                     sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "",
                     is_shipped ? "; the datasets folder was not found: set FITBENCH_DATA to it" : "");
            size_t l = strlen(err->msg);
            snprintf(err->msg + l, sizeof err->msg - l, "%s", more);
        }
        err->col = pos[0]->col;
        return -1;
    }
    const char *base = strrchr(path, '/');
    if (path == buf) {
        /* A shipped dataset: name it as the user did, not by this machine's path. */
        char *src = fb_strdup(base ? base + 1 : path, err);
        if (!src) {
            dataset_unref(ds);
            return -1;
        }
        free(ds->source);
        ds->source = src;
    }
    return install_data(it, ds, base ? base + 1 : path, err);
}

int cmd_gen(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    args_positional(a, pos, 1); /* one word, a gen_kind_names entry: command_run checked */
    GenKind kind = 0;
    for (int i = 0; gen_kind_names[i]; i++)
        if (strcmp(gen_kind_names[i], pos[0]->text) == 0)
            kind = (GenKind)i;
    GenSpec spec;
    gen_spec_default(&spec, kind);
    spec.seed = it->s->set.seed;
    long v;
    if (args_long(a, "n", &v))
        spec.n = (size_t)v;
    if (args_long(a, "d", &v)) {
        if (kind != GEN_LINEAR && kind != GEN_BLOBS)
            return fb_fail_at(err, args_opt(a, "d")->col, "gen %s has a fixed number of features; d= is for linear and blobs",
                              gen_kind_names[kind]);
        spec.d = (size_t)v;
    }
    if (args_long(a, "classes", &v)) {
        if (kind != GEN_BLOBS && kind != GEN_SPIRAL)
            return fb_fail_at(err, args_opt(a, "classes")->col, "classes= is for blobs and spiral");
        spec.classes = (size_t)v;
    }
    if (args_long(a, "seed", &v))
        spec.seed = (unsigned long long)v;
    args_num(a, "noise", &spec.noise);
    Dataset *ds;
    if (gen_make(&spec, &ds, err))
        return -1;
    return install_data(it, ds, ds->source, err);
}

int cmd_split(Interp *it, const Command *row, Args *a, FbErr *err)
{
    if (session_need_data(it->s, err))
        return -1;
    PrepSpec ps = it->s->prep_spec;
    ps.val = ps.test = 0;
    ps.seed = it->s->set.seed;
    ps.shuffle = true;
    long seed;
    args_num(a, "val", &ps.val);
    args_num(a, "test", &ps.test);
    if (args_long(a, "seed", &seed))
        ps.seed = (unsigned long long)seed;
    args_bool(a, "shuffle", &ps.shuffle);
    if (session_set_prep(it->s, &ps, err))
        return -1;
    const Prepared *p = it->s->prep;
    sink_printf(it->out, "split: %zu train, %zu val, %zu test rows\n", p->train.n, p->val.n, p->test.n);
    return 0;
}

int cmd_scale(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    args_positional(a, pos, 1); /* one word, a scale_names entry: command_run checked */
    if (session_need_data(it->s, err))
        return -1;
    const char *w = pos[0]->text;
    PrepSpec ps = it->s->prep_spec;
    if (scale_from_name(w, &ps.scale)) /* command_run checked it against scale_names */
        ps.scale = SCALE_NONE;
    if (session_set_prep(it->s, &ps, err))
        return -1;
    sink_printf(it->out, "scale %s (statistics from %zu training rows)\n", w, it->s->prep->train.n);
    return 0;
}
