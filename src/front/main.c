/* main.c — the program: reserve BLAS's buffers, read the command line, set the thread count, then the one driver
 * (runargs.c) runs the scripts and the prompt and gives the exit status. */
#include <stdio.h>
#include <unistd.h>

#include "fitbench/blas.h"
#include "fitbench/runargs.h"

/* A library failure before anything runs: status 1, as for a failed command. */
static int fatal(const FbErr *e)
{
    fprintf(stderr, "fitbench: error: %s\n", e->msg);
    return 1;
}

int main(int argc, char **argv)
{
    /* First of all, even before --version: under a tight ulimit -v OpenBLAS would hang (blas.h).  _exit, as
     * its exit handler would wait for worker threads that never got their buffers. */
    FbErr blas_err = {{0}, 0};
    if (blas_reserve(&blas_err))
        _exit(fatal(&blas_err));
    RunArgs a;
    int status = runargs_collect(&a, argc, argv);
    if (status >= 0)
        return status;
    /* More BLAS threads start more workers, each mapping a buffer at once. */
    if (a.threads >= 0 && blas_set_threads((int)a.threads, &blas_err))
        return fatal(&blas_err);
    return runargs_run(&a, argv[0]);
}
