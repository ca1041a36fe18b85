/* team.c — workers that spin, then sleep, between jobs handed out through a generation counter. */
#include "fitbench/team.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* Polls before a waiting worker sleeps: ~0.2 ms with pause at ~25 ns each,
 * long enough to bridge the gap between two training steps. */
#define SPIN_POLLS 8192

typedef struct Member {
    struct Team *team;
    size_t index;
} Member;

struct Team {
    size_t k;
    pthread_t tid[TEAM_MAX];
    Member member[TEAM_MAX];
    TeamJob job;
    void *ctx;
    atomic_uint gen;      /* bumped once per job (and once to quit) */
    atomic_size_t left;   /* workers still running the current job */
    atomic_int sleepers;  /* workers waiting on cv */
    atomic_bool quit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* Wait until gen differs from seen; returns the new value. */
static unsigned await_job(struct Team *t, unsigned seen)
{
    for (int i = 0; i < SPIN_POLLS; i++) {
        unsigned g = atomic_load_explicit(&t->gen, memory_order_acquire);
        if (g != seen)
            return g;
        CPU_RELAX();
    }
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add(&t->sleepers, 1); /* seq_cst: team_run either sees us or we see its gen */
    unsigned g;
    while ((g = atomic_load(&t->gen)) == seen)
        pthread_cond_wait(&t->cv, &t->mu);
    atomic_fetch_sub(&t->sleepers, 1);
    pthread_mutex_unlock(&t->mu);
    return g;
}

static void *worker(void *arg)
{
    Member *me = arg;
    struct Team *t = me->team;
    unsigned seen = 0;
    for (;;) {
        seen = await_job(t, seen);
        if (atomic_load_explicit(&t->quit, memory_order_acquire))
            return NULL;
        t->job(t->ctx, me->index, t->k);
        atomic_fetch_sub_explicit(&t->left, 1, memory_order_release);
    }
}

/* Publish the next generation and wake any sleeper. */
static void bump(struct Team *t)
{
    atomic_fetch_add(&t->gen, 1); /* seq_cst, paired with await_job's sleepers */
    if (atomic_load(&t->sleepers) > 0) {
        pthread_mutex_lock(&t->mu);
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
    }
}

static void join_workers(struct Team *t, size_t started)
{
    atomic_store_explicit(&t->quit, true, memory_order_release);
    bump(t);
    for (size_t i = 1; i < started; i++)
        pthread_join(t->tid[i], NULL);
}

int team_start(Team **out, size_t k, FbErr *err)
{
    *out = NULL;
    if (k < 1 || k > TEAM_MAX)
        return fb_fail(err, "a team needs 1 to %d threads, not %zu", TEAM_MAX, k);
    struct Team *t = calloc(1, sizeof *t);
    if (!t)
        return fb_fail(err, "out of memory for a thread team");
    t->k = k;
    atomic_init(&t->gen, 0);
    atomic_init(&t->left, 0);
    atomic_init(&t->sleepers, 0);
    atomic_init(&t->quit, false);
    if (pthread_mutex_init(&t->mu, NULL)) {
        free(t);
        return fb_fail(err, "could not set up a thread team");
    }
    if (pthread_cond_init(&t->cv, NULL)) {
        pthread_mutex_destroy(&t->mu);
        free(t);
        return fb_fail(err, "could not set up a thread team");
    }
    for (size_t i = 1; i < k; i++) {
        t->member[i] = (Member){.team = t, .index = i};
        if (pthread_create(&t->tid[i], NULL, worker, &t->member[i])) {
            join_workers(t, i);
            pthread_cond_destroy(&t->cv);
            pthread_mutex_destroy(&t->mu);
            free(t);
            return fb_fail(err, "could not start thread %zu of %zu for training", i + 1, k);
        }
    }
    *out = t;
    return 0;
}

size_t team_size(const Team *t) { return t ? t->k : 1; }

size_t team_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? (size_t)n : 1;
}

void team_run(Team *t, TeamJob job, void *ctx)
{
    if (t->k == 1) {
        job(ctx, 0, 1);
        return;
    }
    t->job = job;
    t->ctx = ctx;
    atomic_store_explicit(&t->left, t->k - 1, memory_order_relaxed);
    bump(t); /* release: job, ctx and left are visible to whoever sees the new gen */
    job(ctx, 0, t->k);
    for (unsigned polls = 0; atomic_load_explicit(&t->left, memory_order_acquire) != 0; polls++) {
        if (polls < SPIN_POLLS)
            CPU_RELAX();
        else
            sched_yield(); /* a worker was descheduled: let it run */
    }
}

void team_stop(Team *t)
{
    if (!t)
        return;
    join_workers(t, t->k);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
