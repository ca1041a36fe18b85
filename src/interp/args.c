/* args.c — tokenizing a command and checking its options. */
#include "fitbench/args.h"

#include <ctype.h>
#include <math.h>
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

int args_split(const char *line, size_t len, int col0, Args *a, FbErr *err)
{
    memset(a, 0, sizeof *a);
    size_t i = 0;
    char *buf = malloc(len + 1);
    if (!buf)
        return fb_oom(err, "a command line", len + 1);
    while (i < len) {
        while (i < len && isspace((unsigned char)line[i]))
            i++;
        if (i >= len)
            break;
        if (a->n == ARGS_MAX) {
            free(buf);
            args_free(a);
            return fb_fail_at(err, col0 + (int)i, "too many words in one command (the limit is %d)", ARGS_MAX);
        }
        if (a->n == 1 && !a->raw) {
            a->raw = strndup(line + i, len - i);
            a->rawcol = col0 + (int)i;
            if (!a->raw) {
                free(buf);
                args_free(a);
                return fb_oom(err, "a command line", len - i);
            }
        }
        Tok *t = &a->t[a->n];
        t->col = col0 + (int)i;
        size_t o = 0, eq = (size_t)-1;
        size_t vstart = i;
        while (i < len && !isspace((unsigned char)line[i])) {
            char c = line[i];
            if (c == '"' || c == '\'') {
                size_t qcol = i;
                i++;
                while (i < len && line[i] != c) {
                    if (c == '"' && line[i] == '\\' && i + 1 < len)
                        i++;
                    buf[o++] = line[i++];
                }
                if (i >= len) {
                    free(buf);
                    args_free(a);
                    return fb_fail_at(err, col0 + (int)qcol, "unterminated quote %c", c);
                }
                i++;
                continue;
            }
            if (c == '=' && eq == (size_t)-1 && o > 0) {
                bool keyish = true;
                for (size_t q = 0; q < o; q++)
                    keyish = keyish && is_key_char(buf[q]);
                if (keyish && isalpha((unsigned char)buf[0])) {
                    eq = o;
                    vstart = i + 1;
                }
            }
            buf[o++] = c;
            i++;
        }
        buf[o] = '\0';
        t->text = strdup(buf);
        if (!t->text) {
            free(buf);
            args_free(a);
            return fb_oom(err, "a command line", o);
        }
        if (eq != (size_t)-1 && a->n > 0) {
            t->key = strndup(buf, eq);
            if (!t->key) {
                free(t->text);
                free(buf);
                args_free(a);
                return fb_oom(err, "a command line", eq);
            }
            t->val = t->text + eq + 1;
            t->vcol = col0 + (int)vstart;
            t->vraw = strndup(line + vstart, i - vstart);
            if (!t->vraw) {
                free(t->text);
                free(t->key);
                free(buf);
                args_free(a);
                return fb_oom(err, "a command line", i - vstart);
            }
        }
        a->n++;
    }
    free(buf);
    return 0;
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
    fb_fmt(lo, sizeof lo, sp->min, 6);
    fb_fmt(hi, sizeof hi, sp->max, 6);
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
        if (!*t->val && sp->type != OT_STR)
            return fb_fail_at(err, t->vcol, "%s= needs a value", t->key);
        double v;
        switch (sp->type) {
        case OT_NUM:
            if (!fb_parse_double(t->val, strlen(t->val), &v) || isnan(v))
                return fb_fail_at(err, t->vcol, "%s must be a number (got '%s')", t->key, t->val);
            if (check_range(t, sp, v, cmd, err))
                return -1;
            break;
        case OT_INT: {
            long l;
            if (!fb_parse_long(t->val, &l))
                return fb_fail_at(err, t->vcol, "%s must be a whole number (got '%s')", t->key, t->val);
            if (check_range(t, sp, (double)l, cmd, err))
                return -1;
            break;
        }
        case OT_BOOL: {
            bool b;
            if (!parse_bool_word(t->val, &b))
                return fb_fail_at(err, t->vcol, "%s must be yes or no (got '%s')", t->key, t->val);
            break;
        }
        case OT_ENUM: {
            bool ok = false;
            for (int c = 0; sp->choices[c]; c++)
                ok = ok || strcmp(sp->choices[c], t->val) == 0;
            if (!ok) {
                const char *sug = fb_suggest(t->val, sp->choices);
                if (sug)
                    return fb_fail_at(err, t->vcol, "%s=%s is not a choice (did you mean '%s'?)", t->key, t->val,
                                      sug);
                return fb_fail_at(err, t->vcol, "%s=%s is not a choice", t->key, t->val);
            }
            break;
        }
        default:
            break;
        }
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
