/* test_script.c — lines, ';' and '#', quotes, nested scripts, cycles and bail. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    FILE *fp = fopen(p, "w");
    cr_assert(fp);
    fputs(text, fp);
    fclose(fp);
}

static void setup_dir(void)
{
    strcpy(tmpdir, "/tmp/fbscriptXXXXXX");
    cr_assert(mkdtemp(tmpdir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(script, .init = setup_dir, .fini = remove_dir);

Test(script, semicolons_comments_and_quotes)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "echo a; echo \"b; c\" # echo d; echo e"), 0);
    cr_assert_str_eq(h_out(&h), "a\n\"b; c\"\n");
    h_clear(&h);
    cr_assert_eq(h_run(&h, "   # only a comment"), 0);
    cr_assert_str_eq(h_out(&h), "");
    h_free(&h);
}

Test(script, error_on_line_3_stops_the_script)
{
    write_file("bad.fit", "echo one\n# comment\noptim adma lr=0.1\necho after\n");
    H h;
    h_init(&h);
    char p[256];
    snprintf(p, sizeof p, "%s/bad.fit", tmpdir);
    FbErr e = {{0}, 0};
    cr_assert_eq(script_file(&h.it, p, &e), -1);
    char want[512];
    snprintf(want, sizeof want, "%s:3:7: error: unknown optimizer 'adma' (did you mean 'adam'?)\n", p);
    cr_assert_str_eq(h_err(&h), want);
    cr_assert_str_eq(h_out(&h), "one\n");
    h_free(&h);
}

Test(script, keep_going_runs_the_rest)
{
    write_file("bad.fit", "echo one\nbogus\necho after\n");
    H h;
    h_init(&h);
    h.it.keep_going = true;
    char p[256];
    snprintf(p, sizeof p, "%s/bad.fit", tmpdir);
    FbErr e = {{0}, 0};
    cr_assert_eq(script_file(&h.it, p, &e), -1);
    cr_assert_str_eq(h_out(&h), "one\nafter\n");
    cr_assert_eq(h.it.failed, 1);
    h_free(&h);
}

Test(script, nested_runs_and_cycles)
{
    char a[256], b[256], line[300];
    snprintf(a, sizeof a, "%s/a.fit", tmpdir);
    snprintf(b, sizeof b, "%s/b.fit", tmpdir);
    snprintf(line, sizeof line, "echo in b\nrun %s\n", a);
    write_file("b.fit", line);
    snprintf(line, sizeof line, "echo in a\nrun %s\n", b);
    write_file("a.fit", line);
    H h;
    h_init(&h);
    FbErr e = {{0}, 0};
    cr_assert_eq(script_file(&h.it, a, &e), -1);
    cr_assert_str_eq(h_out(&h), "in a\nin b\n");
    cr_assert(strstr(h_err(&h), "b.fit:2:5: error: "), "%s", h_err(&h));
    cr_assert(strstr(h_err(&h), "a.fit runs itself"), "%s", h_err(&h));
    /* reported once, where it happened */
    cr_assert_null(strstr(strstr(h_err(&h), "\n") + 1, "error"), "%s", h_err(&h));
    cr_assert_eq(h.it.depth, 0);
    h_free(&h);
}

Test(script, self_run_and_missing_and_binary_files)
{
    char p[256], line[300];
    snprintf(p, sizeof p, "%s/self.fit", tmpdir);
    snprintf(line, sizeof line, "run %s\n", p);
    write_file("self.fit", line);
    H h;
    h_init(&h);
    FbErr e = {{0}, 0};
    cr_assert_eq(script_file(&h.it, p, &e), -1);
    cr_assert(strstr(h_err(&h), "self.fit:1:5: error: "), "%s", h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "run /nonexistent/x.fit"), -1);
    cr_assert_str_eq(h_err(&h), "t.fit:1:5: error: cannot open /nonexistent/x.fit: No such file or directory\n");
    h_clear(&h);
    snprintf(p, sizeof p, "%s/bin.fit", tmpdir);
    FILE *fp = fopen(p, "wb");
    fwrite("echo x\n\0\x01\x02\n", 1, 11, fp);
    fclose(fp);
    cr_assert_eq(script_file(&h.it, p, &e), -1);
    cr_assert(strstr(h_err(&h), "is not a text script (a NUL byte on line 2)"), "%s", h_err(&h));
    h_free(&h);
}

Test(script, echo_setting_prints_commands)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "set echo=yes; echo hi"), 0);
    cr_assert_str_eq(h_out(&h), "> echo hi\nhi\n");
    h_free(&h);
}
