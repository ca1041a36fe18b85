/* rlline.c — keeps the line GNU Readline 8.2 edits valid UTF-8 (see rlline.h for the fault it repairs). */
#include "fitbench/rlline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <readline/readline.h>

size_t rlline_sanitize(char *s, size_t n)
{
    if (MB_CUR_MAX == 1)
        return 0;
    size_t bad = 0;
    mbstate_t ps;
    memset(&ps, 0, sizeof ps);
    for (size_t i = 0; i < n;) {
        if ((unsigned char)s[i] < 0x80) { /* ASCII: one byte, always valid */
            i++;
            continue;
        }
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &ps);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) { /* invalid, cut short, or an embedded NUL */
            s[i++] = '?';
            bad++;
            memset(&ps, 0, sizeof ps);
            continue;
        }
        if (wcwidth(wc) < 0) { /* a character that cannot be shown (unassigned, C1): each of its bytes */
            memset(s + i, '?', k);
            bad += k;
        }
        i += k;
    }
    return bad;
}

bool rlline_repair(void)
{
    if (!rl_line_buffer || rl_end <= 0)
        return false;
    return rlline_sanitize(rl_line_buffer, (size_t)rl_end) > 0;
}
