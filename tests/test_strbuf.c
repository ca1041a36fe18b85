/* test_strbuf.c — text built in memory (util/strbuf.c): printf to a callback through a stack or heap buffer,
 * the growing string; and sink_printf, which formats through it. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/sink.h"
#include "fitbench/strbuf.h"

typedef struct Got {
    char text[4096];
    size_t len;
    int calls;
} Got;

static void put_got(void *ctx, const char *s, size_t n)
{
    Got *g = ctx;
    cr_assert(g->len + n < sizeof g->text);
    memcpy(g->text + g->len, s, n);
    g->len += n;
    g->text[g->len] = '\0';
    g->calls++;
}

static int format_to(Got *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fb_vformat_to(put_got, g, fmt, ap);
    va_end(ap);
    return n;
}

Test(strbuf, format_short_long_and_empty)
{
    Got g = {0};
    cr_assert_eq(format_to(&g, "%s=%d", "epoch", 12), 8);
    cr_assert_str_eq(g.text, "epoch=12");
    cr_assert_eq(g.calls, 1);
    /* Longer than the stack buffer: the whole text, in one call. */
    char word[3001];
    memset(word, 'w', 3000);
    word[3000] = '\0';
    Got h = {0};
    cr_assert_eq(format_to(&h, "<%s>", word), 3002);
    cr_assert_eq(h.len, 3002);
    cr_assert_eq(h.calls, 1);
    cr_assert(h.text[0] == '<' && h.text[3001] == '>' && h.text[1500] == 'w');
    /* Empty text: nothing is handed on. */
    Got e = {0};
    cr_assert_eq(format_to(&e, "%s", ""), 0);
    cr_assert_eq(e.calls, 0);
}

Test(strbuf, grows_and_keeps_everything)
{
    StrBuf sb = {0};
    for (int i = 0; i < 2000; i++)
        strbuf_printf(&sb, "%d,", i % 10);
    strbuf_puts(&sb, "end");
    char big[700];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    strbuf_printf(&sb, "%s", big); /* past the stack buffer of a short printf */
    cr_assert(!sb.oom);
    cr_assert_eq(sb.len, 4000 + 3 + 699);
    cr_assert_eq(strlen(sb.buf), sb.len);
    cr_assert(strncmp(sb.buf, "0,1,2,", 6) == 0);
    cr_assert(strncmp(sb.buf + 4000, "endxxx", 6) == 0);
    cr_assert(sb.cap > sb.len);
    free(sb.buf);
}

Test(strbuf, sink_printf_long_lines_whole)
{
    SinkBuffer b = {0};
    Sink s = sink_buffer(&b);
    char word[2501];
    memset(word, 'a', 2500);
    word[2500] = '\0';
    sink_printf(&s, "%s|%d\n", word, 7);
    cr_assert_eq(b.len, 2500 + 3);
    cr_assert_str_eq(b.data + 2500, "|7\n");
    sink_printf(&s, "%s", "");
    cr_assert_eq(b.len, 2503);
    sink_printf(NULL, "nothing %d", 1); /* no sink: nothing happens */
    sink_buffer_free(&b);
}
