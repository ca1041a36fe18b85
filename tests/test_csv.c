/* test_csv.c — the CSV loader and Dataset: parsing, options, classes, every error message, shipped data. */
#include <criterion/criterion.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cblas.h>
#include <zlib.h>

#include "fitbench/args.h"
#include "fitbench/csv.h"
#include "fitbench/dataset.h"
#include "fitbench/strutil.h"

#ifndef FITBENCH_SRCDIR
#define FITBENCH_SRCDIR "."
#endif

/* Each test runs in its own process inside a fresh temp dir, so messages
 * show the short relative names ("data.csv: row 3 ...") the user would see. */
static char tmpdir[PATH_MAX];
static char srcdir[PATH_MAX];

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    chmod(p, 0700);
    return remove(p);
}

static void setup(void)
{
    cr_assert(realpath(FITBENCH_SRCDIR, srcdir), "source dir %s not found", FITBENCH_SRCDIR);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/fitbench-csv-XXXXXX");
    cr_assert(mkdtemp(tmpdir));
    cr_assert_eq(chdir(tmpdir), 0);
}

static void teardown(void)
{
    if (chdir("/") == 0)
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(csv, .init = setup, .fini = teardown);

static void write_bytes(const char *name, const char *data, size_t n)
{
    FILE *f = fopen(name, "wb");
    cr_assert(f, "cannot write %s", name);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

static void write_text(const char *name, const char *text)
{
    write_bytes(name, text, strlen(text));
}

/* Load text written to data.csv with the given options; asserts success. */
static Dataset *load_ok(const char *text, const CsvOptions *opt)
{
    write_text("data.csv", text);
    Dataset *ds = NULL;
    FbErr err = {0};
    int rc = csv_load("data.csv", opt, &ds, &err);
    cr_assert_eq(rc, 0, "load failed: %s", err.msg);
    cr_assert(ds);
    cr_assert_eq(ds->refs, 1);
    return ds;
}

/* Load text and expect failure; returns the message (static storage). */
static const char *load_err(const char *text, const CsvOptions *opt)
{
    static FbErr err;
    write_text("data.csv", text);
    Dataset *ds = (Dataset *)1;
    memset(&err, 0, sizeof err);
    cr_assert_eq(csv_load("data.csv", opt, &ds, &err), -1, "expected an error for:\n%s", text);
    cr_assert_null(ds, "nothing is returned on failure");
    cr_assert(err.msg[0]);
    return err.msg;
}

#define assert_has(msg, part) cr_assert(strstr((msg), (part)), "message '%s' lacks '%s'", (msg), (part))

static CsvOptions defaults(void)
{
    CsvOptions o;
    csv_options_default(&o);
    return o;
}

/* ------------------------------------------------------------ Dataset */

Test(csv, dataset_new_names_and_refs)
{
    FbErr err;
    Dataset *ds = dataset_new(3, 2, 1, &err);
    cr_assert(ds);
    cr_assert_eq(ds->refs, 1);
    cr_assert_eq(ds->n, 3);
    cr_assert_eq(ds->d, 2);
    cr_assert_str_eq(ds->names[0], "x0");
    cr_assert_str_eq(ds->names[1], "x1");
    cr_assert_str_eq(ds->ynames[0], "y");
    for (int i = 0; i < 6; i++)
        cr_assert_eq(ds->X[i], 0.0);
    cr_assert_eq(ds->nclasses, 0);
    cr_assert_null(ds->label);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    cr_assert_eq(dataset_column(ds, "x1"), 1);
    cr_assert_eq(dataset_column(ds, "x9"), -1);
    cr_assert_eq(dataset_ref(ds), ds);
    cr_assert_eq(ds->refs, 2);
    dataset_unref(ds);
    cr_assert_eq(ds->refs, 1);
    dataset_unref(ds);
    dataset_unref(NULL);
    cr_assert_null(dataset_ref(NULL));

    Dataset *d2 = dataset_new(2, 1, 3, &err);
    cr_assert(d2);
    cr_assert_str_eq(d2->ynames[0], "y0");
    cr_assert_str_eq(d2->ynames[2], "y2");
    dataset_unref(d2);
}

Test(csv, task_names)
{
    cr_assert_str_eq(task_name(TASK_REGRESSION), "regression");
    cr_assert_str_eq(task_name(TASK_BINARY), "binary classification");
    cr_assert_str_eq(task_name(TASK_MULTICLASS), "multiclass classification");
}

Test(csv, numeric_class_rule)
{
    FbErr err;
    Dataset *ds = dataset_new(5, 1, 1, &err);
    double y1[] = {3, -1, 3, 7, -1};
    memcpy(ds->y, y1, sizeof y1);
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_eq(ds->nclasses, 3);
    cr_assert_eq(ds->task, TASK_MULTICLASS);
    cr_assert_str_eq(ds->class_names[0], "-1");
    cr_assert_str_eq(ds->class_names[1], "3");
    cr_assert_str_eq(ds->class_names[2], "7");
    cr_assert_eq(ds->class_values[0], -1.0);
    cr_assert_eq(ds->class_values[2], 7.0);
    int want[] = {1, 0, 1, 2, 0};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(ds->label[i], want[i]);

    /* two values: binary; calling again replaces the old classes */
    double y2[] = {0, 1, 1, 0, 1};
    memcpy(ds->y, y2, sizeof y2);
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_eq(ds->nclasses, 2);
    cr_assert_eq(ds->task, TASK_BINARY);
    cr_assert_str_eq(ds->class_names[1], "1");

    /* a non-integer: regression */
    double y3[] = {0, 1, 1.5, 0, 1};
    memcpy(ds->y, y3, sizeof y3);
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_eq(ds->nclasses, 0);
    cr_assert_null(ds->label);
    cr_assert_null(ds->class_names);
    cr_assert_eq(ds->task, TASK_REGRESSION);

    /* a single value: regression */
    double y4[] = {2, 2, 2, 2, 2};
    memcpy(ds->y, y4, sizeof y4);
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    dataset_unref(ds);

    /* 20 distinct integers are classes, 21 are not */
    ds = dataset_new(21, 1, 1, &err);
    for (int i = 0; i < 21; i++)
        ds->y[i] = i % 20;
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_eq(ds->nclasses, 20);
    cr_assert_str_eq(ds->class_names[19], "19");
    ds->y[20] = 20;
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_eq(ds->nclasses, 0);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    dataset_unref(ds);

    /* large integers print exactly (%.17g) */
    ds = dataset_new(2, 1, 1, &err);
    ds->y[0] = 12345678901234567.0;
    ds->y[1] = -4;
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_str_eq(ds->class_names[1], "12345678901234568");
    dataset_unref(ds);

    /* several targets: never classes */
    ds = dataset_new(2, 1, 2, &err);
    ds->y[0] = 1;
    cr_assert_eq(dataset_set_classes(ds, 0, &err), 0);
    cr_assert_eq(ds->nclasses, 0);
    dataset_unref(ds);
}

/* ------------------------------------------------------------ parsing */

Test(csv, basic_header_and_last_target)
{
    Dataset *ds = load_ok("a,b,c\n1,2,3.5\n4,5,6.25\n", NULL);
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->d, 2);
    cr_assert_eq(ds->ny, 1);
    cr_assert_str_eq(ds->names[0], "a");
    cr_assert_str_eq(ds->names[1], "b");
    cr_assert_str_eq(ds->ynames[0], "c");
    double X[] = {1, 2, 4, 5};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(ds->X[i], X[i]);
    cr_assert_eq(ds->y[0], 3.5);
    cr_assert_eq(ds->y[1], 6.25);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    cr_assert_str_eq(ds->source, "data.csv");
    dataset_unref(ds);
}

Test(csv, numbers_in_every_c_syntax)
{
    Dataset *ds = load_ok("a,y\n1e-3,0.1\n-.5,1\n+2.,2\n0x10,3\n", NULL);
    cr_assert_eq(ds->X[0], 1e-3);
    cr_assert_eq(ds->X[1], -0.5);
    cr_assert_eq(ds->X[2], 2.0);
    cr_assert_eq(ds->X[3], 16.0);
    cr_assert_eq(ds->y[0], 0.1);
    dataset_unref(ds);
}

Test(csv, header_auto_detection)
{
    /* all numbers: no header, columns named by position */
    Dataset *ds = load_ok("1,2,3\n4,5,6\n", NULL);
    cr_assert_eq(ds->n, 2);
    cr_assert_str_eq(ds->names[0], "x0");
    cr_assert_str_eq(ds->names[1], "x1");
    cr_assert_str_eq(ds->ynames[0], "x2");
    cr_assert_eq(ds->X[0], 1.0);
    dataset_unref(ds);

    /* text target in both rows and numbers elsewhere: no header */
    ds = load_ok("1,2,cat\n4,5,dog\n", NULL);
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->nclasses, 2);
    dataset_unref(ds);

    /* a header whose numeric-looking names do not count; one text name is enough */
    ds = load_ok("1,b,y\n1,2,3\n", NULL);
    cr_assert_eq(ds->n, 1);
    cr_assert_str_eq(ds->names[0], "1");
    dataset_unref(ds);

    /* a missing cell in row 1 is not a header cell */
    ds = load_ok("NA,1\n2,3\n", &(CsvOptions){.header = HEADER_AUTO, .missing = MISSING_DROP});
    cr_assert_eq(ds->n, 1);
    cr_assert_eq(ds->X[0], 2.0);
    dataset_unref(ds);

    /* forced: header=yes takes the numbers as names, header=no the names as data */
    CsvOptions o = defaults();
    o.header = HEADER_YES;
    ds = load_ok("1,2\n3,4\n", &o);
    cr_assert_eq(ds->n, 1);
    cr_assert_str_eq(ds->names[0], "1");
    cr_assert_str_eq(ds->ynames[0], "2");
    dataset_unref(ds);
    o.header = HEADER_NO;
    ds = load_ok("1,cat\n2,3\n", NULL);   /* AUTO: "cat" over "3" is a header */
    cr_assert_eq(ds->n, 1);
    cr_assert_str_eq(ds->ynames[0], "cat");
    dataset_unref(ds);
    ds = load_ok("1,cat\n2,3\n", &o);
    cr_assert_eq(ds->n, 2);
    cr_assert_str_eq(ds->ynames[0], "x1");
    cr_assert_str_eq(ds->class_names[0], "3");
    cr_assert_str_eq(ds->class_names[1], "cat");
    dataset_unref(ds);
    const char *msg = load_err("a,b\n3,4\n", &o);
    assert_has(msg, "data.csv: row 1, column 'x0': 'a' is not a number");
}

Test(csv, separators_detected_and_given)
{
    Dataset *ds = load_ok("a;b;c\n1.5;2;3\n", NULL);   /* ';' wins: 2 against 0 commas */
    cr_assert_eq(ds->d, 2);
    cr_assert_str_eq(ds->names[1], "b");
    cr_assert_eq(ds->X[0], 1.5);
    dataset_unref(ds);
    /* "1,5" with ';' as the separator is a decimal comma (detected); with decimal=. it is not a number */
    ds = load_ok("a;b;c\n1,5;2;3\n4;5;6\n", NULL);
    cr_assert_eq(ds->X[0], 1.5);
    dataset_unref(ds);
    const char *msg = load_err("a;b;c\n1,5;2;3\n4;5;6\n", &(CsvOptions){.decimal = '.'});
    assert_has(msg, "row 2, column 'a': '1,5' is not a number: a decimal comma? load with decimal=,");

    ds = load_ok("a\tb\tc\n1\t2\t3\n", NULL);
    cr_assert_eq(ds->d, 2);
    cr_assert_eq(ds->y[0], 3.0);
    dataset_unref(ds);

    /* quoted separators do not count: 2 semicolons against 1 comma outside quotes */
    ds = load_ok("\"a,b,c,d\";e,f;g\n1;2;3\n", NULL);
    cr_assert_str_eq(ds->names[0], "a,b,c,d");
    cr_assert_str_eq(ds->names[1], "e,f");
    cr_assert_eq(ds->d, 2);
    dataset_unref(ds);

    /* a tie goes to ',' */
    ds = load_ok("a,b;c\n1,2;3\n4,5;6\n", NULL);
    cr_assert_eq(ds->d, 1);
    cr_assert_str_eq(ds->ynames[0], "b;c");
    dataset_unref(ds);

    /* given */
    CsvOptions o = defaults();
    o.sep = '|';
    ds = load_ok("a|b,c|y\n1|2|3\n", &o);
    cr_assert_str_eq(ds->names[1], "b,c");
    dataset_unref(ds);
    ds = load_ok("a,b;c\n1.5;2\n", &(CsvOptions){.sep = ';', .target = "c"});
    cr_assert_str_eq(ds->names[0], "a,b");
    cr_assert_eq(ds->X[0], 1.5);
    dataset_unref(ds);
    o.sep = '"';
    msg = load_err("a,b\n1,2\n", &o);
    assert_has(msg, "invalid separator");
}

Test(csv, rfc4180_quoting)
{
    const char *text = "\"x\",\"the \"\"name\"\"\",label\n"
                       "\"1.5\",2,\"a,b\"\n"
                       "3,4,\"two\nlines\"\n"
                       "5,6,\"say \"\"hi\"\"\"\n"
                       "7,8,\"\"\n";
    CsvOptions o = defaults();
    o.missing = MISSING_DROP;
    Dataset *ds = load_ok(text, &o);
    cr_assert_eq(ds->n, 3, "the row with an empty quoted target is dropped as missing");
    cr_assert_str_eq(ds->names[0], "x");
    cr_assert_str_eq(ds->names[1], "the \"name\"");
    cr_assert_eq(ds->X[0], 1.5);
    cr_assert_eq(ds->nclasses, 3);
    cr_assert_str_eq(ds->class_names[0], "a,b");
    cr_assert_str_eq(ds->class_names[1], "say \"hi\"");
    cr_assert_str_eq(ds->class_names[2], "two\nlines");
    cr_assert_eq(ds->y[0], 0.0);
    cr_assert_eq(ds->y[1], 2.0);
    cr_assert_eq(ds->y[2], 1.0);
    dataset_unref(ds);
}

Test(csv, blanks_around_fields)
{
    Dataset *ds = load_ok(" a , b ,  y\n 1 ,\t2\t, \" sp \" \n3,4,z\n", NULL);
    cr_assert_str_eq(ds->names[0], "a");
    cr_assert_str_eq(ds->names[1], "b");
    cr_assert_str_eq(ds->ynames[0], "y");
    cr_assert_eq(ds->X[0], 1.0);
    cr_assert_eq(ds->X[1], 2.0);
    cr_assert_str_eq(ds->class_names[0], " sp ", "quoted text keeps its blanks");
    dataset_unref(ds);
}

Test(csv, crlf_bom_and_blank_lines)
{
    Dataset *ds = load_ok("\xEF\xBB\xBF" "a,y\r\n1,2\r\n\r\n3,4\r\n\r\n\r\n\n", NULL);
    cr_assert_str_eq(ds->names[0], "a", "the BOM is not part of the first name");
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->X[1], 3.0);
    cr_assert_eq(ds->y[1], 4.0);
    dataset_unref(ds);

    /* no final newline; lone CR line ends */
    ds = load_ok("a,y\r1,2\r3,4", NULL);
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->y[1], 4.0);
    dataset_unref(ds);

    /* CRLF inside quotes stays in the value */
    ds = load_ok("a,y\r\n1,\"p\r\nq\"\r\n2,r\r\n", NULL);
    cr_assert_eq(ds->n, 2);
    cr_assert_str_eq(ds->class_names[0], "p\r\nq");
    dataset_unref(ds);

    /* line numbers in messages count CRLF lines once and blank lines too */
    const char *msg = load_err("a,y\r\n1,2\r\n\r\n\"x\ny\",3\r\n", NULL);
    assert_has(msg, "data.csv: row 4, column 'a': 'x\ny' is not a number");
}

Test(csv, targets_by_name_index_and_several)
{
    const char *text = "a,b,c,d\n1,2,3,4\n5,6,7,8\n";
    Dataset *ds = load_ok(text, &(CsvOptions){.target = "b"});
    cr_assert_eq(ds->d, 3);
    cr_assert_str_eq(ds->names[1], "c");
    cr_assert_str_eq(ds->ynames[0], "b");
    cr_assert_eq(ds->y[1], 6.0);
    cr_assert_eq(ds->X[3], 5.0);
    dataset_unref(ds);

    ds = load_ok(text, &(CsvOptions){.target = "0"});
    cr_assert_str_eq(ds->ynames[0], "a");
    dataset_unref(ds);

    ds = load_ok(text, &(CsvOptions){.target = "-2"});
    cr_assert_str_eq(ds->ynames[0], "c");
    dataset_unref(ds);

    ds = load_ok(text, &(CsvOptions){.target = "d, a"});
    cr_assert_eq(ds->ny, 2);
    cr_assert_eq(ds->d, 2);
    cr_assert_str_eq(ds->ynames[0], "d");
    cr_assert_str_eq(ds->ynames[1], "a");
    double y[] = {4, 1, 8, 5};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(ds->y[i], y[i]);
    cr_assert_eq(ds->X[0], 2.0);
    cr_assert_eq(ds->X[1], 3.0);
    cr_assert_eq(ds->nclasses, 0, "several targets: no classes");
    cr_assert_eq(ds->task, TASK_REGRESSION);
    dataset_unref(ds);

    const char *msg = load_err(text, &(CsvOptions){.target = "a,a"});
    assert_has(msg, "column 'a' is named twice in target=");
    msg = load_err(text, &(CsvOptions){.target = "7"});
    assert_has(msg, "target=7: column index out of range (the file has 4 columns");
    msg = load_err("a,b,y\n1,2,x\n3,4,z\n", &(CsvOptions){.target = "y,a"});
    assert_has(msg, "target column 'y' holds text; several targets must all be numeric");
}

Test(csv, drop_columns)
{
    Dataset *ds = load_ok("id,AGE,B,y\n1,30,5,0\n2,40,6,1\n", &(CsvOptions){.drop = "id,B"});
    cr_assert_eq(ds->d, 1);
    cr_assert_str_eq(ds->names[0], "AGE");
    cr_assert_eq(ds->X[1], 40.0);
    cr_assert_eq(ds->task, TASK_BINARY);
    dataset_unref(ds);
    /* a dropped column may hold anything, even missing cells */
    ds = load_ok("note,x,y\n\"any, text\",1,2\n,3,4\n", &(CsvOptions){.drop = "note"});
    cr_assert_eq(ds->n, 2);
    dataset_unref(ds);
    const char *msg = load_err("a,b,y\n1,2,3\n", &(CsvOptions){.drop = "y"});
    assert_has(msg, "column 'y' cannot be both target and drop");
}

Test(csv, onehot_expansion)
{
    const char *text = "city,size,color,y\n"
                       "Paris,1,red,0\n"
                       "Berlin,2,blue,1\n"
                       "Paris,3,green,0\n"
                       "Athens,4,red,1\n";
    Dataset *ds = load_ok(text, &(CsvOptions){.onehot = "color,city"});
    cr_assert_eq(ds->n, 4);
    cr_assert_eq(ds->d, 7);
    const char *names[] = {"city=Athens", "city=Berlin", "city=Paris", "size", "color=blue", "color=green",
                           "color=red"};
    for (int j = 0; j < 7; j++)
        cr_assert_str_eq(ds->names[j], names[j]);
    double X[4][7] = {
        {0, 0, 1, 1, 0, 0, 1},
        {0, 1, 0, 2, 1, 0, 0},
        {0, 0, 1, 3, 0, 1, 0},
        {1, 0, 0, 4, 0, 0, 1},
    };
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 7; j++)
            cr_assert_eq(ds->X[i * 7 + j], X[i][j], "X[%d][%d]", i, j);
    cr_assert_eq(dataset_column(ds, "color=red"), 6);
    dataset_unref(ds);

    /* numbers in a one-hot column are categories; order is byte-wise */
    ds = load_ok("zip,v,y\n10,1,0\n9,1,1\n10,2,0\n", &(CsvOptions){.onehot = "zip"});
    cr_assert_str_eq(ds->names[0], "zip=10");
    cr_assert_str_eq(ds->names[1], "zip=9");
    dataset_unref(ds);
}

Test(csv, string_target_classes_sorted_bytewise)
{
    Dataset *ds = load_ok("x,y\n1,beta\n2,Alpha\n3,alpha\n4,beta\n5,_\n", NULL);
    cr_assert_eq(ds->nclasses, 4);
    cr_assert_eq(ds->task, TASK_MULTICLASS);
    cr_assert_str_eq(ds->class_names[0], "Alpha");
    cr_assert_str_eq(ds->class_names[1], "_");
    cr_assert_str_eq(ds->class_names[2], "alpha");
    cr_assert_str_eq(ds->class_names[3], "beta");
    cr_assert_null(ds->class_values);
    double y[] = {3, 0, 2, 3, 1};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(ds->y[i], y[i]);
        cr_assert_eq(ds->label[i], (int)y[i]);
    }
    dataset_unref(ds);

    /* text anywhere makes the whole target text, numbers become class names as written */
    ds = load_ok("x,y\n1,1.0\n2,yes\n3,1.0\n", NULL);
    cr_assert_eq(ds->nclasses, 2);
    cr_assert_eq(ds->task, TASK_BINARY);
    cr_assert_str_eq(ds->class_names[0], "1.0");
    dataset_unref(ds);

    const char *msg = load_err("x,y\n1,cat\n2,cat\n", NULL);
    assert_has(msg, "the target 'y' has a single class ('cat')");
}

Test(csv, numeric_target_classes)
{
    Dataset *ds = load_ok("x,y\n1,2\n2,0\n3,1\n4,2.0\n", NULL);
    cr_assert_eq(ds->nclasses, 3);
    cr_assert_eq(ds->task, TASK_MULTICLASS);
    cr_assert_str_eq(ds->class_names[0], "0");
    cr_assert_str_eq(ds->class_names[2], "2");
    cr_assert_eq(ds->class_values[1], 1.0);
    cr_assert_eq(ds->y[0], 2.0, "numeric targets keep their values in y");
    cr_assert_eq(ds->label[0], 2);
    cr_assert_eq(ds->label[3], 2);
    dataset_unref(ds);

    ds = load_ok("x,y\n1,0.5\n2,1\n", NULL);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    cr_assert_eq(ds->nclasses, 0);
    dataset_unref(ds);
}

Test(csv, missing_tokens_error_by_default)
{
    const char *tokens[] = {"", "NA", "N/A", "NaN", "nan", "null", "?", "NAN", "-nan"};
    for (size_t k = 0; k < sizeof tokens / sizeof *tokens; k++) {
        char text[128];
        snprintf(text, sizeof text, "a,b,y\n1,2,3\n4,%s,6\n", tokens[k]);
        const char *msg = load_err(text, NULL);
        assert_has(msg, "data.csv: row 3, column 'b': missing value");
        assert_has(msg, "missing=drop or missing=mean");
        cr_assert(k == 0 || strstr(msg, tokens[k]), "%s", msg);
    }
    const char *msg = load_err("a,b,y\n1,,3\n", NULL);
    assert_has(msg, "missing value (empty cell)");
}

Test(csv, missing_drop)
{
    CsvOptions o = defaults();
    o.missing = MISSING_DROP;
    Dataset *ds = load_ok("a,b,c,y\n1,2,x,3\nNA,5,y,6\n7,8,?,9\n10,11,z,\n12,13,w,14\n",
                          &(CsvOptions){.missing = MISSING_DROP, .onehot = "c"});
    cr_assert_eq(ds->n, 2, "rows with a missing feature, one-hot cell or target are dropped");
    cr_assert_eq(ds->X[0], 1.0);
    cr_assert_eq(ds->d, 4, "values of dropped rows make no one-hot column");
    cr_assert_str_eq(ds->names[2], "c=w");
    cr_assert_str_eq(ds->names[3], "c=x");
    cr_assert_eq(ds->y[1], 14.0);
    dataset_unref(ds);
    const char *msg = load_err("a,y\n1,NA\n?,2\n", &o);
    assert_has(msg, "no rows left: all 2 data rows have missing values");
}

Test(csv, missing_mean)
{
    CsvOptions o = defaults();
    o.missing = MISSING_MEAN;
    o.onehot = "c";
    Dataset *ds = load_ok("a,b,c,y\n1,NA,p,1\n2,10,,2\nnan,20,q,3\n4,,p,4\n", &o);
    cr_assert_eq(ds->n, 4);
    cr_assert_eq(ds->d, 4);
    /* a: (1+2+4)/3; b: (10+20)/2; c: p in 2 of 3 present rows */
    cr_assert_eq(ds->X[2 * 4 + 0], 7.0 / 3.0);
    cr_assert_eq(ds->X[0 * 4 + 1], 15.0);
    cr_assert_eq(ds->X[3 * 4 + 1], 15.0);
    cr_assert_eq(ds->X[1 * 4 + 2], 2.0 / 3.0);
    cr_assert_eq(ds->X[1 * 4 + 3], 1.0 / 3.0);
    cr_assert_eq(ds->X[0 * 4 + 2], 1.0);
    cr_assert_eq(ds->X[0 * 4 + 3], 0.0);
    dataset_unref(ds);

    o.onehot = NULL;
    const char *msg = load_err("a,y\n1,2\n3,NA\n", &o);
    assert_has(msg, "data.csv: row 3, column 'y': the target is missing");
    msg = load_err("a,b,y\n1,NA,2\n3,,4\n", &o);
    assert_has(msg, "column 'b' has no values to take the mean of");
    o.onehot = "c";
    msg = load_err("c,x,y\nNA,1,2\n,3,4\n", &o);
    assert_has(msg, "column 'c' has no values to take the mean of");
}

Test(csv, infinity_is_an_error)
{
    const char *msg = load_err("a,y\n1,2\ninf,3\n", NULL);
    assert_has(msg, "data.csv: row 3, column 'a': 'inf' is not a finite number");
    msg = load_err("a,y\n1,2\n-inf,3\n", NULL);
    assert_has(msg, "'-inf' is not a finite number");
    msg = load_err("a,y\n1,2\n1e999,3\n", NULL);
    assert_has(msg, "'1e999' is not a finite number");
    msg = load_err("a,y\n1,2\n2,-Infinity\n", NULL);
    assert_has(msg, "row 3, column 'y': '-Infinity' is not a finite number");
}

Test(csv, numbers_ignore_the_process_locale)
{
    const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE"};
    const char *set = NULL;
    for (size_t k = 0; k < 4 && !set; k++)
        set = setlocale(LC_NUMERIC, locales[k]);
    if (set) {
        char buf[16];
        snprintf(buf, sizeof buf, "%.1f", 1.5);
        cr_assert_str_eq(buf, "1,5", "the locale %s uses a decimal comma", set);
    } else {
        cr_log_warn("no decimal-comma locale installed (locale -a): only the C locale is checked");
    }
    Dataset *ds = load_ok("a,y\n1.5,2.25\n", NULL);
    cr_assert_eq(ds->X[0], 1.5);
    cr_assert_eq(ds->y[0], 2.25);
    dataset_unref(ds);
    const char *msg = load_err("a;y\n1,5;2\n", &(CsvOptions){.decimal = '.'});
    assert_has(msg, "'1,5' is not a number");
    /* A decimal comma is read by the loader, not by the locale: the same bits under any LC_NUMERIC. */
    ds = load_ok("a;y\n-0,388;2,25\n1,5e-3;1\n", NULL);
    cr_assert_eq(ds->X[0], -0.388);
    cr_assert_eq(ds->y[0], 2.25);
    cr_assert_eq(ds->X[1], 1.5e-3);
    dataset_unref(ds);
    setlocale(LC_NUMERIC, "C");
}

/* Cells are parsed with a fast path for plain decimals; every result must be
 * the correctly rounded one that fb_parse_double (strtod) gives. */
Test(csv, fast_number_path_matches_strtod)
{
    enum { N = 20000 };
    static char cell[N][40];
    uint64_t st = 88172645463325252ull;   /* xorshift64: any spread of digits will do */
    for (int i = 0; i < N; i++) {
        st ^= st << 13, st ^= st >> 7, st ^= st << 17;
        double mant = (double)(st >> 11) / 9007199254740992.0;
        int ex = (int)(st % 61) - 30;
        double v = mant * pow(10.0, ex) * ((st >> 7) & 1 ? -1 : 1);
        int prec = 1 + (int)((st >> 20) % 19);
        switch ((st >> 30) % 6) {
        case 0: snprintf(cell[i], sizeof cell[i], "%.*f", prec % 12, v); break;
        case 1: snprintf(cell[i], sizeof cell[i], "%.*e", prec, v); break;
        case 2: snprintf(cell[i], sizeof cell[i], "%.*g", prec, v); break;
        case 3: snprintf(cell[i], sizeof cell[i], "%lld", (long long)(st >> 12) % 100000000000000000ll); break;
        case 4: snprintf(cell[i], sizeof cell[i], "%.17g", v); break;
        default: snprintf(cell[i], sizeof cell[i], "0.%0*d%d", prec, 0, (int)(st % 1000)); break;
        }
    }
    FILE *f = fopen("data.csv", "w");
    cr_assert(f);
    fprintf(f, "x,y\n");
    for (int i = 0; i < N; i++)
        fprintf(f, "%s,%d\n", cell[i], i);
    fprintf(f, "-0,1\n+.5,2\n5.,3\n1E+2,4\n9007199254740993,5\n0.1e-22,6\n123456789012345678901234567890,7\n");
    cr_assert_eq(fclose(f), 0);
    Dataset *ds = NULL;
    FbErr err;
    cr_assert_eq(csv_load("data.csv", NULL, &ds, &err), 0, "%s", err.msg);
    cr_assert_eq(ds->n, N + 7);
    for (int i = 0; i < N; i++) {
        double want;
        cr_assert(fb_parse_double(cell[i], strlen(cell[i]), &want));
        cr_assert(memcmp(&ds->X[i], &want, sizeof want) == 0, "'%s' gave %.17g, strtod %.17g", cell[i],
                  ds->X[i], want);
    }
    cr_assert(signbit(ds->X[N]) && ds->X[N] == 0.0, "-0 keeps its sign");
    cr_assert_eq(ds->X[N + 1], 0.5);
    cr_assert_eq(ds->X[N + 2], 5.0);
    cr_assert_eq(ds->X[N + 3], 100.0);
    cr_assert_eq(ds->X[N + 4], 9007199254740992.0, "2^53 + 1 rounds to even");
    cr_assert_eq(ds->X[N + 5], 0.1e-22);
    cr_assert_eq(ds->X[N + 6], 123456789012345678901234567890.0);
    dataset_unref(ds);
}

/* ------------------------------------------------------------ errors */

Test(csv, bad_cell_names_row_and_column)
{
    const char *text = "ID,AGE,y\n1,30,1\n2,31,1\n3,32,1\n4,33,1\n5,34,1\n6,abc,1\n";
    const char *msg = load_err(text, NULL);
    cr_assert_str_eq(msg, "data.csv: row 7, column 'AGE': 'abc' is not a number");
    /* a text column from the first row gets the onehot/drop hint */
    msg = load_err("city,y\nParis,1\n", NULL);
    assert_has(msg, "data.csv: row 2, column 'city': 'Paris' is not a number");
    assert_has(msg, "onehot=city");
    assert_has(msg, "drop=city");
    /* long cells are shortened in the message */
    char big[300];
    memset(big, 'z', 200);
    big[200] = '\0';
    char text2[400];
    snprintf(text2, sizeof text2, "a,y\n%s,1\n", big);
    msg = load_err(text2, NULL);
    assert_has(msg, "zzzz...'");
    cr_assert(strlen(msg) < 200);
}

Test(csv, ragged_rows)
{
    const char *msg = load_err("a,b,c,y\n1,2,3,4\n5,6,7,8\n1,2,3,4\n1,2,3\n", NULL);
    cr_assert_str_eq(msg, "data.csv: row 5 has 3 fields, expected 4");
    msg = load_err("a,b\n1,2\n1\n", NULL);
    cr_assert_str_eq(msg, "data.csv: row 3 has 1 field, expected 2");
    msg = load_err("a,b\n1,2,3\n", NULL);
    cr_assert_str_eq(msg, "data.csv: row 2 has 3 fields, expected 2");
}

Test(csv, unclosed_quote)
{
    const char *msg = load_err("a,b\n1,2\n3,\"4\n5,6\n", NULL);
    cr_assert_str_eq(msg, "data.csv: row 3: unclosed quote");
}

Test(csv, nul_byte)
{
    write_bytes("data.csv", "a,b\n1,2\n3\0,4\n", 13);
    Dataset *ds = NULL;
    FbErr err;
    cr_assert_eq(csv_load("data.csv", NULL, &ds, &err), -1);
    assert_has(err.msg, "data.csv: row 3: NUL byte");
    cr_assert_null(ds);
}

Test(csv, empty_and_header_only)
{
    cr_assert_str_eq(load_err("", NULL), "data.csv is empty");
    cr_assert_str_eq(load_err("\n\r\n  \n", NULL), "data.csv is empty");
    cr_assert_str_eq(load_err("\xEF\xBB\xBF", NULL), "data.csv is empty");
    cr_assert_str_eq(load_err("a,b,c\n", NULL), "data.csv has a header but no data rows");
    cr_assert_str_eq(load_err("a,b,c\n\n\n", &(CsvOptions){.header = HEADER_YES}),
                     "data.csv has a header but no data rows");
}

Test(csv, paths_that_cannot_be_read)
{
    Dataset *ds = NULL;
    FbErr err;
    cr_assert_eq(mkdir("data.csv", 0700), 0);
    cr_assert_eq(csv_load("data.csv", NULL, &ds, &err), -1);
    cr_assert_str_eq(err.msg, "data.csv is a directory");
    cr_assert_eq(csv_load("nothere.csv", NULL, &ds, &err), -1);
    cr_assert_str_eq(err.msg, "cannot open nothere.csv: No such file or directory");
    if (geteuid() != 0) {   /* root reads anything */
        write_text("locked.csv", "a,b\n1,2\n");
        cr_assert_eq(chmod("locked.csv", 0), 0);
        cr_assert_eq(csv_load("locked.csv", NULL, &ds, &err), -1);
        cr_assert_str_eq(err.msg, "locked.csv: Permission denied");
    }
    cr_assert_null(ds);
}

Test(csv, duplicate_column_names)
{
    const char *msg = load_err("a,b,a,y\n1,2,3,4\n", NULL);
    cr_assert_str_eq(msg, "data.csv: duplicate column name 'a' (columns 1 and 3)");
}

Test(csv, unknown_columns_get_suggestions)
{
    const char *text = "CRIM,AGE,TAX,MEDV\n1,2,3,4\n";
    const char *msg = load_err(text, &(CsvOptions){.target = "MEDVV"});
    cr_assert_str_eq(msg, "data.csv: target=MEDVV: no column 'MEDVV' (did you mean 'MEDV'? columns can be named, or "
                          "given by 0-based index 0..3)");
    msg = load_err(text, &(CsvOptions){.drop = "AGEE"});
    assert_has(msg, "drop=AGEE: no column 'AGEE' (did you mean 'AGE'? ");
    msg = load_err(text, &(CsvOptions){.target = "medv"});
    assert_has(msg, "no column 'medv' (did you mean 'MEDV'? ");
    msg = load_err(text, &(CsvOptions){.onehot = "TAXES"});
    assert_has(msg, "onehot=TAXES: no column 'TAXES'");
    msg = load_err(text, &(CsvOptions){.drop = "zzzzzz"});
    assert_has(msg, "no column 'zzzzzz' (columns can be named, or given by 0-based index 0..3; the columns are 'CRIM', "
                    "'AGE', 'TAX', 'MEDV')");
    msg = load_err(text, &(CsvOptions){.drop = "AGE,,TAX"});
    assert_has(msg, "drop= has an empty column name");
}

Test(csv, no_feature_left)
{
    const char *msg = load_err("a,b,y\n1,2,3\n", &(CsvOptions){.drop = "a,b"});
    assert_has(msg, "data.csv: no feature column left");
    msg = load_err("y\n1\n2\n", NULL);
    assert_has(msg, "data.csv: no feature column left");
}

Test(csv, mixed_target_after_many_numbers_is_an_error)
{
    /* 5000 distinct numbers, then text: the numbers were not kept as text */
    size_t cap = 5000 * 24 + 64, len = 0;
    char *text = malloc(cap);
    cr_assert(text);
    len += (size_t)snprintf(text + len, cap - len, "x,y\n");
    for (int i = 0; i < 5000; i++)
        len += (size_t)snprintf(text + len, cap - len, "%d,%d.5\n", i, i);
    snprintf(text + len, cap - len, "1,oops\n");
    const char *msg = load_err(text, NULL);
    assert_has(msg, "row 5002, column 'y': 'oops' is not a number");
    text[len] = '\0';
    Dataset *ds = load_ok(text, NULL);
    cr_assert_eq(ds->n, 5000);
    cr_assert_eq(ds->y[4999], 4999.5);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    dataset_unref(ds);
    free(text);
}

/* ------------------------------------------------------------ streaming */

/* The reader sees the file in 1 MiB chunks: move a tricky record across the
 * chunk boundary byte by byte (quotes, doubled quotes, CRLF inside and after
 * quotes) and check values and line numbers each time. */
Test(csv, records_across_chunk_boundaries)
{
    const char *tricky = "\"q\"\"u,o\r\nte\",b,2\r\n";
    size_t tl = strlen(tricky);
    const size_t chunk = 1 << 20;
    const char *head = "p,s,t\r\n\"";
    char *buf = malloc(chunk + 256);
    cr_assert(buf);
    for (size_t k = 0; k <= tl + 1; k++) {
        /* head, then a quoted pad so the tricky record starts at chunk - k */
        size_t len = 0;
        memcpy(buf, head, strlen(head));
        len = strlen(head);
        size_t pad = chunk - k - len - strlen("\",a,1\r\n");
        memset(buf + len, 'p', pad);
        len += pad;
        len += (size_t)sprintf(buf + len, "\",a,1\r\n");
        cr_assert_eq(len, chunk - k);
        memcpy(buf + len, tricky, tl);
        len += tl;
        len += (size_t)sprintf(buf + len, "x,\"c\",3\r\n");
        write_bytes("data.csv", buf, len);
        Dataset *ds = NULL;
        FbErr err;
        int rc = csv_load("data.csv", &(CsvOptions){.target = "s", .drop = "p"}, &ds, &err);
        cr_assert_eq(rc, 0, "k=%zu: %s", k, err.msg);
        cr_assert_eq(ds->n, 3);
        cr_assert_eq(ds->nclasses, 3);
        cr_assert_str_eq(ds->class_names[0], "a");
        cr_assert_str_eq(ds->class_names[1], "b");
        cr_assert_str_eq(ds->class_names[2], "c");
        cr_assert_eq(ds->X[1], 2.0, "k=%zu", k);
        cr_assert_eq(ds->y[1], 1.0);
        dataset_unref(ds);

        rc = csv_load("data.csv", &(CsvOptions){.target = "p", .drop = "s"}, &ds, &err);
        cr_assert_eq(rc, 0, "k=%zu: %s", k, err.msg);
        cr_assert_eq(ds->class_names[1][0], 'q');
        cr_assert_str_eq(ds->class_names[1], "q\"u,o\r\nte", "k=%zu", k);
        dataset_unref(ds);

        /* a bad cell after it: lines count the quoted CRLF */
        len += (size_t)sprintf(buf + len, "7,8,nine\r\n");
        write_bytes("data.csv", buf, len);
        rc = csv_load("data.csv", &(CsvOptions){.target = "s", .drop = "p"}, &ds, &err);
        cr_assert_eq(rc, -1);
        cr_assert_str_eq(err.msg, "data.csv: row 6, column 't': 'nine' is not a number", "k=%zu", k);
    }
    free(buf);
}

Test(csv, huge_field)
{
    /* a 10 MB quoted field in a dropped column loads; in a feature it is a clean error */
    size_t big = 10u << 20;
    char *buf = malloc(big + 64);
    cr_assert(buf);
    size_t len = (size_t)sprintf(buf, "note,x,y\n\"");
    memset(buf + len, 'n', big);
    len += big;
    len += (size_t)sprintf(buf + len, "\",1,2\n,3,4\n");
    write_bytes("data.csv", buf, len);
    free(buf);
    Dataset *ds = NULL;
    FbErr err;
    cr_assert_eq(csv_load("data.csv", &(CsvOptions){.drop = "note"}, &ds, &err), 0, "%s", err.msg);
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->X[1], 3.0);
    dataset_unref(ds);
    cr_assert_eq(csv_load("data.csv", &(CsvOptions){.target = "y"}, &ds, &err), -1);
    assert_has(err.msg, "data.csv: row 2, column 'note': 'nnnn");
    assert_has(err.msg, "...' is not a number");
}

Test(csv, many_rows_grow_and_stay_exact)
{
    FILE *f = fopen("data.csv", "w");
    cr_assert(f);
    fprintf(f, "a,b,y\n");
    const int n = 300000;
    for (int i = 0; i < n; i++)
        fprintf(f, "%d,%d.25,%d\n", i, -i, i % 7);
    cr_assert_eq(fclose(f), 0);
    Dataset *ds = NULL;
    FbErr err;
    cr_assert_eq(csv_load("data.csv", NULL, &ds, &err), 0, "%s", err.msg);
    cr_assert_eq(ds->n, (size_t)n);
    cr_assert_eq(ds->X[2 * 123456], 123456.0);
    cr_assert_eq(ds->X[2 * 123456 + 1], -123456.25);
    cr_assert_eq(ds->X[2 * (n - 1)], (double)(n - 1));
    cr_assert_eq(ds->nclasses, 7);
    cr_assert_eq(ds->label[n - 1], (n - 1) % 7);
    dataset_unref(ds);
}

/* ------------------------------------------------------------ shipped datasets */

static Dataset *load_shipped(const char *name, const CsvOptions *opt)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/datasets/%s", srcdir, name);
    Dataset *ds = NULL;
    FbErr err;
    cr_assert_eq(csv_load(path, opt, &ds, &err), 0, "%s: %s", name, err.msg);
    return ds;
}

Test(csv, shipped_boston)
{
    Dataset *ds = load_shipped("boston.csv", NULL);
    cr_assert_eq(ds->n, 506);
    cr_assert_eq(ds->d, 13);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    cr_assert_str_eq(ds->names[0], "CRIM");
    cr_assert_str_eq(ds->names[11], "B");
    cr_assert_str_eq(ds->ynames[0], "MEDV");
    /* first row 0.00632,18,2.31,0,0.538,6.575,65.2,4.09,1,296,15.3,396.9,4.98,24 */
    cr_assert_eq(ds->X[0], 0.00632);
    cr_assert_eq(ds->X[5], 6.575);
    cr_assert_eq(ds->X[12], 4.98);
    cr_assert_eq(ds->y[0], 24.0);
    /* last row 0.04741,0,11.93,0,0.573,6.03,80.8,2.505,1,273,21,396.9,7.88,11.9 */
    cr_assert_eq(ds->X[505 * 13 + 0], 0.04741);
    cr_assert_eq(ds->X[505 * 13 + 7], 2.505);
    cr_assert_eq(ds->y[505], 11.9);
    dataset_unref(ds);

    ds = load_shipped("boston.csv", &(CsvOptions){.drop = "B"});
    cr_assert_eq(ds->d, 12);
    cr_assert_str_eq(ds->names[11], "LSTAT");
    dataset_unref(ds);
}

Test(csv, shipped_diabetes)
{
    Dataset *ds = load_shipped("diabetes.csv", NULL);
    cr_assert_eq(ds->n, 442);
    cr_assert_eq(ds->d, 10);
    cr_assert_eq(ds->task, TASK_REGRESSION);
    cr_assert_str_eq(ds->ynames[0], "progression");
    /* 59,2,32.1,101,157,93.2,38,4,4.8598,87,151 */
    cr_assert_eq(ds->X[2], 32.1);
    cr_assert_eq(ds->X[8], 4.8598);
    cr_assert_eq(ds->y[0], 151.0);
    /* last: 36,1,19.6,71,250,133.2,97,3,4.5951,92,57 */
    cr_assert_eq(ds->X[441 * 10 + 8], 4.5951);
    cr_assert_eq(ds->y[441], 57.0);
    dataset_unref(ds);
}

Test(csv, shipped_iris)
{
    Dataset *ds = load_shipped("iris.csv", NULL);
    cr_assert_eq(ds->n, 150);
    cr_assert_eq(ds->d, 4);
    cr_assert_eq(ds->task, TASK_MULTICLASS);
    cr_assert_eq(ds->nclasses, 3);
    cr_assert_str_eq(ds->class_names[0], "setosa");
    cr_assert_str_eq(ds->class_names[1], "versicolor");
    cr_assert_str_eq(ds->class_names[2], "virginica");
    cr_assert_str_eq(ds->ynames[0], "species");
    cr_assert_eq(ds->X[0], 5.1);
    cr_assert_eq(ds->X[1], 3.5);
    cr_assert_eq(ds->label[0], 0);
    cr_assert_eq(ds->y[0], 0.0);
    /* last row 5.9,3,5.1,1.8,virginica */
    cr_assert_eq(ds->X[149 * 4 + 2], 5.1);
    cr_assert_eq(ds->label[149], 2);
    size_t count[3] = {0};
    for (size_t i = 0; i < ds->n; i++)
        count[ds->label[i]]++;
    cr_assert_eq(count[0], 50);
    cr_assert_eq(count[1], 50);
    cr_assert_eq(count[2], 50);
    dataset_unref(ds);
}

Test(csv, shipped_wine)
{
    Dataset *ds = load_shipped("wine.csv", NULL);
    cr_assert_eq(ds->n, 178);
    cr_assert_eq(ds->d, 13);
    cr_assert_eq(ds->nclasses, 3);
    cr_assert_eq(ds->task, TASK_MULTICLASS);
    cr_assert_str_eq(ds->class_names[0], "class_0");
    cr_assert_str_eq(ds->class_names[2], "class_2");
    cr_assert_str_eq(ds->names[11], "od280/od315_of_diluted_wines");
    cr_assert_eq(ds->X[0], 14.23);
    cr_assert_eq(ds->X[12], 1065.0);
    cr_assert_eq(ds->label[177], 2);
    size_t count[3] = {0};
    for (size_t i = 0; i < ds->n; i++)
        count[ds->label[i]]++;
    cr_assert_eq(count[0], 59);
    cr_assert_eq(count[1], 71);
    cr_assert_eq(count[2], 48);
    dataset_unref(ds);
}

Test(csv, shipped_breast_cancer)
{
    Dataset *ds = load_shipped("breast_cancer.csv", NULL);
    cr_assert_eq(ds->n, 569);
    cr_assert_eq(ds->d, 30);
    cr_assert_eq(ds->task, TASK_BINARY);
    cr_assert_eq(ds->nclasses, 2);
    cr_assert_str_eq(ds->class_names[0], "benign");
    cr_assert_str_eq(ds->class_names[1], "malignant");
    cr_assert_str_eq(ds->ynames[0], "diagnosis");
    cr_assert_eq(ds->X[0], 17.99);
    cr_assert_eq(ds->X[29], 0.1189);
    cr_assert_eq(ds->label[0], 1);
    cr_assert_eq(ds->label[568], 0);
    size_t malignant = 0;
    for (size_t i = 0; i < ds->n; i++)
        malignant += ds->label[i] == 1;
    cr_assert_eq(malignant, 212);
    dataset_unref(ds);
}

Test(csv, shipped_digits)
{
    Dataset *ds = load_shipped("digits.csv", NULL);
    cr_assert_eq(ds->n, 1797);
    cr_assert_eq(ds->d, 64);
    cr_assert_eq(ds->task, TASK_MULTICLASS);
    cr_assert_eq(ds->nclasses, 10);
    cr_assert_str_eq(ds->class_names[0], "0");
    cr_assert_str_eq(ds->class_names[9], "9");
    cr_assert_eq(ds->class_values[9], 9.0);
    cr_assert_eq(ds->X[2], 5.0);
    cr_assert_eq(ds->X[3], 13.0);
    cr_assert_eq(ds->y[1796], 8.0);
    cr_assert_eq(ds->label[1796], 8);
    cr_assert_eq(ds->X[1796 * 64 + 2], 10.0);
    dataset_unref(ds);
}

/* ---- the parallel fast path (files of 1 MB or more) must agree with the streaming reader ---- */

#include <cblas.h>

static Dataset *load_with_threads(const char *path, int threads, FbErr *err)
{
    openblas_set_num_threads(threads);
    CsvOptions o;
    csv_options_default(&o);
    Dataset *ds = NULL;
    int rc = csv_load(path, &o, &ds, err);
    openblas_set_num_threads(1);
    return rc ? NULL : ds;
}

/* A ~3 MB table of awkward but valid numbers; `late` is put in at row 30000 (1-based data row). */
static void write_big(const char *path, const char *late)
{
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    fputs("a,b,c,y\r\n", fp);
    for (int i = 1; i <= 40000; i++) {
        if (i == 30000 && late) {
            fputs(late, fp);
            continue;
        }
        fprintf(fp, "%.17g,%d.%03d,-%de-3,%d\r\n", i * 0.1 + 1e-9 * i, i % 977, i % 1000, i, i % 3);
        if (i % 5000 == 0)
            fputs("\r\n", fp); /* blank lines are skipped */
    }
    fclose(fp);
}

Test(csv, parallel_parse_equals_streaming)
{
    char dir[] = "/tmp/fbcsvparXXXXXX";
    cr_assert(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    write_big(path, NULL);
    FbErr e1, e2;
    Dataset *one = load_with_threads(path, 1, &e1), *two = load_with_threads(path, 2, &e2);
    cr_assert(one && two, "%s / %s", e1.msg, e2.msg);
    cr_assert_eq(one->n, 40000);
    cr_assert_eq(two->n, one->n);
    cr_assert_eq(memcmp(one->X, two->X, one->n * one->d * sizeof(double)), 0);
    cr_assert_eq(memcmp(one->y, two->y, one->n * sizeof(double)), 0);
    cr_assert_eq(two->nclasses, 3);
    /* Every value equals the correctly rounded parse of the text written. */
    for (int i = 1; i <= 40000; i++) {
        char cell[3][64];
        snprintf(cell[0], 64, "%.17g", i * 0.1 + 1e-9 * i);
        snprintf(cell[1], 64, "%d.%03d", i % 977, i % 1000);
        snprintf(cell[2], 64, "-%de-3", i);
        for (int j = 0; j < 3; j++) {
            double want;
            cr_assert(fb_parse_double(cell[j], strlen(cell[j]), &want));
            cr_assert_eq(two->X[(size_t)(i - 1) * 3 + j], want, "row %d col %d", i, j);
        }
    }
    dataset_unref(one);
    dataset_unref(two);
    /* A bad cell late in the file: the same message, the same row, with either reader. */
    write_big(path, "1,2,zz,0\r\n");
    cr_assert_null(load_with_threads(path, 1, &e1));
    cr_assert_null(load_with_threads(path, 2, &e2));
    cr_assert_str_eq(e1.msg, e2.msg);
    cr_assert(strstr(e2.msg, "column 'c': 'zz' is not a number"), "%s", e2.msg);
    /* A quoted field late in the file sends the rest to the streaming reader: same table. */
    write_big(path, "\"1.5\",\"2\",\"3\",1\r\n");
    one = load_with_threads(path, 1, &e1);
    two = load_with_threads(path, 2, &e2);
    cr_assert(one && two);
    cr_assert_eq(memcmp(one->X, two->X, one->n * one->d * sizeof(double)), 0);
    dataset_unref(one);
    dataset_unref(two);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Found by fuzz_csv_parallel: a text target in the rows read before the fast path starts (here the first data
 * row) makes the target classes, and then every row's text must be interned; the fast path used to take over
 * anyway, so the classes missed the later rows ("a single class") or, with two texts first, class indices
 * were read from rows never written (a crash).  Now the serial reader keeps going, with either thread count. */
static Dataset *load_text_then_numbers(const char *first, HeaderMode header, int threads, FbErr *err)
{
    FILE *fp = fopen("late.csv", "w");
    cr_assert(fp);
    fputs(first, fp);
    for (int i = 0; i < 200000; i++)
        fprintf(fp, "%d,2.5,%d\n", i, i % 2);   /* 2.3 MB of plain numbers */
    cr_assert_eq(fclose(fp), 0);
    CsvOptions o;
    csv_options_default(&o);
    o.header = header;
    openblas_set_num_threads(threads);
    Dataset *ds = NULL;
    int rc = csv_load("late.csv", &o, &ds, err);
    openblas_set_num_threads(1);
    return rc ? NULL : ds;
}

Test(csv, parallel_text_target_in_first_rows)
{
    for (int threads = 1; threads <= 2; threads++) {
        FbErr err = {0};
        /* A header, then one text target. */
        Dataset *ds = load_text_then_numbers("a,b,y\n7,8,cat\n", HEADER_AUTO, threads, &err);
        cr_assert(ds, "%d threads: %s", threads, err.msg);
        cr_assert_eq(ds->n, 200001);
        cr_assert_eq(ds->nclasses, 3);
        cr_assert_str_eq(ds->class_names[0], "0");
        cr_assert_str_eq(ds->class_names[1], "1");
        cr_assert_str_eq(ds->class_names[2], "cat");
        cr_assert_eq(ds->y[0], 2.0);
        for (size_t i = 1; i < ds->n; i++)
            cr_assert_eq(ds->y[i], (double)((i - 1) % 2), "%d threads: row %zu", threads, i);
        cr_assert_eq(ds->X[ds->n * 2 - 2], 199999.0);
        dataset_unref(ds);
        /* No header: two text targets first (the loader reads two records before it decides). */
        ds = load_text_then_numbers("7,8,dog\n7,8,cat\n", HEADER_AUTO, threads, &err);
        cr_assert(ds, "%d threads: %s", threads, err.msg);
        cr_assert_eq(ds->n, 200002);
        cr_assert_eq(ds->nclasses, 4);
        cr_assert_str_eq(ds->class_names[3], "dog");
        cr_assert_eq(ds->y[0], 3.0);
        cr_assert_eq(ds->y[1], 2.0);
        cr_assert_eq(ds->y[ds->n - 1], 1.0);
        dataset_unref(ds);
    }
}

/* Found by fuzz_csv_parallel (a 2 MiB line of 700000 columns): the row table's first block was 1024 rows
 * whatever their width, so a file of three lines of 300000 columns asked for 2.3 GiB, and failed under any
 * address-space limit below that.  The first block is now at most 8 MiB; the file loads with 512 MiB to spare. */
Test(csv, wide_short_file_under_a_memory_limit)
{
    enum { COLS = 300000 };
    FILE *fp = fopen("wide.csv", "w");
    cr_assert(fp);
    for (int line = 0; line < 3; line++)
        for (int j = 0; j < COLS; j++) {
            if (line == 0)
                fprintf(fp, "c%d", j);
            else
                fputc(line == 1 ? '1' : '0' + j % 10, fp);
            fputc(j == COLS - 1 ? '\n' : ',', fp);
        }
    cr_assert_eq(fclose(fp), 0);
    /* The limit: what the process maps now (VmSize) plus 512 MiB. */
    size_t vm = 0;
    char line[256];
    FILE *st = fopen("/proc/self/status", "r");
    cr_assert(st);
    while (fgets(line, sizeof line, st))
        sscanf(line, "VmSize: %zu", &vm);
    fclose(st);
    cr_assert(vm > 0);
    struct rlimit old, lim;
    cr_assert_eq(getrlimit(RLIMIT_AS, &old), 0);
    lim.rlim_cur = (rlim_t)vm * 1024 + ((rlim_t)512 << 20);
    lim.rlim_max = old.rlim_max;
    cr_assert_eq(setrlimit(RLIMIT_AS, &lim), 0);
    Dataset *ds = NULL;
    FbErr err = {0};
    int rc = csv_load("wide.csv", NULL, &ds, &err);
    cr_assert_eq(setrlimit(RLIMIT_AS, &old), 0);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->d, COLS - 1);
    cr_assert_str_eq(ds->names[COLS - 2], "c299998");
    cr_assert_eq(ds->X[0], 1.0);
    cr_assert_eq(ds->X[COLS - 1 + 12345], 5.0);
    cr_assert_eq(ds->y[1], 9.0);
    dataset_unref(ds);
}

/* ------------------------------------------------------------ real-world files (issue 12 item 6, issue 13) */

Test(csv, decimal_comma_detected_with_semicolons)
{
    /* A European spreadsheet: ';' separates, ',' is the decimal mark. */
    Dataset *ds = load_ok("x1;x2;y\n-0,388;1,5;2\n0,25;-3;4,75\n", NULL);
    cr_assert_eq(ds->d, 2);
    cr_assert_str_eq(ds->names[0], "x1");
    cr_assert_eq(ds->X[0], -0.388);
    cr_assert_eq(ds->X[1], 1.5);
    cr_assert_eq(ds->X[2], 0.25);
    cr_assert_eq(ds->y[1], 4.75);
    dataset_unref(ds);
    /* Without a header the first record has as many commas as semicolons: still ';', and no header. */
    ds = load_ok("-0,388;1,5;2\n0,25;-3;4,75\n", NULL);
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->X[0], -0.388);
    cr_assert_str_eq(ds->names[0], "x0");
    dataset_unref(ds);
    ds = load_ok("\n\r\n1,5;2,5;3,5\n4;5;6\n", NULL);   /* 3 commas, 2 semicolons, after blank lines */
    cr_assert_eq(ds->d, 2);
    cr_assert_eq(ds->X[1], 2.5);
    dataset_unref(ds);
    /* decimal=, given: a tab-separated file, and quoted cells of a comma-separated one. */
    ds = load_ok("a\tb\ty\n1,25\t2\t3,5\n", &(CsvOptions){.decimal = ','});
    cr_assert_eq(ds->X[0], 1.25);
    cr_assert_eq(ds->y[0], 3.5);
    dataset_unref(ds);
    ds = load_ok("a,y\n\"1,25\",\"-2,5e1\"\n", &(CsvOptions){.decimal = ','});
    cr_assert_eq(ds->X[0], 1.25);
    cr_assert_eq(ds->y[0], -25.0);
    dataset_unref(ds);
    /* A ';' file with decimal points stays '.'; a ',' file never guesses. */
    ds = load_ok("a;y\n1.5;2\n", NULL);
    cr_assert_eq(ds->X[0], 1.5);
    dataset_unref(ds);
    const char *msg = load_err("a;y\n1,5;2\n", &(CsvOptions){.sep = ';', .decimal = '.'});
    assert_has(msg, "data.csv: row 2, column 'a': '1,5' is not a number: a decimal comma? load with decimal=,");
    msg = load_err("a;y\n1.5;2\n", &(CsvOptions){.decimal = ','});
    assert_has(msg, "row 2, column 'a': '1.5' is not a number: a decimal point, but decimal=, was given");
    msg = load_err("a;y\n1,5;2\n2;3\n7.5;1\n", NULL);   /* both marks in the first rows: '.', and a hint */
    assert_has(msg, "row 2, column 'a': '1,5' is not a number: a decimal comma? load with decimal=,");
    ds = load_ok("a;y\n2;2\n1.234;3\n", NULL);   /* no decimal comma anywhere: a point */
    cr_assert_eq(ds->X[1], 1.234);
    dataset_unref(ds);
    msg = load_err("a,y\n1,2\n", &(CsvOptions){.sep = ',', .decimal = ','});
    assert_has(msg, "the decimal mark and the separator are both ','");
    msg = load_err("a,y\n1,2\n", &(CsvOptions){.decimal = 'x'});
    assert_has(msg, "invalid decimal mark 'x'");
}

/* Big enough for the parallel fast path: the same numbers written with decimal commas and with points load to
 * the same bits, with one thread and with two. */
Test(csv, decimal_comma_fast_path_matches_points)
{
    FILE *a = fopen("comma.csv", "w"), *b = fopen("point.csv", "w");
    cr_assert(a && b);
    fputs("u;v;y\n", a);
    fputs("u;v;y\n", b);
    uint64_t s = 7;
    for (int i = 0; i < 100000; i++) {
        char row[3][40];
        for (int k = 0; k < 3; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            snprintf(row[k], sizeof row[k], "%s%llu.%06llu", (s >> 7) & 1 ? "-" : "",
                     (unsigned long long)(s >> 40) % 1000, (unsigned long long)(s >> 20) % 1000000);
        }
        fprintf(b, "%s;%s;%s\n", row[0], row[1], row[2]);
        for (int k = 0; k < 3; k++)
            *strchr(row[k], '.') = ',';
        fprintf(a, "%s;%s;%s\n", row[0], row[1], row[2]);
    }
    cr_assert_eq(fclose(a), 0);
    cr_assert_eq(fclose(b), 0);
    struct stat st;
    cr_assert_eq(stat("comma.csv", &st), 0);
    cr_assert_gt(st.st_size, 2 << 20, "the file must be big enough for two fast-path ranges");
    for (int threads = 1; threads <= 2; threads++) {
        openblas_set_num_threads(threads);
        Dataset *x = NULL, *y = NULL;
        FbErr err = {0};
        cr_assert_eq(csv_load("comma.csv", NULL, &x, &err), 0, "%s", err.msg);
        cr_assert_eq(csv_load("point.csv", NULL, &y, &err), 0, "%s", err.msg);
        cr_assert_eq(x->n, 100000);
        cr_assert_eq(memcmp(x->X, y->X, x->n * x->d * sizeof(double)), 0);
        cr_assert_eq(memcmp(x->y, y->y, x->n * sizeof(double)), 0);
        dataset_unref(x);
        dataset_unref(y);
    }
    /* A point deep in the file (past the rows the detection looks at) is refused, not misread. */
    FILE *c = fopen("comma.csv", "a");
    fputs("1,5;2.5;3\n", c);
    fclose(c);
    Dataset *x = (Dataset *)1;
    FbErr err = {0};
    cr_assert_eq(csv_load("comma.csv", NULL, &x, &err), -1);
    assert_has(err.msg, "comma.csv: row 100002, column 'v': '2.5' is not a number: a decimal point, but the decimal "
                        "comma was detected from the first rows");
}

Test(csv, thousands_separators_refused)
{
    static const struct {
        const char *text, *part;
    } cases[] = {
        {"a;y\n1;2\n1 234,5;3\n", "row 3, column 'a': '1 234,5' is not a number: it looks like digits grouped by a "
                                  "thousands separator"},
        {"a;y\n0,5;2\n1.234,5;3\n", "row 3, column 'a': '1.234,5' is not a number: it looks like digits grouped"},
        {"a,y\n1,2\n\"1,234.5\",3\n", "row 3, column 'a': '1,234.5' is not a number: it looks like digits grouped"},
        {"a,y\n1,2\n1 234 567,3\n", "'1 234 567' is not a number: it looks like digits grouped"},
        {"a,y\n1,2\n12\xC2\xA0" "345.5,3\n", "is not a number: it looks like digits grouped"},
        {"a,y\n1,2\n1'234,3\n", "'1'234' is not a number: it looks like digits grouped"},
        {"a,y\n1,2\n\"1,234\",3\n", "'1,234' is not a number: a decimal comma (load with decimal=,) or a thousands "
                                    "separator (remove it)?"},
        {"a;y\n0,5;2\n1.234;3\n", "'1.234' is not a number: a thousands separator (remove it) or a decimal point"},
        /* a target written so would otherwise become text classes */
        {"a,y\n1,2\n2,1 234\n", "row 3, column 'y': '1 234' is not a number: it looks like digits grouped"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *msg = load_err(cases[k].text, NULL);
        assert_has(msg, cases[k].part);
    }
    /* Text that only resembles a number keeps its old advice. */
    const char *msg = load_err("a,y\nabc,3\n", NULL);
    assert_has(msg, "'abc' is not a number (for a text column use onehot=a");
}

Test(csv, column_lists_take_quotes_and_indices)
{
    const char *text = "\xEF\xBB\xBF height cm ,\"note, free text\",a b,y\n1,x,5,2\n3,z,6,5\n4,x,7,4\n";
    /* A quoted name keeps its comma and blanks; a BOM and blanks around a header cell are dropped. */
    Dataset *ds = load_ok(text, &(CsvOptions){.drop = "\"note, free text\""});
    cr_assert_eq(ds->d, 2);
    cr_assert_str_eq(ds->names[0], "height cm");
    cr_assert_str_eq(ds->names[1], "a b");
    dataset_unref(ds);
    ds = load_ok(text, &(CsvOptions){.target = "'a b'", .onehot = "1", .drop = "-1"});
    cr_assert_str_eq(ds->ynames[0], "a b");
    cr_assert_eq(ds->d, 3);
    cr_assert_str_eq(ds->names[1], "note, free text=x");
    dataset_unref(ds);
    ds = load_ok(text, &(CsvOptions){.drop = "\"note, free text\", 'a b'", .target = "height cm"});
    cr_assert_eq(ds->d, 1);
    cr_assert_str_eq(ds->names[0], "y");
    dataset_unref(ds);
    /* A quoted list of names that are each columns ("a,b") is those columns. */
    ds = load_ok("a,b,c,y\n1,2,3,4\n5,6,7,8\n", &(CsvOptions){.drop = "\"a,b\""});
    cr_assert_eq(ds->d, 1);
    cr_assert_str_eq(ds->names[0], "c");
    dataset_unref(ds);
    /* Messages say columns can be given by index. */
    const char *msg = load_err(text, &(CsvOptions){.drop = "\"note, text\""});
    assert_has(msg, "drop=note, text: no column 'note, text' (");
    assert_has(msg, "columns can be named, or given by 0-based index 0..3");
    msg = load_err(text, &(CsvOptions){.drop = "note"});   /* unquoted: "note" alone is no column */
    assert_has(msg, "no column 'note'");
}

Test(csv, empty_header_cell_gets_a_name_of_its_own)
{
    /* Column 1's header is empty: "x1" by position would collide with column 2's "x1". */
    Dataset *ds = load_ok("a,,x1,y\n1,2,3,4\n5,6,7,8\n", NULL);
    cr_assert_eq(ds->d, 3);
    cr_assert_str_eq(ds->names[0], "a");
    cr_assert_str_eq(ds->names[1], "x1_2");
    cr_assert_str_eq(ds->names[2], "x1");
    dataset_unref(ds);
    ds = load_ok("x0_2,,x1,x1_2,,y\n1,2,3,4,5,6\n7,8,9,10,11,12\n", &(CsvOptions){.header = HEADER_YES});
    cr_assert_str_eq(ds->names[1], "x1_3");
    cr_assert_str_eq(ds->names[4], "x4");
    dataset_unref(ds);
    /* Real duplicates are still an error. */
    const char *msg = load_err("a,a,y\n1,2,3\n", NULL);
    assert_has(msg, "duplicate column name 'a'");
}

Test(csv, c1_controls_in_names_are_shown_escaped)
{
    char out[256];
    /* U+009B (CSI) in UTF-8, a raw 0x9b, C0 and DEL; 'é' and '€' (E2 82 AC holds 0x82) stay as they are. */
    fb_show_controls(out, sizeof out, "a\xC2\x9B" "2J|\x9b" "2J|\x1b|\x7f|\xC3\xA9|\xE2\x82\xAC|\xC2\x85|\xC2\xA0|\x80");
    cr_assert_str_eq(out, "a\\u009b2J|\\x9b2J|\\x1b|\\x7f|\xC3\xA9|\xE2\x82\xAC|\\u0085|\xC2\xA0|\\x80");
    /* An escape or a character is never cut in two by the size limit. */
    fb_show_controls(out, 6, "ab\xC2\x9B");
    cr_assert_str_eq(out, "ab");
    fb_show_controls(out, 4, "ab\xE2\x82\xAC");
    cr_assert_str_eq(out, "ab");
    fb_show_controls(out, 6, "ab\xE2\x82\xAC");
    cr_assert_str_eq(out, "ab\xE2\x82\xAC");
    /* Nothing shown has a C1 control left, as bytes or as UTF-8. */
    Dataset *ds = load_ok("p\xC2\x9Bq,r\x9bs,y\n1,2,3\n4,5,6\n", NULL);
    const char *shown = FB_SHOWN(ds->names[0]);
    cr_assert_str_eq(shown, "p\\u009bq");
    cr_assert_str_eq(FB_SHOWN(ds->names[1]), "r\\x9bs");
    dataset_unref(ds);
}

/* A gzip file written with zlib, with level and members as asked. */
static void write_gz(const char *name, const char *text, size_t n, int members)
{
    FILE *f = fopen(name, "wb");
    cr_assert(f);
    for (int m = 0; m < members; m++) {
        size_t a = n * (size_t)m / (size_t)members, b = n * (size_t)(m + 1) / (size_t)members;
        z_stream zs = {0};
        cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        uLong cap = deflateBound(&zs, (uLong)(b - a));
        unsigned char *out = malloc(cap);
        cr_assert(out);
        zs.next_in = (unsigned char *)text + a;
        zs.avail_in = (uInt)(b - a);
        zs.next_out = out;
        zs.avail_out = (uInt)cap;
        cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
        cr_assert_eq(fwrite(out, 1, zs.total_out, f), zs.total_out);
        deflateEnd(&zs);
        free(out);
    }
    cr_assert_eq(fclose(f), 0);
}

static char *read_all(const char *name, size_t *n)
{
    FILE *f = fopen(name, "rb");
    cr_assert(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    char *b = malloc(*n + 1);
    cr_assert(b);
    cr_assert_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

Test(csv, gzip_read_as_it_streams)
{
    /* ~3 MiB of text: the decompressed data crosses several reader buffers. */
    size_t cap = 4 << 20, n = 0;
    char *text = malloc(cap);
    cr_assert(text);
    n += (size_t)snprintf(text, cap, "\xEF\xBB\xBF" "a,b,\"c, note\",y\n");
    for (int i = 0; n + 100 < cap - (1 << 20); i++)
        n += (size_t)snprintf(text + n, cap - n, "%d.%03d,%d,\"t%d\",%d\n", i % 977, i % 1000, -i, i % 5, i % 7);
    write_bytes("plain.csv", text, n);
    write_gz("data.csv.gz", text, n, 1);
    write_gz("two.csv.gz", text, n, 1);
    Dataset *p = NULL, *g = NULL;
    FbErr err = {0};
    CsvOptions o = defaults();
    o.drop = "\"c, note\"";
    cr_assert_eq(csv_load("plain.csv", &o, &p, &err), 0, "%s", err.msg);
    cr_assert_eq(csv_load("data.csv.gz", &o, &g, &err), 0, "%s", err.msg);
    cr_assert_eq(g->n, p->n);
    cr_assert_eq(g->d, 2);
    cr_assert_str_eq(g->names[0], "a");
    cr_assert_eq(memcmp(g->X, p->X, p->n * p->d * sizeof(double)), 0);
    cr_assert_eq(memcmp(g->y, p->y, p->n * sizeof(double)), 0);
    cr_assert_str_eq(g->source, "data.csv.gz");
    dataset_unref(g);
    /* Three gzip members one after the other are one file, as gzip -d reads them. */
    write_gz("three.csv.gz", text, n, 3);
    cr_assert_eq(csv_load("three.csv.gz", &o, &g, &err), 0, "%s", err.msg);
    cr_assert_eq(g->n, p->n);
    cr_assert_eq(memcmp(g->X, p->X, p->n * p->d * sizeof(double)), 0);
    dataset_unref(g);
    /* Magic bytes decide, not the name; an empty compressed file is an empty file. */
    write_gz("small.csv", "x,y\n1,2\n3,4\n", 12, 1);
    cr_assert_eq(csv_load("small.csv", NULL, &g, &err), 0, "%s", err.msg);
    cr_assert_eq(g->n, 2);
    dataset_unref(g);
    write_gz("empty.csv.gz", "", 0, 1);
    cr_assert_eq(csv_load("empty.csv.gz", NULL, &g, &err), -1);
    assert_has(err.msg, "empty.csv.gz is empty");

    /* Truncated, corrupt, and followed by junk: an error naming the row reached, and nothing returned. */
    size_t zn;
    char *z = read_all("data.csv.gz", &zn);
    write_bytes("cut.csv.gz", z, zn / 2);
    g = (Dataset *)1;
    cr_assert_eq(csv_load("cut.csv.gz", &o, &g, &err), -1);
    cr_assert_null(g);
    assert_has(err.msg, "cut.csv.gz: row ");
    assert_has(err.msg, ": the compressed file ends early (truncated?)");
    unsigned long row = strtoul(strstr(err.msg, "row ") + 4, NULL, 10);
    cr_assert_gt(row, p->n / 4, "the row reached (%lu) is far into the file", row);
    cr_assert_lt(row, p->n);
    z[zn / 2] ^= 0x55;
    z[zn / 2 + 1] ^= 0xAA;
    write_bytes("bad.csv.gz", z, zn);
    g = (Dataset *)1;
    cr_assert_eq(csv_load("bad.csv.gz", &o, &g, &err), -1);
    cr_assert_null(g);
    assert_has(err.msg, "bad.csv.gz: row ");
    assert_has(err.msg, ": the compressed data is corrupt (");
    z[zn / 2] ^= 0x55;
    z[zn / 2 + 1] ^= 0xAA;
    z[zn - 2] ^= 1;   /* the stored length: the data decompress, the trailer check fails */
    write_bytes("len.csv.gz", z, zn);
    cr_assert_eq(csv_load("len.csv.gz", &o, &g, &err), -1);
    assert_has(err.msg, "the compressed data is corrupt (incorrect length check)");
    z[zn - 2] ^= 1;
    char *zj = malloc(zn + 4);
    memcpy(zj, z, zn);
    memcpy(zj + zn, "junk", 4);
    write_bytes("junk.csv.gz", zj, zn + 4);
    cr_assert_eq(csv_load("junk.csv.gz", &o, &g, &err), -1);
    assert_has(err.msg, "bytes after the end of the compressed data");
    free(zj);
    free(z);
    dataset_unref(p);
    free(text);
}

/* `load` hands the column lists to csv_load as typed: quotes kept, so a quoted comma stays in its name. */
Test(csv, load_option_values_keep_their_quotes)
{
    Args a;
    FbErr e;
    const char *line = "load d.csv drop=\"note, free text\",3 target='a b' onehot=c sep=\";\"";
    cr_assert_eq(args_split(line, strlen(line), 1, &a, &e), 0, "%s", e.msg);
    cr_assert_eq(a.n, 6);
    cr_assert_null(a.t[1].vraw);
    cr_assert_str_eq(a.t[2].val, "note, free text,3");
    cr_assert_str_eq(a.t[2].vraw, "\"note, free text\",3");
    cr_assert_str_eq(a.t[3].vraw, "'a b'");
    cr_assert_str_eq(a.t[4].vraw, "c");
    cr_assert_str_eq(a.t[5].val, ";");
    args_free(&a);
    /* and csv_load reads them so */
    write_text("d.csv", "\"note, free text\",a b,c,x,y\n1,2,p,4,5\n3,4,q,6,7\n");
    Dataset *ds = NULL;
    CsvOptions o = defaults();
    o.drop = "\"note, free text\",3";
    o.target = "'a b'";
    o.onehot = "c";
    cr_assert_eq(csv_load("d.csv", &o, &ds, &e), 0, "%s", e.msg);
    cr_assert_str_eq(ds->ynames[0], "a b");
    cr_assert_eq(ds->d, 3);
    cr_assert_str_eq(ds->names[0], "c=p");
    cr_assert_str_eq(ds->names[2], "y");
    dataset_unref(ds);
}

/* Streamed: 24 MiB of text (a 1 KiB note per row, dropped) in a gzip file of well under 1 MiB loads with the
 * peak memory growing by about the reader's two 1 MiB buffers, not by the decompressed text. */
Test(csv, gzip_memory_is_a_buffer_not_the_file)
{
    gzFile g = gzopen("notes.csv.gz", "wb6");
    cr_assert(g);
    char note[1024];
    for (size_t i = 0; i < sizeof note - 1; i++)
        note[i] = (char)('a' + i % 26);
    note[sizeof note - 1] = '\0';
    gzprintf(g, "x,note,y\n");
    enum { ROWS = 24 * 1024 };
    for (int i = 0; i < ROWS; i++)
        cr_assert_gt(gzprintf(g, "%d,%s,%d\n", i, note, i % 3), 0);
    cr_assert_eq(gzclose(g), Z_OK);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long before = ru.ru_maxrss;
    Dataset *ds = NULL;
    FbErr err = {0};
    cr_assert_eq(csv_load("notes.csv.gz", &(CsvOptions){.drop = "note"}, &ds, &err), 0, "%s", err.msg);
    cr_assert_eq(ds->n, ROWS);
    cr_assert_eq(ds->X[ROWS - 1], ROWS - 1);
    getrusage(RUSAGE_SELF, &ru);
    long grew_kb = ru.ru_maxrss - before;
    cr_assert_lt(grew_kb, 8 * 1024, "loading 24 MiB of gzip text grew the peak memory by %ld KiB", grew_kb);
    dataset_unref(ds);
}
