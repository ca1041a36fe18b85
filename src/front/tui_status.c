/* tui_status.c — the status pane: progress, best loss, setup, and what the workbench is doing. */
#include "tui_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

/* The best loss so far (validation when there is one), updated from where
 * it was last looked at; a shorter or different history starts over. */
static void update_best(Tui *t, const History *h)
{
    if (h->rows != t->best_rows || h->n < t->best_n || !t->training) {
        t->best_rows = h->rows;
        t->best_n = 0;
        t->best = INFINITY;
        t->best_epoch = -1;
    }
    bool val = h->n && !isnan(h->rows[0].val_loss);
    for (size_t i = t->best_n; i < h->n; i++) {
        double v = val ? h->rows[i].val_loss : h->rows[i].train_loss;
        if (v < t->best) {
            t->best = v;
            t->best_epoch = h->rows[i].epoch;
        }
    }
    t->best_n = h->n;
}

static const char *fmt6(char *buf, size_t n, double x)
{
    if (isnan(x))
        return "-";
    return fb_fmt(buf, n, x, 6);
}

/* The rows of the status pane, in order; the setup rows follow S_DATA. */
enum { S_EPOCH, S_STEPS, S_TRAIN, S_VAL, S_BEST, S_LR, S_GRAD, S_TIME, S_MET1, S_MET2, S_DATA };

typedef struct StatusText {
    char k[20][12];
    char v[20][96];
    int n;
} StatusText;

static void stat_add(StatusText *st, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void stat_add(StatusText *st, const char *k, const char *fmt, ...)
{
    if (st->n == 20)
        return;
    snprintf(st->k[st->n], sizeof st->k[0], "%s", k);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->v[st->n], sizeof st->v[0], fmt, ap);
    va_end(ap);
    st->n++;
}

static void model_summary(const Session *s, char *buf, size_t n)
{
    if (!s->built) {
        snprintf(buf, n, "%s", s->mspec.set ? model_kind_name(s->mspec.kind) : "none yet");
        return;
    }
    const Model *m = &s->ts.model;
    size_t k = (size_t)snprintf(buf, n, "%s ", model_kind_name(m->kind));
    for (size_t l = 0; l <= m->nlayers && k < n; l++)
        k += (size_t)snprintf(buf + k, n - k, "%s%zu", l ? "\u2192" : "", m->sizes[l]);
    if (m->kind == MODEL_MLP && k < n)
        k += (size_t)snprintf(buf + k, n - k, " %s", act_name(m->act));
    if (k < n)
        snprintf(buf + k, n - k, ", %zu params", m->nparams);
}

/* The lr to show: a change of +/- waiting for the epoch to end is shown at once. */
double tui_pending(const Tui *t) { return t->lr_pending > 0 ? t->lr_pending : 1.0; }

static void optim_summary(const Tui *t, char *buf, size_t n)
{
    const OptCfg *o = &t->it->s->setup.opt;
    char a[32], b[32];
    size_t k = (size_t)snprintf(buf, n, "%s lr=%s", optim_name(o->kind), fb_fmt(a, sizeof a, o->lr * tui_pending(t), 4));
    if ((o->kind == OPT_SGD || o->kind == OPT_RMSPROP) && o->momentum != 0 && k < n)
        k += (size_t)snprintf(buf + k, n - k, " mom=%s", fb_fmt(b, sizeof b, o->momentum, 3));
    if (o->weight_decay != 0 && k < n)
        snprintf(buf + k, n - k, " wd=%s", fb_fmt(b, sizeof b, o->weight_decay, 3));
}

/* The task's two metrics (accuracy and macro F1, or r2 and rmse) at the current parameters: "train / val",
 * four digits (the pane is narrow). */
static void metric_rows(const TrainNow *nw, StatusText *st)
{
    for (int i = 0; i < 2; i++) {
        const char *name = nw ? metric_name(nw->task, i) : NULL;
        char a[40], b[40];
        if (!name)
            stat_add(st, i ? "" : "metrics", "-");
        else if (isnan(nw->val_metric[i]))
            stat_add(st, name, "%s", fb_fmt(a, sizeof a, nw->train_metric[i], 4));
        else
            stat_add(st, name, "%s / %s", fb_fmt(a, sizeof a, nw->train_metric[i], 4),
                     fb_fmt(b, sizeof b, nw->val_metric[i], 4));
    }
}

static void status_text(Tui *t, StatusText *st)
{
    Session *s = t->it->s;
    const History *h = &s->ts.hist;
    const HistRow *r = s->built ? history_last(h) : NULL;
    /* Counters and losses of the parameters as they are now (ts.now, kept by
     * session_refresh): after step batch, explain, solve or a restore they
     * differ from the last history row. */
    const TrainNow *nw = s->built && s->ts.now.valid ? &s->ts.now : NULL;
    char a[40];
    memset(st, 0, sizeof *st);
    st->n = 0;
    if (s->built && s->ts.cursor)
        stat_add(st, "epoch", "%ld +%zu rows", s->ts.epoch, s->ts.cursor);
    else if (s->built)
        stat_add(st, "epoch", "%ld", s->ts.epoch);
    else
        stat_add(st, "epoch", "-");
    if (s->built)
        stat_add(st, "updates", "%ld", s->ts.steps);
    else
        stat_add(st, "updates", "-");
    stat_add(st, "train loss", "%s", nw ? fmt6(a, sizeof a, nw->train_loss) : "-");
    stat_add(st, "val loss", "%s", nw ? fmt6(a, sizeof a, nw->val_loss) : "-");
    if (r) {
        update_best(t, h);
        if (t->best_epoch >= 0)
            stat_add(st, "best", "%s @%ld%s", fmt6(a, sizeof a, t->best), t->best_epoch,
                     !isnan(r->val_loss) ? " (val)" : "");
        else
            stat_add(st, "best", "-");
    } else
        stat_add(st, "best", "-");
    stat_add(st, "lr", "%s", fmt6(a, sizeof a, (s->built ? s->ts.sched.lr : s->setup.opt.lr) * tui_pending(t)));
    stat_add(st, "grad norm", "%s", nw ? fmt6(a, sizeof a, nw->grad_norm) : "-");
    /* Time per epoch: the mean of the last few, in a readable unit. */
    double sum = 0;
    size_t cnt = 0;
    for (size_t i = h->n; i > 1 && cnt < 50 && s->built; i--, cnt++)
        sum += h->rows[i - 1].seconds;
    if (cnt) {
        double per = sum / (double)cnt;
        if (per < 1e-3)
            stat_add(st, "time/epoch", "%s \u00b5s", fb_fmt(a, sizeof a, per * 1e6, 3));
        else if (per < 1)
            stat_add(st, "time/epoch", "%s ms", fb_fmt(a, sizeof a, per * 1e3, 3));
        else
            stat_add(st, "time/epoch", "%s s", fb_fmt(a, sizeof a, per, 3));
    } else
        stat_add(st, "time/epoch", "-");
    metric_rows(nw, st);
    char big[96];
    if (s->data) {
        const Dataset *ds = s->data;
        const char *src = ds->source ? ds->source : "";
        const char *slash = strrchr(src, '/');
        bool gen = strncmp(src, "gen ", 4) == 0;
        const char *sp = gen ? strchr(src + 4, ' ') : NULL; /* "gen moons n=200 ...": the kind is enough here */
        int len = sp ? (int)(sp - src) : 40;
        stat_add(st, "data", "%.*s %zu\u00d7%zu", len, slash && !gen ? slash + 1 : src, ds->n, ds->d);
        if (s->prep)
            stat_add(st, "split", "train %zu  val %zu  test %zu", s->prep->train.n, s->prep->val.n, s->prep->test.n);
    } else
        stat_add(st, "data", "none yet");
    model_summary(s, big, sizeof big);
    stat_add(st, "model", "%s", big);
    stat_add(st, "loss", "%s", s->built || s->loss_set ? loss_text(&s->setup.loss, 4, big, sizeof big) : "-");
    optim_summary(t, big, sizeof big);
    stat_add(st, "optim", "%s", big);
    stat_add(st, "schedule", "%s", sched_name(s->setup.sched.kind));
    if (s->setup.batch)
        stat_add(st, "batch", "%zu%s", s->setup.batch, s->setup.shuffle ? " shuffled" : "");
    else
        stat_add(st, "batch", "full");
    stat_add(st, "plot", "%s%s", s->plot, s->plot_logy ? " (log)" : "");
}

/* What the training / waiting state line says. */
static void activity(Tui *t, char *buf, size_t n, int *color)
{
    *color = UI_NOTE;
    if (t->waiting)
        snprintf(buf, n, "paused: press a key to go on");
    else if (t->training && t->paused)
        snprintf(buf, n, "\u275a\u275a paused at epoch %ld", t->it->s->ts.epoch), *color = UI_WARN;
    else if (t->training) {
        double el = now_s() - t->train_t0;
        long done = t->it->s->ts.epoch - t->train_epoch0;
        char a[32], b[32];
        const Interp *it = t->it;
        if (t->pace_s > 0 && it->work_total > 0)
            snprintf(buf, n, "\u25b6 %ld/%ld, %s s, pace %s s", it->work_done, it->work_total,
                     fb_fmt(a, sizeof a, el, 2), fb_fmt(b, sizeof b, t->pace_s, 3));
        else
            snprintf(buf, n, "\u25b6 training: %ld epochs, %s s", done, fb_fmt(a, sizeof a, el, 3));
        *color = UI_CMD;
    } else if (t->busy)
        snprintf(buf, n, "working\u2026");
    else
        buf[0] = '\0';
}

void tui_draw_status(Tui *t)
{
    StatusText st;
    status_text(t, &st);
    char act[96];
    int acol;
    activity(t, act, sizeof act, &acol);
    if (t->side) {
        int x = t->stat_x + 1, w = t->stat_w - 1, y = t->stat_y;
        int end = t->stat_y + t->stat_h;
        tui_put_text(t, y++, x, w, "fitbench", UI_HEAD, A_BOLD);
        for (int i = 0; i < st.n && y < end - 1; i++) {
            if (i == S_DATA && y + 2 < end)
                tui_put_text(t, y++, x, w, "", 0, 0); /* a gap between progress and setup */
            tui_put_text(t, y, x, 11, st.k[i], UI_DIM, 0);
            /* Long values continue on the next rows, under the value column. */
            int len, vw = w - 11;
            wchar_t *ws = tui_widen(st.v[i], strlen(st.v[i]), &len);
            for (int off = 0; y < end - 1 && (off == 0 || off < len); y++) {
                if (off)
                    tui_put_text(t, y, x, 11, "", 0, 0);
                int take = len - off;
                if (take > vw) { /* break at the last space that fits */
                    take = vw;
                    for (int j = vw; j > 0; j--)
                        if (ws[off + j] == L' ') {
                            take = j;
                            break;
                        }
                }
                int k = 0;
                for (; ws && k < take; k++)
                    tui_put_wc(t, y, x + 11 + k, ws[off + k], 0, 0, i == S_EPOCH || i == S_TRAIN || i == S_VAL ? A_BOLD : 0);
                for (; k < vw; k++)
                    tui_put_wc(t, y, x + 11 + k, L' ', 0, 0, 0);
                off += take;
                while (ws && off < len && ws[off] == L' ')
                    off++;
            }
            free(ws);
        }
        while (y < end - 1)
            tui_put_text(t, y++, x, w, "", 0, 0);
        if (y < end)
            tui_put_text(t, y, x, w, act, acol, A_BOLD);
        for (int r = 0; r < t->stat_h; r++)
            tui_put_wc(t, t->stat_y + r, t->plot_w, L'\u2502', UI_DIM, 0, 0);
        return;
    }
    /* Two lines: progress, then setup. */
    char l1[1024], l2[1024];
    int k = snprintf(l1, sizeof l1, "epoch %s  train %s", st.v[S_EPOCH], st.v[S_TRAIN]);
    if (strcmp(st.v[S_VAL], "-") != 0)
        k += snprintf(l1 + k, sizeof l1 - (size_t)k, "  val %s", st.v[S_VAL]);
    snprintf(l1 + k, sizeof l1 - (size_t)k, "  best %s  lr %s  |g| %s", st.v[S_BEST], st.v[S_LR], st.v[S_GRAD]);
    if ((int)strlen(l1) + (int)strlen(st.v[S_TIME]) + 5 < t->W)
        snprintf(l1 + strlen(l1), sizeof l1 - strlen(l1), "  %s/ep", st.v[S_TIME]);
    snprintf(l2, sizeof l2, "%s \u00b7 %s \u00b7 %s \u00b7 %s \u00b7 batch %s", st.v[S_DATA], st.v[st.n - 6], st.v[st.n - 5],
             st.v[st.n - 4], st.v[st.n - 2]);
    tui_put_text(t, t->stat_y, 0, t->W, l1, 0, A_BOLD);
    if (t->waiting)
        act[0] = '\0'; /* the separator says "any key: go on"; the setup line stays whole */
    if (act[0]) {
        int len;
        wchar_t *w = tui_widen(act, strlen(act), &len);
        free(w);
        int x = t->W - len - 1, l2w;
        free(tui_widen(l2, strlen(l2), &l2w));
        tui_put_text(t, t->stat_y + 1, 0, x > 0 ? x : 0, l2, UI_DIM, 0);
        if (x > 2 && l2w >= x) /* cut short: say so, and keep a space before the activity */
            tui_put_text(t, t->stat_y + 1, x - 2, 2, "\u2026 ", UI_DIM, 0);
        if (x > 0)
            tui_put_text(t, t->stat_y + 1, x, len + 1, act, acol, A_BOLD);
    } else
        tui_put_text(t, t->stat_y + 1, 0, t->W, l2, UI_DIM, 0);
}
