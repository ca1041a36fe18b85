/* args.c — tokenizing a command and checking its options. */
#include "fitbench/args.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

void args_free(Args *a)
{
    for (int i = 0; i < a->n; i++) {
        free(a->t[i].text);
        free(a->t[i].key);
        free(a->t[i].vraw);
    }
    free(a->raw);
    memset(a, 0, sizeof *a);
}

static bool is_key_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* One word being read: its text so far (quotes removed) in buf[0..o), and where its key=value '=' is. */
typedef struct Word {
    char *buf;      /* room for the whole line */
    size_t o;       /* characters in buf */
    size_t eq;      /* index in buf of the '=' after a key, or (size_t)-1 */
    size_t vstart;  /* index in the line where the value starts */
    bool keyish;    /* buf[0..o) is all letters, digits and '_' so far (kept as it grows: linear time) */
} Word;

static void word_put(Word *w, char c)
{
    w->keyish = w->keyish && is_key_char(c);
    w->buf[w->o++] = c;
}

/* Read the word at line[*i] (not a blank) into w, up to the next blank outside quotes; *i ends after it.
 * The first '=' after a key (a letter, then letters, digits, '_') splits key from value.  Fails on an
 * unterminated quote, with err at the quote. */
static int read_word(const char *line, size_t len, size_t *i, int col0, Word *w, FbErr *err)
{
    w->o = 0;
    w->eq = (size_t)-1;
    w->vstart = *i;
    w->keyish = true;
    while (*i < len && !isspace((unsigned char)line[*i])) {
        char c = line[*i];
        if (c == '"' || c == '\'') {
            size_t qcol = (*i)++;
            while (*i < len && line[*i] != c) {
                if (c == '"' && line[*i] == '\\' && *i + 1 < len)
                    (*i)++;
                word_put(w, line[(*i)++]);
            }
            if (*i >= len)
                return fb_fail_at(err, col0 + (int)qcol, "unterminated quote %c", c);
            (*i)++;
            continue;
        }
        if (c == '=' && w->eq == (size_t)-1 && w->o > 0 && w->keyish && isalpha((unsigned char)w->buf[0])) {
            w->eq = w->o;
            w->vstart = *i + 1;
        }
        word_put(w, c);
        (*i)++;
    }
    w->buf[w->o] = '\0';
    return 0;
}

/* Fill token t from the word just read (ending at line[end]); a key=value word after the command name gets
 * key, val and vraw.  Fails on out of memory with t's strings freed. */
static int make_token(Tok *t, const Word *w, bool after_name, const char *line, size_t end, int col0, FbErr *err)
{
    t->text = strdup(w->buf);
    if (!t->text)
        return fb_oom(err, "a command line", w->o);
    if (w->eq == (size_t)-1 || !after_name)
        return 0;
    t->key = strndup(w->buf, w->eq);
    t->vraw = t->key ? strndup(line + w->vstart, end - w->vstart) : NULL;
    if (!t->vraw) {
        size_t want = t->key ? end - w->vstart : w->eq;
        free(t->text);
        free(t->key);
        t->text = t->key = NULL;
        return fb_oom(err, "a command line", want);
    }
    t->val = t->text + w->eq + 1;
    t->vcol = col0 + (int)w->vstart;
    return 0;
}

int args_split(const char *line, size_t len, int col0, Args *a, FbErr *err)
{
    memset(a, 0, sizeof *a);
    Word w = {.buf = malloc(len + 1)};
    if (!w.buf)
        return fb_oom(err, "a command line", len + 1);
    size_t i = 0;
    int rc = 0;
    while (!rc) {
        while (i < len && isspace((unsigned char)line[i]))
            i++;
        if (i >= len)
            break;
        if (a->n == ARGS_MAX) {
            rc = fb_fail_at(err, col0 + (int)i, "too many words in one command (the limit is %d)", ARGS_MAX);
            break;
        }
        if (a->n == 1 && !a->raw) {
            a->raw = strndup(line + i, len - i);
            a->rawcol = col0 + (int)i;
            if (!a->raw) {
                rc = fb_oom(err, "a command line", len - i);
                break;
            }
        }
        Tok *t = &a->t[a->n];
        t->col = col0 + (int)i;
        rc = read_word(line, len, &i, col0, &w, err);
        if (!rc)
            rc = make_token(t, &w, a->n > 0, line, i, col0, err);
        if (!rc)
            a->n++;
    }
    free(w.buf);
    if (rc)
        args_free(a);
    return rc;
}

const Tok *args_opt(const Args *a, const char *key)
{
    /* The last one wins, as on most command lines. */
    for (int i = a->n - 1; i > 0; i--)
        if (a->t[i].key && strcmp(a->t[i].key, key) == 0)
            return &a->t[i];
    return NULL;
}

int args_positional(const Args *a, const Tok **out, int max)
{
    int k = 0;
    for (int i = 1; i < a->n; i++)
        if (!a->t[i].key) {
            if (k < max)
                out[k] = &a->t[i];
            k++;
        }
    return k;
}

bool parse_bool_word(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "on", "true", "1", NULL}, *const no[] = {"no", "off", "false", "0", NULL};
    for (int i = 0; yes[i]; i++)
        if (strcasecmp(s, yes[i]) == 0)
            return *out = true, true;
    for (int i = 0; no[i]; i++)
        if (strcasecmp(s, no[i]) == 0)
            return *out = false, true;
    return false;
}

static int check_range(const Tok *t, const OptSpec *sp, double v, const char *cmd, FbErr *err)
{
    char lo[32], hi[32];
    if (sp->type == OT_INT) { /* whole-number bounds in full: "at most 1000000000", as train says it */
        snprintf(lo, sizeof lo, "%.0f", sp->min);
        snprintf(hi, sizeof hi, "%.0f", sp->max);
    } else {
        fb_fmt(lo, sizeof lo, sp->min, 6);
        fb_fmt(hi, sizeof hi, sp->max, 6);
    }
    bool below = (sp->flags & OPT_GT_MIN) ? !(v > sp->min) : !(v >= sp->min);
    bool above = (sp->flags & OPT_LT_MAX) ? !(v < sp->max) : !(v <= sp->max);
    if (!below && !above)
        return 0;
    if (sp->max >= 1e9 && above) /* a bound nobody means to reach, but a bound */
        return fb_fail_at(err, t->vcol, "%s must be at most %s (got %s)", t->key, hi, t->val);
    if (sp->max >= 1e9) /* effectively unbounded */
        return fb_fail_at(err, t->vcol, "%s must be %s %s (got %s)", t->key, (sp->flags & OPT_GT_MIN) ? ">" : ">=",
                          lo, t->val);
    return fb_fail_at(err, t->vcol, "%s must be between %s and %s (got %s)", t->key, lo, hi, t->val);
    (void)cmd;
}

/* Is s an optional sign and one or more digits? */
static bool all_digits(const char *s)
{
    s += *s == '-' || *s == '+';
    if (!*s)
        return false;
    while (isdigit((unsigned char)*s))
        s++;
    return !*s;
}

/* One key=value word against its option: a value is there (OT_STR may be empty), a number parses in the C
 * locale and lies in range, a yes/no is one, an enum value is a choice.  Fails with err at the value. */
static int check_value(const Tok *t, const OptSpec *sp, const char *cmd, FbErr *err)
{
    if (!*t->val && sp->type != OT_STR)
        return fb_fail_at(err, t->vcol, "%s= needs a value", t->key);
    switch (sp->type) {
    case OT_NUM:
    case OT_INT: {
        bool whole = sp->type == OT_INT;
        double v = 0;
        long l = 0;
        bool ok = whole ? fb_parse_long(t->val, &l) : fb_parse_double(t->val, strlen(t->val), &v) && !isnan(v);
        if (!ok && whole && all_digits(t->val)) /* a whole number past a long: out of range, say the range */
            return check_range(t, sp, t->val[0] == '-' ? -INFINITY : INFINITY, cmd, err);
        if (!ok)
            return fb_fail_at(err, t->vcol, "%s must be a %s (got '%s')", t->key, whole ? "whole number" : "number",
                              t->val);
        return check_range(t, sp, whole ? (double)l : v, cmd, err);
    }
    case OT_BOOL: {
        bool b;
        if (!parse_bool_word(t->val, &b))
            return fb_fail_at(err, t->vcol, "%s must be yes or no (got '%s')", t->key, t->val);
        return 0;
    }
    case OT_ENUM: {
        if (fb_name_index(sp->choices, t->val) >= 0)
            return 0;
        const char *sug = fb_suggest(t->val, sp->choices);
        if (sug)
            return fb_fail_at(err, t->vcol, "%s=%s is not a choice (did you mean '%s'?)", t->key, t->val, sug);
        return fb_fail_at(err, t->vcol, "%s=%s is not a choice", t->key, t->val);
    }
    default:
        return 0;
    }
}

int args_check(const Args *a, const OptSpec *specs, const char *cmd, FbErr *err)
{
    for (int i = 1; i < a->n; i++) {
        const Tok *t = &a->t[i];
        if (!t->key)
            continue;
        const OptSpec *sp = NULL;
        const char *keys[64];
        int nk = 0;
        for (const OptSpec *s = specs; s && s->key; s++) {
            if (strcmp(s->key, t->key) == 0)
                sp = s;
            if (nk < 63)
                keys[nk++] = s->key;
        }
        keys[nk] = NULL;
        if (!sp) {
            const char *sug = fb_suggest(t->key, keys);
            if (!nk)
                return fb_fail_at(err, t->col, "%s takes no options (got '%s')", cmd, t->key);
            if (sug)
                return fb_fail_at(err, t->col, "unknown option '%s' for %s (did you mean '%s'?)", t->key, cmd, sug);
            return fb_fail_at(err, t->col, "unknown option '%s' for %s (try: help %s)", t->key, cmd, cmd);
        }
        if (check_value(t, sp, cmd, err))
            return -1;
    }
    return 0;
}

bool args_num(const Args *a, const char *key, double *out)
{
    const Tok *t = args_opt(a, key);
    return t && fb_parse_double(t->val, strlen(t->val), out);
}

bool args_long(const Args *a, const char *key, long *out)
{
    const Tok *t = args_opt(a, key);
    return t && fb_parse_long(t->val, out);
}

bool args_bool(const Args *a, const char *key, bool *out)
{
    const Tok *t = args_opt(a, key);
    return t && parse_bool_word(t->val, out);
}

const char *args_str(const Args *a, const char *key)
{
    const Tok *t = args_opt(a, key);
    return t ? t->val : NULL;
}
