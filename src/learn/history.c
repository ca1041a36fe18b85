/* history.c — the per-epoch training record and its CSV file. */
#include "fitbench/history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/fileio.h"
#include "fitbench/strutil.h"

int history_push(History *h, const HistRow *row, FbErr *err)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        HistRow *r = realloc(h->rows, cap * sizeof *r);
        if (!r)
            return fb_oom(err, "the training history", cap * sizeof *r);
        h->rows = r;
        h->cap = cap;
    }
    h->rows[h->n++] = *row;
    return 0;
}

void history_clear(History *h) { h->n = 0; }

void history_free(History *h)
{
    if (!h)
        return;
    free(h->rows);
    memset(h, 0, sizeof *h);
}

int history_clone(History *dst, const History *src, FbErr *err)
{
    memset(dst, 0, sizeof *dst);
    if (src->n == 0)
        return 0;
    dst->rows = fb_malloc(src->n, sizeof *dst->rows, "the training history", err);
    if (!dst->rows)
        return -1;
    memcpy(dst->rows, src->rows, src->n * sizeof *dst->rows);
    dst->n = dst->cap = src->n;
    return 0;
}

const HistRow *history_last(const History *h) { return h->n ? &h->rows[h->n - 1] : NULL; }

static void put_num(FILE *fp, double v, int last)
{
    char b[40];
    if (isnan(v))
        b[0] = '\0';
    else
        fb_fmt(b, sizeof b, v, 17);
    fputs(b, fp);
    fputc(last ? '\n' : ',', fp);
}

int history_save_csv(const History *h, const char *path, FbErr *err)
{
    AtomicFile af;
    if (atomic_open(&af, path, err))
        return -1;
    fputs("epoch,step,train_loss,val_loss,lr,grad_norm,seconds\n", af.fp);
    for (size_t i = 0; i < h->n; i++) {
        const HistRow *r = &h->rows[i];
        fprintf(af.fp, "%ld,%ld,", r->epoch, r->steps);
        put_num(af.fp, r->train_loss, 0);
        put_num(af.fp, r->val_loss, 0);
        put_num(af.fp, r->lr, 0);
        put_num(af.fp, r->grad_norm, 0);
        put_num(af.fp, r->seconds, 1);
    }
    return atomic_commit(&af, err);
}
