/* test_modelfile.c — the deployable model file (suite "modelfile"): exact round trip of every field,
 * version 1 files still read, escaped names, non-finite numbers refused on both sides. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fitbench/modelfile.h"
#include "harness.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/fbmf-XXXXXX");
    cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(modelfile, .init = setup, .fini = teardown);

static const char *at(const char *name)
{
    static char buf[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* A session trained on a CSV with a text class, a one-hot column, missing
 * cells (missing=mean), a split, scaling and poly features. */
static void trained(H *h)
{
    write_text(at("d.csv"), "id,x1,\"the city\",x2,species\n1,1.5,Paris,2,cat\n2,2.5,Rome,,dog\n3,,Paris,3.5,cat\n"
                            "4,4,Lyon,1,bird\n5,3,,2.5,dog\n6,0.5,Rome,0.5,bird\n7,2,Lyon,4,cat\n8,3.5,Paris,1.5,dog\n");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "load %s target=species drop=id onehot=\"the city\" missing=mean; split test=0.25 "
             "seed=2; scale standard; features poly degree=2; model mlp hidden=4 act=tanh; optim adam lr=0.05; "
             "train 10", at("d.csv"));
    h_init(h);
    cr_assert_eq(h_run(h, cmd), 0, "%s", h_err(h));
}

static void same_doubles(const double *a, const double *b, size_t n, const char *what)
{
    if (n)
        cr_assert(a && b && memcmp(a, b, n * sizeof *a) == 0, "%s differ", what);
}

Test(modelfile, round_trip_keeps_every_field_bit_for_bit)
{
    H h;
    trained(&h);
    ModelFile a, b;
    FbErr e = {{0}, 0};
    cr_assert_eq(modelfile_from(&a, &h.s.ts.model, &h.s.setup.loss, h.s.prep, &e), 0, "%s", e.msg);
    cr_assert_eq(modelfile_save(at("m.fbm"), &a, &e), 0, "%s", e.msg);
    cr_assert_eq(modelfile_read(at("m.fbm"), &b, &e), 0, "%s", e.msg);
    cr_assert_eq(b.version, 3);
    cr_assert_eq(a.schema->ncols, 5);
    cr_assert_eq(b.schema->ncols, a.schema->ncols);
    cr_assert_eq(b.schema->missing, MISSING_MEAN);
    static const RawRole roles[] = {RAW_DROP, RAW_FEATURE, RAW_ONEHOT, RAW_FEATURE, RAW_TARGET};
    for (size_t c = 0; c < 5; c++) {
        const RawColumn *x = &a.schema->col[c], *y = &b.schema->col[c];
        cr_assert_eq(y->role, roles[c]);
        cr_assert_str_eq(y->name, x->name);
        cr_assert_eq(y->nvalues, x->nvalues);
        for (size_t v = 0; v < x->nvalues; v++)
            cr_assert_str_eq(y->values[v], x->values[v]);
        cr_assert_eq(!y->fill, !x->fill);
        if (x->fill)
            same_doubles(x->fill, y->fill, x->role == RAW_ONEHOT ? x->nvalues : 1, "fills");
    }
    cr_assert_str_eq(b.schema->col[2].name, "the city");
    cr_assert_eq(b.schema->col[2].nvalues, 3);
    cr_assert_str_eq(b.schema->col[2].values[0], "Lyon");
    cr_assert_eq(b.nclasses, 3);
    cr_assert_str_eq(b.classes[0], "bird");
    cr_assert_eq(terms_poly_degree(b.terms), 2);
    cr_assert_eq(b.terms->n, a.terms->n);
    cr_assert_eq(b.scale, SCALE_STANDARD);
    cr_assert_eq(b.d, a.d);
    for (size_t j = 0; j < a.d; j++)
        cr_assert_str_eq(b.features[j], a.features[j]);
    same_doubles(a.shift, b.shift, a.d, "shifts");
    same_doubles(a.scaleby, b.scaleby, a.d, "scales");
    cr_assert_eq(b.model.nparams, a.model.nparams);
    same_doubles(a.model.params, b.model.params, a.model.nparams, "parameters");
    /* The missing x1 of row 3 was filled with the mean of the 7 present values. */
    cr_assert_eq(a.schema->col[1].fill[0], (1.5 + 2.5 + 4 + 3 + 0.5 + 2 + 3.5) / 7);
    /* Predictions of the same encoded rows agree bit for bit, and with the session's own. */
    const Dataset *ds = h.s.data;
    size_t k = modelfile_outputs(&a);
    double *za = calloc(ds->n * k, sizeof *za), *zb = calloc(ds->n * k, sizeof *zb);
    cr_assert_eq(modelfile_predict(&a, ds->X, ds->n, za, &e), 0);
    cr_assert_eq(modelfile_predict(&b, ds->X, ds->n, zb, &e), 0);
    same_doubles(za, zb, ds->n * k, "predictions");
    double p[3], sum = 0;
    cr_assert(modelfile_proba(&b, zb, p));
    for (int c = 0; c < 3; c++)
        sum += p[c];
    cr_assert_float_eq(sum, 1.0, 1e-15);
    free(za);
    free(zb);
    modelfile_free(&a);
    modelfile_free(&b);
    h_free(&h);
}

Test(modelfile, names_with_line_breaks_and_backslashes_round_trip)
{
    write_text(at("n.csv"), "\"a\\b\",\"two\nlines\",y\n1,\"x\\ny\",1.5\n2,\"p\rq\",2.5\n3,\"x\\ny\",0.5\n");
    char cmd[512];
    H h;
    h_init(&h);
    snprintf(cmd, sizeof cmd, "load %s onehot=\"two\nlines\"; model linear; step 2; save model %s", at("n.csv"),
             at("n.fbm"));
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    ModelFile b;
    FbErr e = {{0}, 0};
    cr_assert_eq(modelfile_read(at("n.fbm"), &b, &e), 0, "%s", e.msg);
    cr_assert_str_eq(b.schema->col[0].name, "a\\b");
    cr_assert_str_eq(b.schema->col[1].name, "two\nlines");
    cr_assert_eq(b.schema->col[1].nvalues, 2);
    cr_assert_str_eq(b.schema->col[1].values[0], "p\rq");
    cr_assert_str_eq(b.schema->col[1].values[1], "x\\ny");
    modelfile_free(&b);
    h_free(&h);
}

Test(modelfile, version_1_files_still_read)
{
    write_text(at("v1.fbm"), "fitbench-model 1\nmodel linear\nact relu\nsizes 2 2 1\nloss mse\ndelta 1\ndegree 1\n"
                             "scale none\ninputs 2\nx0\nx1\ntarget y\nclasses 0\nshift 2\n0\n0\nscaleby 2\n1\n1\n"
                             "params 3\n0.5\n-0.25\n2\nend\n");
    ModelFile b;
    FbErr e = {{0}, 0};
    cr_assert_eq(modelfile_read(at("v1.fbm"), &b, &e), 0, "%s", e.msg);
    cr_assert_eq(b.version, 1);
    cr_assert_eq(b.schema->ncols, 3);
    cr_assert_eq(b.schema->col[2].role, RAW_TARGET);
    cr_assert_eq(b.ninputs, 2);
    double x[2] = {2, 4}, z;
    cr_assert_eq(modelfile_predict(&b, x, 1, &z, &e), 0);
    cr_assert_eq(z, 0.5 * 2 - 0.25 * 4 + 2);
    modelfile_free(&b);
}

Test(modelfile, non_finite_numbers_are_refused_on_both_sides)
{
    H h;
    trained(&h);
    FbErr e = {{0}, 0};
    cr_assert_eq(modelfile_write(at("m.fbm"), &h.s.ts.model, &h.s.setup.loss, h.s.prep, &e), 0, "%s", e.msg);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sed -i '/^params /{n;s/.*/inf/}' %s", at("m.fbm"));
    cr_assert_eq(system(cmd), 0);
    ModelFile b;
    cr_assert_eq(modelfile_read(at("m.fbm"), &b, &e), -1);
    cr_assert(strstr(e.msg, "parameter 1 of") && strstr(e.msg, "finite numbers only"), "%s", e.msg);
    h.s.ts.model.params[3] = NAN;
    cr_assert_eq(modelfile_write(at("nan.fbm"), &h.s.ts.model, &h.s.setup.loss, h.s.prep, &e), -1);
    cr_assert(strstr(e.msg, "parameter 4 of") && strstr(e.msg, "NaN"), "%s", e.msg);
    cr_assert_eq(access(at("nan.fbm"), F_OK), -1, "nothing is written");
    h_free(&h);
}
