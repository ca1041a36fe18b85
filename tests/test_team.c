/* test_team.c — the persistent thread team: every member once per job, writes visible, sleepers woken. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "fitbench/team.h"

typedef struct Tally {
    size_t k;
    long count[TEAM_MAX];   /* member i writes only its own slot */
    long seen_k_wrong;
    atomic_long total;
    double out[TEAM_MAX * 8];
    long job;
} Tally;

static void count_job(void *ctx, size_t i, size_t k)
{
    Tally *t = ctx;
    t->count[i]++;
    if (k != t->k)
        t->seen_k_wrong++;
    atomic_fetch_add(&t->total, 1);
    for (int j = 0; j < 8; j++)
        t->out[i * 8 + j] = (double)(t->job * 100 + (long)i); /* read back by the caller after team_run */
}

static void run_jobs(size_t k, long jobs, useconds_t pause_us)
{
    Team *team;
    FbErr err;
    cr_assert_eq(team_start(&team, k, &err), 0, "%s", err.msg);
    cr_assert_eq(team_size(team), k);
    Tally t;
    memset(&t, 0, sizeof t);
    t.k = k;
    atomic_init(&t.total, 0);
    for (long j = 0; j < jobs; j++) {
        t.job = j;
        team_run(team, count_job, &t);
        for (size_t i = 0; i < k; i++)
            cr_assert_eq(t.out[i * 8 + 7], (double)(j * 100 + (long)i), "job %ld member %zu: write not visible", j, i);
        if (pause_us)
            usleep(pause_us); /* long enough for the workers to stop spinning and sleep */
    }
    for (size_t i = 0; i < k; i++)
        cr_assert_eq(t.count[i], jobs, "member %zu ran %ld of %ld jobs", i, t.count[i], jobs);
    cr_assert_eq(t.seen_k_wrong, 0);
    cr_assert_eq(atomic_load(&t.total), jobs * (long)k);
    team_stop(team);
}

Test(team, every_member_runs_every_job_once)
{
    run_jobs(2, 20000, 0);
    run_jobs(4, 5000, 0); /* more members than cores: waiting members must yield */
    run_jobs(1, 100, 0);
}

Test(team, sleeping_workers_wake_for_the_next_job)
{
    run_jobs(2, 20, 5000);
    run_jobs(3, 10, 5000);
}

static void where_job(void *ctx, size_t i, size_t k)
{
    pthread_t *who = ctx;
    who[i] = pthread_self();
}

Test(team, member_zero_is_the_caller)
{
    for (size_t k = 1; k <= 3; k++) {
        Team *team;
        FbErr err;
        cr_assert_eq(team_start(&team, k, &err), 0);
        pthread_t who[TEAM_MAX];
        team_run(team, where_job, who);
        cr_assert(pthread_equal(who[0], pthread_self()));
        for (size_t i = 1; i < k; i++)
            cr_assert(!pthread_equal(who[i], pthread_self()) && !pthread_equal(who[i], who[0]));
        team_stop(team);
    }
}

Test(team, bad_sizes_fail_and_stop_is_null_safe)
{
    Team *team = (Team *)&team;
    FbErr err;
    cr_assert_eq(team_start(&team, 0, &err), -1);
    cr_assert_null(team);
    cr_assert(strstr(err.msg, "1 to 16 threads"), "%s", err.msg);
    cr_assert_eq(team_start(&team, TEAM_MAX + 1, &err), -1);
    team_stop(NULL);
    cr_assert_eq(team_size(NULL), 1);
}
