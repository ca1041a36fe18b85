/* fuzz_csv.c — libFuzzer target: csv_load on arbitrary bytes (plain or gzip), with options chosen by the first byte. */
#include "fitbench/csv.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Byte 0 picks the options so the fuzzer reaches every mode; the rest is the file. */
    unsigned char o = size ? data[0] : 0;
    CsvOptions opt;
    csv_options_default(&opt);
    static const char seps[4] = {0, ',', ';', '\t'};
    static const char *const targets[8] = {NULL, "0", "-1", "y", "a,b", "1,-1", "label", "99"};
    opt.sep = seps[o & 3];
    opt.header = (HeaderMode)((o >> 2) % 3);
    opt.missing = (MissingMode)((o >> 4) % 3);
    /* The codes 3 of those two fields (header auto, missing error again) also pick a decimal mark. */
    opt.decimal = (o >> 2 & 3) == 3 ? ',' : (o >> 4 & 3) == 3 ? '.' : 0;
    opt.target = targets[(o >> 5) & 7];
    if (o & 0x40)
        opt.drop = (o & 1) ? "a" : "\"a, b\",'c d',-2";
    if (o & 0x80)
        opt.onehot = "c,0";
    char path[4200];
    fuzz_write("in.csv", size ? data + 1 : data, size ? size - 1 : 0, path, sizeof path);
    Dataset *ds = NULL;
    FbErr err = {{0}, 0};
    if (csv_load(path, &opt, &ds, &err) == 0) {
        if (!ds)
            __builtin_trap(); /* success must return a dataset */
        dataset_unref(ds);
    } else if (ds || !err.msg[0]) {
        __builtin_trap(); /* failure must return nothing and say why */
    }
    return 0;
}
