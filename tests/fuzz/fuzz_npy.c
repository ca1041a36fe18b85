/* fuzz_npy.c — libFuzzer target: npy_read on arbitrary bytes; a success is written back and re-read. */
#include "fitbench/npy.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4200];
    fuzz_write("a.npy", data, size, path, sizeof path);
    double *x = (double *)1; /* must be set to NULL on failure */
    size_t ndim = 9, shape[2] = {0, 0};
    FbErr err = {{0}, 0};
    if (npy_read(path, &x, &ndim, shape, &err) != 0) {
        if (x || !err.msg[0])
            __builtin_trap();
        return 0;
    }
    if (ndim > 2 || (ndim < 2 && shape[1] != 1) || (ndim < 1 && shape[0] != 1))
        __builtin_trap();
    /* Round trip: what was read writes and reads back identically. */
    char out[4200];
    snprintf(out, sizeof out, "%s/b.npy", fuzz_dir());
    if (npy_write(out, x, ndim, shape, &err) != 0)
        __builtin_trap();
    double *y = NULL;
    size_t ndim2, shape2[2];
    if (npy_read(out, &y, &ndim2, shape2, &err) != 0 || ndim2 != ndim || shape2[0] != shape[0] ||
        shape2[1] != shape[1] || memcmp(x, y, shape[0] * shape[1] * sizeof *x) != 0)
        __builtin_trap();
    free(x);
    free(y);
    return 0;
}
