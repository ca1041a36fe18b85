/* test_proc.c — child processes (proc.h): shared memory both sides see, exit codes and signals, SIGINT ignored and
 * the parent's fatal-signal handlers dropped in the child, and a child that dies with its parent. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fitbench/proc.h"

typedef struct Box {
    atomic_long value;
    atomic_int handler_ran;
    atomic_int grandchild;     /* its pid, once it runs */
} Box;

static Box *box;               /* this test's shared box, for the handler below */

static Box *box_new(void)
{
    FbErr err;
    Box *b = proc_shared(sizeof *b, "a test box", &err);
    cr_assert_not_null(b, "%s", err.msg);
    return b;
}

static pid_t start(int (*fn)(void *), void *arg)
{
    FbErr err;
    pid_t pid = 0;
    cr_assert_eq(proc_start(fn, arg, &pid, &err), 0, "%s", err.msg);
    cr_assert_gt(pid, 0);
    return pid;
}

static int write_and_exit(void *arg)
{
    Box *b = arg;
    atomic_store(&b->value, 42);
    return 7;
}

Test(proc, child_writes_shared_memory_and_exit_code)
{
    Box *b = box_new();
    pid_t pid = start(write_and_exit, b);
    int status = 0;
    cr_assert(proc_ended(pid, true, &status));
    cr_assert_eq(status, 7);
    cr_assert_eq(atomic_load(&b->value), 42);
    proc_shared_free(b, sizeof *b);
}

static int wait_for_parent(void *arg)
{
    Box *b = arg;
    while (atomic_load(&b->value) == 0)
        usleep(1000);
    return 0;
}

Test(proc, running_then_killed_by_a_signal)
{
    Box *b = box_new();
    pid_t pid = start(wait_for_parent, b);
    int status = 0;
    cr_assert_not(proc_ended(pid, false, &status), "ended before the parent let it");
    kill(pid, SIGKILL);
    cr_assert(proc_ended(pid, true, &status));
    cr_assert_eq(status, -SIGKILL);
    proc_shared_free(b, sizeof *b);
}

static int sigint_then_write(void *arg)
{
    Box *b = arg;
    raise(SIGINT); /* ignored in a child: the parent decides when it stops */
    atomic_store(&b->value, 1);
    return 0;
}

static void on_term(int sig)
{
    (void)sig;
    atomic_store(&box->handler_ran, 1);
}

static int raise_term(void *arg)
{
    (void)arg;
    raise(SIGTERM);
    return 0;
}

static int raise_usr1_usr2(void *arg)
{
    (void)arg;
    raise(SIGUSR2); /* ignored by the parent: still ignored */
    raise(SIGUSR1); /* handled by the parent: the default, which ends the child */
    return 0;
}

Test(proc, sigint_ignored_fatal_handlers_dropped)
{
    box = box_new();
    pid_t pid = start(sigint_then_write, box);
    int status = 0;
    cr_assert(proc_ended(pid, true, &status));
    cr_assert_eq(status, 0, "SIGINT ended the child (%d)", status);
    cr_assert_eq(atomic_load(&box->value), 1);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, &old);
    pid = start(raise_term, NULL);
    cr_assert(proc_ended(pid, true, &status));
    sigaction(SIGTERM, &old, NULL);
    cr_assert_eq(status, -SIGTERM, "the child was not ended by SIGTERM (%d)", status);
    cr_assert_eq(atomic_load(&box->handler_ran), 0, "the parent's SIGTERM handler ran in the child");
    struct sigaction ign, old1, old2;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &ign, &old2);
    sigaction(SIGUSR1, &sa, &old1); /* any handled signal, not only the usual fatal ones (ncurses' SIGTSTP) */
    pid = start(raise_usr1_usr2, NULL);
    cr_assert(proc_ended(pid, true, &status));
    sigaction(SIGUSR1, &old1, NULL);
    sigaction(SIGUSR2, &old2, NULL);
    cr_assert_eq(status, -SIGUSR1, "the child was not ended by SIGUSR1 (%d)", status);
    cr_assert_eq(atomic_load(&box->handler_ran), 0, "the parent's SIGUSR1 handler ran in the child");
    proc_shared_free(box, sizeof *box);
}

static int sleep_forever(void *arg)
{
    Box *b = arg;
    atomic_store(&b->grandchild, (int)getpid());
    for (int i = 0; i < 600; i++) /* a minute at most, should the parent-death signal fail */
        sleep(1);
    return 0;
}

static int start_grandchild_then_end(void *arg)
{
    FbErr err;
    pid_t pid;
    if (proc_start(sleep_forever, arg, &pid, &err))
        return 2;
    while (atomic_load(&((Box *)arg)->grandchild) == 0)
        usleep(1000);
    return 0; /* the grandchild's parent ends here */
}

/* Alive and not a zombie. */
static bool running(pid_t pid)
{
    char path[64], state = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    int n = fscanf(f, "%*d %*s %c", &state);
    fclose(f);
    return n == 1 && state != 'Z' && state != 'X';
}

Test(proc, child_dies_with_its_parent)
{
    Box *b = box_new();
    pid_t pid = start(start_grandchild_then_end, b);
    int status = 0;
    cr_assert(proc_ended(pid, true, &status));
    cr_assert_eq(status, 0);
    pid_t g = (pid_t)atomic_load(&b->grandchild);
    cr_assert_gt(g, 0);
    for (int i = 0; i < 200 && running(g); i++)
        usleep(10000);
    bool alive = running(g);
    if (alive)
        kill(g, SIGKILL);
    cr_assert_not(alive, "the grandchild outlived its parent by 2 s");
    proc_shared_free(b, sizeof *b);
}
