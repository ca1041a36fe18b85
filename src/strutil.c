/* strutil.c — C-locale number parsing, edit distance and suggestions. */
#include "fitbench/strutil.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One C locale object for the whole process: strtod_l with it is immune to
 * the user's LC_NUMERIC.  Created lazily; never freed (process lifetime). */
static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc)
        loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return loc;
}

bool fb_parse_double(const char *s, size_t len, double *out)
{
    char buf[4096];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (buf[0] == ' ' || buf[0] == '\t')
        return false;
    char *end;
    double v = strtod_l(buf, &end, c_locale());
    if (end != buf + len)
        return false;
    *out = v;
    return true;
}

bool fb_parse_long(const char *s, long *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* Optimal string alignment distance: Levenshtein plus the swap of two
 * neighbouring letters as one edit, the commonest typo ("adma" -> "adam"). */
int fb_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 255;
    int d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb] > 255 ? 255 : d[la][lb];
}

const char *fb_suggest(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    int bestd = 255;
    size_t lw = strlen(word);
    for (size_t i = 0; candidates && candidates[i]; i++) {
        int d = fb_edit_distance(word, candidates[i]);
        /* A prefix of a candidate is a strong hint too ("opt" → "optim"). */
        if (lw >= 2 && strncmp(word, candidates[i], lw) == 0 && d > 1)
            d = 1;
        if (d < bestd) {
            bestd = d;
            best = candidates[i];
        }
    }
    /* Allow about one edit per three letters, at least one. */
    int allowed = (int)(lw / 3) > 1 ? (int)(lw / 3) : 1;
    if (lw <= 2)
        allowed = 1;
    return bestd <= allowed ? best : NULL;
}

char *fb_fmt(char *buf, size_t size, double x, int digits)
{
    locale_t old = uselocale(c_locale());
    snprintf(buf, size, "%.*g", digits, x);
    uselocale(old);
    return buf;
}
