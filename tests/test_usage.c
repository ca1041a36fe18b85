/* test_usage.c — every command's wrong-words error is its row's usage, for every row of the table. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Run line on a fresh session; the error text it printed (malloc'ed), or NULL when it succeeded. */
static char *run_err(const char *line)
{
    H h;
    h_init(&h);
    char *msg = h_run(&h, line) ? strdup(h_err(&h)) : NULL;
    h_free(&h);
    return msg;
}

/* Too few words: the command alone. */
static void check_too_few(const Command *c)
{
    char want[2048], u[1024];
    snprintf(want, sizeof want, "t.fit:1:1: error: usage: %s\n", command_usage_line(c, u, sizeof u));
    char *got = run_err(c->name);
    cr_assert(got, "'%s' alone should fail (it needs %d word(s))", c->name, c->minw);
    cr_assert_str_eq(got, want, "'%s' alone", c->name);
    free(got);
}

/* Too many words: maxw + 1 of them; the error points at the first one too many. */
static void check_too_many(const Command *c)
{
    char line[256], want[2048], u[1024];
    int n = snprintf(line, sizeof line, "%s", c->name);
    for (int i = 0; i <= c->maxw; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " zz");
    int col = (int)strlen(c->name) + 2 + 3 * c->maxw;
    snprintf(want, sizeof want, "t.fit:1:%d: error: usage: %s\n", col, command_usage_line(c, u, sizeof u));
    char *got = run_err(line);
    cr_assert(got, "'%s' should fail (at most %d word(s))", line, c->maxw);
    cr_assert_str_eq(got, want, "'%s'", line);
    free(got);
}

Test(usage, every_command_says_its_row_usage_on_wrong_words)
{
    int checked = 0, free_text = 0;
    for (const Command *c = commands; c->name; c++) {
        cr_assert(c->usage && !strncmp(c->usage, c->name, strlen(c->name)), "%s: usage starts with the name", c->name);
        cr_assert(c->minw <= c->maxw, "%s: minw <= maxw", c->name);
        if (c->minw > 0)
            check_too_few(c), checked++;
        if (c->maxw != CMD_ANY)
            check_too_many(c), checked++;
        if (c->minw == 0 && c->maxw == CMD_ANY) {
            /* No word count is wrong: only a free-text command may say so, and it must take anything. */
            cr_assert(c->flags & CMD_RAW, "%s takes any words but is not CMD_RAW", c->name);
            char line[128];
            snprintf(line, sizeof line, "%s zz 1 2 x=3 'q q'", c->name);
            char *got = run_err(line);
            cr_assert_null(got, "'%s' should take any text: %s", line, got ? got : "");
            free_text++;
        }
    }
    cr_assert_gt(checked, 30);
    cr_assert_leq(free_text, 2, "echo and pause are the only free-text commands");
}

/* Handler-level wrong words (right count, wrong kind) quote the same usage after the reason. */
static void expect_reason_then_usage(const char *line, const char *cmd, const char *why)
{
    char want[2048], u[1024];
    snprintf(want, sizeof want, "%s (usage: %s)\n", why, command_usage_line(command_find(cmd), u, sizeof u));
    char *got = run_err(line);
    cr_assert(got, "'%s' should fail", line);
    const char *e = strstr(got, "error: ");
    cr_assert(e, "%s", got);
    cr_assert_str_eq(e + 7, want, "'%s'", line);
    free(got);
}

Test(usage, reasons_carry_the_row_usage)
{
    expect_reason_then_usage("sleep -1", "sleep", "sleep takes seconds from 0 to 3600 (got '-1')");
    expect_reason_then_usage("load a.csv b.csv", "load",
                             "load takes one file (got 'b.csv' too); quote a path with spaces");
    expect_reason_then_usage("compare epochs=3", "compare", "compare needs KEY=V1,V2,... (lr=0.01,0.1, say)");
    expect_reason_then_usage("compare lr", "compare", "compare takes KEY=V1,V2,... (lr=0.01,0.1, say), not 'lr'");
    expect_reason_then_usage("optim qqqqqqqq", "optim", "unknown optimizer 'qqqqqqqq'");
    char *got = run_err("step 3 4");
    char want[512], u[512];
    snprintf(want, sizeof want, "t.fit:1:8: error: usage: %s\n", command_usage_line(command_find("step"), u, sizeof u));
    cr_assert_str_eq(got, want);
    free(got);
}

/* A usage of several lines reads as one line in a message: continuations joined, forms separated by |. */
Test(usage, a_multi_line_usage_reads_as_one_line)
{
    char u[1024];
    cr_assert_str_eq(command_usage_line(command_find("load"), u, sizeof u),
                     "load PATH|NAME [target=COL] [sep=,] [decimal=auto|.|,] [header=auto|yes|no] [drop=A,B] "
                     "[onehot=A,B] [missing=error|drop|mean] | load model PATH | load weights DIR");
    cr_assert_str_eq(command_usage_line(command_find("train"), u, sizeof u), command_find("train")->usage);
    char small[8];
    cr_assert_str_eq(command_usage_line(command_find("train"), small, sizeof small), "train [");
    for (const Command *c = commands; c->name; c++)
        cr_assert_null(strchr(command_usage_line(c, u, sizeof u), '\n'), "%s", c->name);
}
