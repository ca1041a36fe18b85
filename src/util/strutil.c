/* strutil.c — C-locale number parsing, edit distance, suggestions, and control characters made visible. */
#include "fitbench/strutil.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One C locale object for the whole process: strtod_l with it is immune to
 * the user's LC_NUMERIC.  Created once, on first use, by whichever thread comes
 * first (the CSV fast path parses on several: pthread_once, not a test of the
 * pointer, which raced); never freed (process lifetime). */
static locale_t c_loc;

static void c_locale_make(void)
{
    c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t c_locale(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, c_locale_make);
    return c_loc;
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

char *fb_fmt_exact(char *buf, size_t size, double x)
{
    for (int digits = 1; digits < 17; digits++) {
        double back;
        fb_fmt(buf, size, x, digits);
        if (fb_parse_double(buf, strlen(buf), &back) && memcmp(&back, &x, sizeof x) == 0)
            return buf;
    }
    return fb_fmt(buf, size, x, 17);
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0 when s[0] does
 * not start one (a stray continuation byte, an overlong form, a surrogate,
 * beyond U+10FFFF, or cut short by the end of the string). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (c >= 0xF5 || n == 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* What one unit of src becomes: a C0 control, DEL, a C1 control (U+0080..U+009F
 * written in UTF-8, or a raw byte 0x80..0x9F outside any valid sequence) an
 * escape; a valid UTF-8 character or any other byte itself.  Returns the
 * bytes of src it covers; esc (8 bytes) gets the text, *n its length. */
static size_t show_unit(const unsigned char *s, char esc[8], size_t *n)
{
    unsigned char c = s[0];
    if (c == '\n' || c == '\r' || c == '\t') {
        esc[0] = '\\';
        esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        *n = 2;
        return 1;
    }
    if (c < 0x20 || c == 0x7f) {
        *n = (size_t)snprintf(esc, 8, "\\x%02x", c);
        return 1;
    }
    if (c < 0x80) {
        esc[0] = (char)c;
        *n = 1;
        return 1;
    }
    size_t len = utf8_len(s);
    if (len == 2 && c == 0xC2 && s[1] < 0xA0) {   /* U+0080..U+009F: the C1 controls (0x9B is CSI) */
        *n = (size_t)snprintf(esc, 8, "\\u%04x", s[1]);
        return 2;
    }
    if (len == 0) {
        if (c <= 0x9F)
            *n = (size_t)snprintf(esc, 8, "\\x%02x", c);
        else
            esc[0] = (char)c, *n = 1;
        return 1;
    }
    memcpy(esc, s, len);
    *n = len;
    return len;
}

char *fb_show_controls(char *dst, size_t size, const char *src)
{
    if (size == 0)
        return dst;
    size_t k = 0;
    const unsigned char *s = (const unsigned char *)src;
    while (*s) {
        char esc[8];
        size_t n;
        size_t used = show_unit(s, esc, &n);
        if (k + n >= size)   /* no room for the whole of it: an escape or a character is never cut in two */
            break;
        memcpy(dst + k, esc, n);
        k += n;
        s += used;
    }
    dst[k] = '\0';
    return dst;
}

int fb_name_index(const char *const *names, const char *word)
{
    for (int i = 0; word && names[i]; i++)
        if (strcmp(names[i], word) == 0)
            return i;
    return -1;
}
