/* history.c — the per-epoch training record and its CSV file. */
#include "fitbench/history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/fileio.h"
#include "fitbench/strutil.h"

/* Shared row storage: refs holders; rows[0..used) have been written by
 * someone (a holder's rows are a prefix of them). */
struct HistBuf {
    int refs;
    size_t used, cap;
    HistRow rows[];
};

static HistBuf *buf_new(size_t cap, const HistRow *rows, size_t n, FbErr *err)
{
    if (cap > ((size_t)-1 - sizeof(HistBuf)) / sizeof(HistRow)) {
        fb_oom(err, "the training history", (size_t)-1);
        return NULL;
    }
    HistBuf *b = malloc(sizeof *b + cap * sizeof(HistRow));
    if (!b) {
        fb_oom(err, "the training history", sizeof *b + cap * sizeof(HistRow));
        return NULL;
    }
    b->refs = 1;
    b->used = n;
    b->cap = cap;
    if (n)
        memcpy(b->rows, rows, n * sizeof *rows);
    return b;
}

static void buf_unref(HistBuf *b)
{
    if (b && --b->refs == 0)
        free(b);
}

static void attach(History *h, HistBuf *b)
{
    h->buf = b;
    h->rows = b->rows;
    h->cap = b->cap;
}

/* Make row h->n writable: in place when nobody else has written past n, else in a buffer of h's own. */
static int writable_end(History *h, FbErr *err)
{
    HistBuf *b = h->buf;
    if (b && b->refs == 1)
        b->used = h->n; /* nobody else: rows past n are nobody's */
    if (b && h->n == b->used && h->n < b->cap)
        return 0;
    size_t cap = h->n < 32 ? 64 : 2 * h->n;
    if (b && b->refs == 1) {
        HistBuf *g = realloc(b, sizeof *b + cap * sizeof(HistRow));
        if (!g)
            return fb_oom(err, "the training history", sizeof *b + cap * sizeof(HistRow));
        g->cap = cap;
        attach(h, g);
        return 0;
    }
    HistBuf *g = buf_new(cap, h->rows, h->n, err);
    if (!g)
        return -1;
    buf_unref(b);
    attach(h, g);
    return 0;
}

int history_push(History *h, const HistRow *row, FbErr *err)
{
    if (writable_end(h, err))
        return -1;
    h->buf->rows[h->n++] = *row;
    h->buf->used = h->n;
    return 0;
}

HistRow *history_edit(History *h, size_t i, FbErr *err)
{
    if (i >= h->n) {
        fb_fail(err, "history row %zu does not exist (%zu rows)", i, h->n);
        return NULL;
    }
    if (h->buf->refs > 1) {
        HistBuf *g = buf_new(h->n < 32 ? 64 : 2 * h->n, h->rows, h->n, err);
        if (!g)
            return NULL;
        buf_unref(h->buf);
        attach(h, g);
    }
    h->buf->used = h->n;
    return &h->buf->rows[i];
}

void history_trim(History *h, size_t keep)
{
    if (h->buf)
        h->buf->used = keep > h->n ? keep : h->n;
}

void history_clear(History *h) { h->n = 0; }

void history_free(History *h)
{
    if (!h)
        return;
    buf_unref(h->buf);
    memset(h, 0, sizeof *h);
}

int history_clone(History *dst, const History *src, FbErr *err)
{
    (void)err;
    *dst = *src;
    if (dst->buf)
        dst->buf->refs++;
    return 0;
}

const HistRow *history_last(const History *h) { return h->n ? &h->rows[h->n - 1] : NULL; }

size_t history_bytes(const History *h) { return h->buf ? sizeof *h->buf + h->buf->cap * sizeof(HistRow) : 0; }

bool history_shares(const History *a, const History *b) { return a->buf && a->buf == b->buf; }

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
    bool has[3] = {false, false, false}; /* by MetricTask: some row holds that task's metrics */
    for (size_t i = 0; i < h->n; i++)
        if (h->rows[i].task == MTASK_REG || h->rows[i].task == MTASK_CLS)
            has[h->rows[i].task] = true;
    fputs("epoch,step,train_loss,val_loss,lr,grad_norm,seconds", af.fp);
    static const MetricTask order[] = {MTASK_CLS, MTASK_REG};
    for (int t = 0; t < 2; t++)
        for (int j = 0; has[order[t]] && j < 2; j++)
            fprintf(af.fp, ",train_%s,val_%s", metric_name(order[t], j), metric_name(order[t], j));
    fputc('\n', af.fp);
    for (size_t i = 0; i < h->n; i++) {
        const HistRow *r = &h->rows[i];
        fprintf(af.fp, "%ld,%ld,", r->epoch, r->steps);
        put_num(af.fp, r->train_loss, 0);
        put_num(af.fp, r->val_loss, 0);
        put_num(af.fp, r->lr, 0);
        put_num(af.fp, r->grad_norm, 0);
        put_num(af.fp, r->seconds, !has[MTASK_CLS] && !has[MTASK_REG]);
        for (int t = 0; t < 2; t++) {
            bool mine = r->task == order[t], last_task = t == 1 || !has[order[1]];
            for (int j = 0; has[order[t]] && j < 2; j++) {
                put_num(af.fp, mine ? r->train_metric[j] : NAN, 0);
                put_num(af.fp, mine ? r->val_metric[j] : NAN, last_task && j == 1);
            }
        }
    }
    return atomic_commit(&af, err);
}
