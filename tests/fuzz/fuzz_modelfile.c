/* fuzz_modelfile.c — libFuzzer target: modelfile_read on arbitrary bytes. */
#include "fitbench/modelfile.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4200];
    fuzz_write("m.fbm", data, size, path, sizeof path);
    ModelFile mf;
    memset(&mf, 0xA5, sizeof mf); /* the reader must not rely on a zeroed struct */
    FbErr err = {{0}, 0};
    if (modelfile_read(path, &mf, &err) != 0 && !err.msg[0])
        __builtin_trap(); /* a failure must say why */
    modelfile_free(&mf); /* empty after a failure, so freeing is always right */
    return 0;
}
