/* harness.h — run fitbench commands on a fresh session with output captured in buffers (tests only). */
#ifndef FITBENCH_TEST_HARNESS_H
#define FITBENCH_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/script.h"

#ifndef FITBENCH_SRCDIR
#define FITBENCH_SRCDIR "."
#endif

typedef struct H {
    Session s;
    Interp it;
    SinkBuffer out, err;
    Sink so, se;
    char dir[4096];
    const char *dirs[2];
} H;

static inline void h_init(H *h)
{
    memset(h, 0, sizeof *h);
    session_init(&h->s);
    h->so = sink_buffer(&h->out);
    h->se = sink_buffer(&h->err);
    interp_init(&h->it, &h->s, &h->so, &h->se);
    snprintf(h->dir, sizeof h->dir, "%s/datasets", FITBENCH_SRCDIR);
    h->dirs[0] = h->dir;
    h->dirs[1] = NULL;
    h->it.data_dirs = h->dirs;
    h->s.set.timing = false;
}

/* Run one line as line 1 of "t.fit"; 0 when every command succeeded. */
static inline int h_run(H *h, const char *line)
{
    return script_line(&h->it, line, strlen(line), "t.fit", 1);
}

static inline const char *h_out(H *h) { return h->out.data ? h->out.data : ""; }
static inline const char *h_err(H *h) { return h->err.data ? h->err.data : ""; }

static inline void h_clear(H *h)
{
    h->out.len = h->err.len = 0;
    if (h->out.data)
        h->out.data[0] = '\0';
    if (h->err.data)
        h->err.data[0] = '\0';
}

static inline void h_free(H *h)
{
    interp_free(&h->it);
    session_free(&h->s);
    sink_buffer_free(&h->out);
    sink_buffer_free(&h->err);
}

#endif
