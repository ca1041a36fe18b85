/* cmd_features.c — `features poly|add|drop|none` and `show features`: the term list the model sees (terms.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/modelfile.h"
#include "fitbench/strutil.h"

/* The session's terms as an explicit list (a new reference; the caller unrefs): the inputs as they are made a
 * list x0 .. x{d-1}.  NULL on out of memory. */
static Terms *current_terms(const Session *s, FbErr *err)
{
    if (s->prep_spec.terms)
        return terms_ref(s->prep_spec.terms);
    return terms_poly(s->data->d, 1, err);
}

/* Make t (NULL: the inputs as they are) the session's terms, made by `features poly degree` (0: term by term), and
 * say what the model now sees.  A list that is exactly the inputs is stored as NULL. */
static int use_terms(Interp *it, Terms *t, int degree, FbErr *err)
{
    PrepSpec ps = it->s->prep_spec;
    ps.terms = t && !terms_are_inputs(t) ? t : NULL;
    ps.degree = ps.terms ? degree : 1;
    if (session_set_prep(it->s, &ps, err))
        return -1;
    const Prepared *p = it->s->prep;
    if (ps.degree >= 1) {
        sink_printf(it->out, "features: %zu (degree %d)\n", p->d, ps.degree);
        return 0;
    }
    sink_printf(it->out, "features: %zu:", p->d);
    for (size_t j = 0; j < p->d && j < 12; j++)
        sink_printf(it->out, " %s", FB_SHOWN(p->names[j]));
    sink_printf(it->out, "%s\n", p->d > 12 ? " ..." : "");
    return 0;
}

/* use_terms of a new list of the m terms t over nin inputs.  Fails on out of memory or as use_terms. */
static int use_list(Interp *it, size_t nin, const Term *t, size_t m, FbErr *err)
{
    Terms *nt = terms_new(nin, t, m, err);
    int rc = nt ? use_terms(it, nt, 0, err) : -1;
    terms_unref(nt);
    return rc;
}

/* Parse the terms named by the words pos[0..n) into out (n); an error points at its word. */
static int parse_words(const Session *s, const Tok *const *pos, int n, Term *out, FbErr *err)
{
    const Dataset *ds = s->data;
    for (int k = 0; k < n; k++)
        if (term_parse(pos[k]->text, (const char *const *)ds->names, ds->d, &out[k], err)) {
            err->col = pos[k]->col;
            return -1;
        }
    return 0;
}

/* `features add TERM...`: append the terms, in the order given, after the current ones. */
static int features_add(Interp *it, const Tok *const *pos, int n, FbErr *err)
{
    Terms *cur = current_terms(it->s, err);
    if (!cur)
        return -1;
    int rc = -1;
    Term *t = fb_malloc(cur->n + (size_t)n, sizeof *t, "the feature terms", err);
    if (!t)
        goto out;
    memcpy(t, cur->t, cur->n * sizeof *t);
    size_t m = cur->n;
    for (int k = 0; k < n; k++, m++) {
        if (parse_words(it->s, pos + k, 1, &t[m], err))
            goto out;
        long at = terms_find(&(Terms){.n = m, .t = t}, &t[m]);
        if (at >= 0) {
            fb_fail_at(err, pos[k]->col, "term '%s' is already a feature (column %ld); nothing changed", pos[k]->text,
                       at + 1);
            goto out;
        }
    }
    if (m > TERMS_MAX) {
        fb_fail_at(err, pos[0]->col, "at most %d features", TERMS_MAX);
        goto out;
    }
    rc = use_list(it, cur->nin, t, m, err);
out:
    terms_unref(cur);
    free(t);
    return rc;
}

/* `features drop TERM...`: remove the terms; the others keep their order. */
static int features_drop(Interp *it, const Tok *const *pos, int n, FbErr *err)
{
    Terms *cur = current_terms(it->s, err);
    if (!cur)
        return -1;
    int rc = -1;
    Term *t = fb_malloc(cur->n, sizeof *t, "the feature terms", err);
    bool *gone = fb_calloc(cur->n, sizeof *gone, "the feature terms", err);
    size_t m = 0;
    if (!t || !gone)
        goto out;
    for (int k = 0; k < n; k++) {
        Term x;
        if (parse_words(it->s, pos + k, 1, &x, err))
            goto out;
        long at = terms_find(cur, &x);
        if (at < 0 || gone[at]) {
            fb_fail_at(err, pos[k]->col, at < 0 ? "term '%s' is not a feature (show features lists them); nothing "
                                                  "changed" : "term '%s' is named twice; nothing changed",
                       pos[k]->text);
            goto out;
        }
        gone[at] = true;
    }
    for (size_t j = 0; j < cur->n; j++)
        if (!gone[j])
            t[m++] = cur->t[j];
    if (m == 0) {
        fb_fail_at(err, pos[0]->col, "that drops every feature; `features none` goes back to the inputs as they are");
        goto out;
    }
    rc = use_list(it, cur->nin, t, m, err);
out:
    terms_unref(cur);
    free(t);
    free(gone);
    return rc;
}

/* `features poly [degree=K]`: every monomial up to K (default 2); 1 is the inputs as they are. */
static int features_poly(Interp *it, const Command *row, Args *a, int np, FbErr *err)
{
    const Tok *deg_tok = args_opt(a, "degree");
    if (np > 1)
        return command_usage_error(err, row, 0, "features poly takes no terms, only degree=K");
    long deg = 2;
    args_long(a, "degree", &deg);
    Terms *t = terms_poly(it->s->data->d, (int)deg, err);
    if (!t) {
        err->col = deg_tok ? deg_tok->vcol : 0;
        return -1;
    }
    int rc = use_terms(it, t, (int)deg, err);
    terms_unref(t);
    return rc;
}

int cmd_features(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[ARGS_MAX];
    int np = args_positional(a, pos, ARGS_MAX); /* pos[0] is a features_w word: command_run checked */
    const char *w = pos[0]->text;
    if (session_need_data(it->s, err))
        return -1;
    bool poly = strcmp(w, "poly") == 0, none = strcmp(w, "none") == 0;
    if (!poly && args_opt(a, "degree"))
        return command_usage_error(err, row, args_opt(a, "degree")->col, "degree= goes with features poly");
    if (poly)
        return features_poly(it, row, a, np, err);
    if (none) {
        if (np > 1)
            return command_usage_error(err, row, pos[1]->col, "features none takes no terms");
        return use_terms(it, NULL, 1, err);
    }
    if (np < 2)
        return command_usage_error(err, row, pos[0]->col, "features %s needs at least one term", w);
    return strcmp(w, "add") == 0 ? features_add(it, pos + 1, np - 1, err) : features_drop(it, pos + 1, np - 1, err);
}

/* The terms t over the inputs named names (nin), one a line in column order. */
static void list_terms(Interp *it, const Terms *t, char *const *names, size_t nin)
{
    char buf[512];
    size_t n = t ? t->n : nin;
    for (size_t j = 0; j < n; j++) {
        Term x = {.kind = TERM_MONO, .nf = 1, .in = {(uint32_t)j}, .pow = {1}};
        term_name(t ? &t->t[j] : &x, (const char *const *)names, buf, sizeof buf);
        sink_printf(it->out, "%4zu  %s\n", j + 1, FB_SHOWN(buf));
    }
}

int cmd_show_features(Interp *it, FbErr *err)
{
    const Session *s = it->s;
    if (!s->data && s->deployed) {
        const ModelFile *mf = s->deployed;
        sink_printf(it->out, "features of the loaded model: %zu\n", mf->d);
        list_terms(it, mf->terms, mf->inputs, mf->ninputs);
        return 0;
    }
    if (session_need_data(s, err))
        return -1;
    const PrepSpec *ps = &s->prep_spec;
    if (ps->degree >= 1)
        sink_printf(it->out, "features: %zu (degree %d), in column order:\n", s->prep->d, ps->degree);
    else
        sink_printf(it->out, "features: %zu, in column order:\n", s->prep->d);
    list_terms(it, ps->terms, s->data->names, s->data->d);
    return 0;
}

char **features_words(const Interp *it, const char *sub)
{
    const Session *s = it->s;
    bool add = strcmp(sub, "add") == 0;
    if (!s->data || (!add && strcmp(sub, "drop") != 0))
        return NULL;
    FbErr e;
    Terms *t = current_terms(s, &e);
    if (!t)
        return NULL;
    /* add: the inputs (to multiply), sin( and cos(; drop: the terms there are */
    size_t n = add ? s->data->d + 2 : t->n;
    char **v = calloc(n + 1, sizeof *v);
    for (size_t j = 0; v && j < n; j++) {
        char buf[512];
        if (add && j >= s->data->d)
            snprintf(buf, sizeof buf, "%s(", term_kind_names[j - s->data->d + 1]);
        else
            term_name(&t->t[j], (const char *const *)s->data->names, buf, sizeof buf);
        if (!(v[j] = strdup(buf))) {
            fb_free_strings(v, n);
            v = NULL;
        }
    }
    terms_unref(t);
    return v;
}
