/* par.c — a fork-join of a handful of jobs over pthreads. */
#include "fitbench/par.h"

#include <pthread.h>
#include <stdbool.h>

void par_run(void *jobs, size_t stride, size_t k, void *(*fn)(void *))
{
    pthread_t tid[PAR_MAX_JOBS];
    bool started[PAR_MAX_JOBS] = {false};
    char *base = jobs;
    if (k > PAR_MAX_JOBS)
        k = PAR_MAX_JOBS;
    for (size_t i = 1; i < k; i++)
        started[i] = pthread_create(&tid[i], NULL, fn, base + i * stride) == 0;
    if (k > 0)
        fn(base);
    for (size_t i = 1; i < k; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(base + i * stride);
    }
}
