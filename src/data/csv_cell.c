/* csv_cell.c — cell text: missing-value tokens, the correctly rounded number parser, cells quoted for messages. */
#include "csv_internal.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "fitbench/strutil.h"

static bool is_missing_text(const char *s, size_t n)
{
    static const char *const tokens[] = {"NA", "N/A", "NaN", "nan", "null", "?"};
    if (n == 0)
        return true;
    if (s[0] != 'N' && s[0] != 'n' && s[0] != '?')   /* the common case, cheaply */
        return false;
    for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++)
        if (strcmp(s, tokens[i]) == 0)
            return true;
    return false;
}

/* Clinger's fast path for plain decimals ("-12.375", "1e-3"): with at most
 * 2^53 as the digit string and |power of ten| <= 22, both operands are exact
 * doubles, so one multiply or divide is correctly rounded — the same result
 * strtod gives, several times faster.  false = not that simple, ask strtod. */
bool csv_parse_simple(const char *s, size_t n, double *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s, *end = s + n;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, scale = 0;
    bool any = false;
    for (; p < end && *p >= '0' && *p <= '9'; p++, any = true)
        if (m || *p != '0') {
            if (++digits > 19)
                return false;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, any = true) {
            if (m || *p != '0') {
                if (++digits > 19)
                    return false;
                m = m * 10 + (uint64_t)(*p - '0');
            }
            scale--;
        }
    }
    if (!any)
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p == end)
            return false;
        int e = 0;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (e > 1000)
                return false;
            e = e * 10 + (*p - '0');
        }
        scale += eneg ? -e : e;
    }
    if (p != end || m > ((uint64_t)1 << 53) || scale < -22 || scale > 22)
        return false;
    double v = (double)m;
    v = scale < 0 ? v / p10[-scale] : v * p10[scale];
    *out = neg ? -v : v;
    return true;
}

/* A number with the decimal mark dec: '.' as strtod reads it; ',' the same
 * text with its one comma read as the point (a '.' anywhere is then refused:
 * it would be a thousands separator or a slip). */
bool csv_parse_number(const char *s, size_t n, char dec, double *v)
{
    if (dec != ',')
        return csv_parse_simple(s, n, v) || fb_parse_double(s, n, v);
    char buf[128];
    if (n == 0 || n >= sizeof buf)
        return false;
    bool comma = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.' || (c == ',' && comma))
            return false;
        comma |= c == ',';
        buf[i] = c == ',' ? '.' : c;
    }
    buf[n] = '\0';
    return csv_parse_simple(buf, n, v) || fb_parse_double(buf, n, v);
}

int csv_parse_cell_dec(const char *s, size_t n, char dec, double *v)
{
    if (is_missing_text(s, n))
        return 0;
    if (!csv_parse_number(s, n, dec, v))
        return -1;
    return isnan(*v) ? 0 : 1;
}

/* Parse a cell: 1 number, 0 missing (a token or a NaN), -1 not a number. */
int csv_parse_cell(const char *s, size_t n, double *v)
{
    return csv_parse_cell_dec(s, n, '.', v);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* p past a run of one or more digits (before end), or NULL when p is not at a digit. */
static const char *skip_digits1(const char *p, const char *end)
{
    if (p == end || !is_digit(*p))
        return NULL;
    while (p < end && is_digit(*p))
        p++;
    return p;
}

/* The grouping separator at s (a space, an apostrophe, '.', ',', or U+00A0,
 * U+2009, U+202F in UTF-8): its length in bytes, 0 when there is none. */
static size_t group_sep(const char *s, const char *end)
{
    if (s < end && (*s == ' ' || *s == '\'' || *s == '.' || *s == ','))
        return 1;
    static const char *const wide[] = {"\xC2\xA0", "\xE2\x80\x89", "\xE2\x80\xAF"};
    for (size_t k = 0; k < 3; k++) {
        size_t l = strlen(wide[k]);
        if ((size_t)(end - s) >= l && memcmp(s, wide[k], l) == 0)
            return l;
    }
    return 0;
}

/* Digits grouped in threes: [sign] d{1,3} (G d{3})+ [D d+], one G throughout,
 * D ('.' or ',') not G. */
bool csv_grouped_digits(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    size_t lead = 0;
    while (p < end && is_digit(*p) && lead < 4)
        p++, lead++;
    if (lead == 0 || lead > 3 || p[-(ptrdiff_t)lead] == '0')   /* "0,388" is no grouping */
        return false;
    const char *g = NULL;
    size_t glen = 0, groups = 0;
    for (;;) {
        size_t l = group_sep(p, end);
        if (l == 0 || (g && (l != glen || memcmp(p, g, l) != 0)) || end - p < (ptrdiff_t)l + 3 ||
            !is_digit(p[l]) || !is_digit(p[l + 1]) || !is_digit(p[l + 2]) || (p + l + 3 < end && is_digit(p[l + 3])))
            break;
        g = p, glen = l;
        p += l + 3;
        groups++;
    }
    if (groups == 0)
        return false;
    if (p < end && (*p == '.' || *p == ',') && !(glen == 1 && *p == *g) && !(p = skip_digits1(p + 1, end)))
        return false;
    return p == end;
}

/* [sign] digits? MARK digits [e [sign] digits]: a plain number written with
 * the decimal mark `mark`. */
static bool plain_with(const char *s, size_t n, char mark)
{
    const char *p = s, *end = s + n;
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    size_t before = 0, after = 0;
    while (p < end && is_digit(*p))
        p++, before++;
    if (p == end || *p != mark)
        return false;
    for (p++; p < end && is_digit(*p); p++)
        after++;
    if (before + after == 0)
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '-' || *p == '+'))
            p++;
        if (!(p = skip_digits1(p, end)))
            return false;
    }
    return p == end;
}

bool csv_comma_number(const char *s, size_t n)
{
    return plain_with(s, n, ',');
}

const char *csv_number_hint(const char *s, size_t n, char dec, bool detected)
{
    char other = dec == ',' ? '.' : ',';
    if (csv_grouped_digits(s, n)) {
        /* "1,234" with decimal '.' (or "1.234" with ','): one group of three and
         * nothing else, which a decimal mark would explain too. */
        size_t k = (s[0] == '-' || s[0] == '+') ? 1 : 0;
        bool one_mark = memchr(s, other, n) && !memchr(s, dec, n) && memchr(s, other, n) == memrchr(s, other, n);
        for (; k < n && is_digit(s[k]); k++)
            ;
        if (one_mark && k + 4 == n && s[k] == other)
            return dec == ','
                       ? (detected ? "a thousands separator (remove it) or a decimal point (the decimal comma was "
                                     "detected from the first rows; load with decimal=.)?"
                                   : "a thousands separator (remove it) or a decimal point (load with decimal=.)?")
                       : "a decimal comma (load with decimal=,) or a thousands separator (remove it)?";
        return "it looks like digits grouped by a thousands separator, which are not read (remove the separators)";
    }
    if (dec != ',' && plain_with(s, n, ','))
        return "a decimal comma? load with decimal=,";
    if (dec == ',' && plain_with(s, n, '.'))
        return detected ? "a decimal point, but the decimal comma was detected from the first rows: load with "
                          "decimal=. if points are decimal points"
                        : "a decimal point, but decimal=, was given";
    return NULL;
}

/* The cell text for a message: at most ~40 bytes. */
const char *csv_quote_cell(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (n < 40)
        return s;
    snprintf(buf, size, "%.36s...", s);
    return buf;
}
