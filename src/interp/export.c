/* export.c — what the exported Python scripts share: numbers and strings as Python literals, and the data
 * section (the CSV read again or the generator run again, then split, features and scaling, as prep.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export_text.h"
#include "fitbench/export.h"
#include "fitbench/schema.h"

const char *export_float(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "math.nan");
    else if (isinf(v))
        snprintf(buf, size, "%smath.inf", v < 0 ? "-" : "");
    else
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, size, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    /* Python reads "1e-05" and "3" back as the same double; "3" would be an int, so say 3.0. */
    if (isfinite(v) && !strpbrk(buf, ".en") && strlen(buf) + 2 < size)
        strcat(buf, ".0");
    return buf;
}

void export_pystr(StrBuf *out, const char *s)
{
    strbuf_puts(out, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            strbuf_printf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            strbuf_printf(out, "\\x%02x", *p);
        else
            strbuf_put(out, (const char *)p, 1);
    }
    strbuf_puts(out, "\"");
}

static const char *pybool(bool b) { return b ? "True" : "False"; }

#define F(v) export_float((char[40]){0}, 40, (v))

static const char *const role_names[] = {[RAW_FEATURE] = "feature", [RAW_ONEHOT] = "onehot",
                                         [RAW_TARGET] = "target", [RAW_DROP] = "drop"};

/* missing=mean: each column's fill values, as fitbench computed them at load. */
static void csv_fills(const RawSchema *sc, StrBuf *out)
{
    strbuf_puts(out, "# missing=mean: what a missing cell becomes, as fitbench computed it when it loaded the file\n"
                     "# (the mean of the column's present cells over all rows; for a one-hot column each level's\n"
                     "# frequency). Written out rather than recomputed: they are sums over the whole file in\n"
                     "# fitbench's order.\nFILLS = {");
    bool first = true;
    for (size_t c = 0; c < sc->ncols; c++) {
        const RawColumn *col = &sc->col[c];
        if (!col->fill || (col->role != RAW_FEATURE && col->role != RAW_ONEHOT))
            continue;
        strbuf_puts(out, first ? "\n    " : ",\n    ");
        first = false;
        export_pystr(out, col->name);
        strbuf_puts(out, ": [");
        size_t nv = col->role == RAW_ONEHOT ? col->nvalues : 1;
        for (size_t v = 0; v < nv; v++)
            strbuf_printf(out, "%s%s", v ? ", " : "", F(col->fill[v]));
        strbuf_puts(out, "]");
    }
    strbuf_puts(out, first ? "}\n" : ",\n}\n");
}

static void csv_section(const ExportData *d, StrBuf *out)
{
    const RawSchema *sc = d->ds->schema;
    static const char *const missing[] = {"error", "drop", "mean"};
    strbuf_puts(out, "DATA_PATH = ");
    export_pystr(out, d->csv_path);
    strbuf_printf(out, "\nSEP = \"%s\"\nDECIMAL = \"%c\"\nMISSING = \"%s\"  # load ... missing=\n",
                  sc->sep == '\t' ? "\\t" : (char[2]){sc->sep, 0}, sc->decimal ? sc->decimal : '.',
                  missing[sc->missing]);
    strbuf_puts(out, "# The file's columns in order, and what load made of each.\nCOLUMNS = [\n");
    for (size_t c = 0; c < sc->ncols; c++) {
        strbuf_puts(out, "    (");
        export_pystr(out, sc->col[c].name);
        strbuf_printf(out, ", \"%s\"),\n", role_names[sc->col[c].role]);
    }
    strbuf_puts(out, "]\nTARGETS = [");
    for (size_t t = 0; t < sc->ntargets; t++) {
        strbuf_puts(out, t ? ", " : "");
        export_pystr(out, sc->col[sc->target_order[t]].name);
    }
    strbuf_puts(out, "]  # in the order target= named them\n");
    if (sc->missing == MISSING_MEAN)
        csv_fills(sc, out);
    else
        strbuf_puts(out, "FILLS = {}  # missing cells are not filled (missing=error or drop)\n");
    export_lines(out, export_py_csv);
    export_lines(out, export_py_classes);
}

static void gen_section(const ExportData *d, StrBuf *out)
{
    const GenSpec *g = &d->gen;
    bool cls = g->kind >= GEN_BLOBS;
    size_t dd = g->kind == GEN_LINEAR || g->kind == GEN_BLOBS ? g->d : cls ? 2 : 1;
    strbuf_printf(out, "GEN_KIND = \"%s\"\nGEN_N = %zu\nGEN_D = %zu\nGEN_NOISE = %s\nGEN_CLASSES = %zu\n"
                       "GEN_SEED = %llu\n",
                  gen_kind_names[g->kind], g->n, dd, F(g->noise), g->classes, (unsigned long long)g->seed);
    if (cls) {
        export_lines(out, export_py_classes);
        export_lines(out, export_py_gencls);
    } else {
        export_lines(out, export_py_genreg);
    }
}

/* TERMS: fitbench's feature terms (`show features`) as (kind, ((input, power), ...)), or None for the inputs as
 * they are. */
static void put_terms(StrBuf *out, const Terms *t)
{
    if (!t) {
        strbuf_puts(out, "TERMS = None  # the inputs as they are (features none)\n");
        return;
    }
    strbuf_puts(out, "TERMS = [  # features: (kind, ((input, power), ...)) per column, in order\n");
    for (size_t j = 0; j < t->n; j++) {
        const Term *m = &t->t[j];
        strbuf_printf(out, "    (\"%s\", (", term_kind_names[m->kind]);
        for (int f = 0; f < m->nf; f++)
            strbuf_printf(out, "(%u, %d),%s", (unsigned)m->in[f], m->pow[f], f + 1 < m->nf ? " " : "");
        strbuf_puts(out, ")),\n");
    }
    strbuf_puts(out, "]\n");
}

void export_data_section(const ExportPlan *plan, StrBuf *out)
{
    const ExportData *d = &plan->data;
    strbuf_puts(out, "\n\n# -----------------------------------------------------------------------------\n");
    if (d->csv_path)
        strbuf_printf(out, "# 1. The data: the CSV file fitbench loaded, read again and encoded as `load` did.\n");
    else
        strbuf_printf(out, "# 1. The data: fitbench's generator run again (`%s`).\n", d->ds->source);
    if (d->csv_path)
        csv_section(d, out);
    else
        gen_section(d, out);
    const PrepSpec *p = &d->prep;
    strbuf_puts(out, "\n\n# -----------------------------------------------------------------------------\n"
                     "# 2. Split, features and scaling, as fitbench prepares the data (src/data/prep.c): the\n"
                     "# scaling statistics come from the training rows only.\n");
    strbuf_printf(out, "VAL, TEST = %s, %s  # split val= test=\nSPLIT_SEED, SPLIT_SHUFFLE = %llu, %s\n",
                  F(p->val), F(p->test), (unsigned long long)p->seed, pybool(p->shuffle));
    put_terms(out, p->terms);
    strbuf_printf(out, "SCALE = \"%s\"\n", scale_name(p->scale));
    export_lines(out, export_py_prep);
}

void export_lines(StrBuf *out, const char *const *lines)
{
    for (; *lines; lines++)
        strbuf_puts(out, *lines);
}
