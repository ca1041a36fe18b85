/* csv_cell.c — cell text: missing-value tokens, the correctly rounded number parser, cells quoted for messages. */
#include "csv_internal.h"

#include <math.h>
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

/* Parse a cell: 1 number, 0 missing (a token or a NaN), -1 not a number. */
int csv_parse_cell(const char *s, size_t n, double *v)
{
    if (is_missing_text(s, n))
        return 0;
    if (csv_parse_simple(s, n, v))
        return 1;
    if (!fb_parse_double(s, n, v))
        return -1;
    return isnan(*v) ? 0 : 1;
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
