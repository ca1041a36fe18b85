/* rlundo.c — keeps GNU Readline 8.2's undo lists owned once (see rlundo.h for the fault it repairs). */
#include "fitbench/rlundo.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <readline/history.h>
#include <readline/readline.h>

/* Readline's private state (rlprivate.h), exported by libreadline: the new line put aside while the user moves
 * through history, and its list-freeing function (frees each record and a deleted text it holds). */
extern HIST_ENTRY *_rl_saved_line_for_history;
extern void _rl_free_undo_list(UNDO_LIST *ul);

/* One claim on an undo list: where its head pointer lives. */
typedef struct {
    UNDO_LIST **head; /* the owner's pointer (an entry's data, rl_undo_list, the saved line's data) */
    UNDO_LIST *last;  /* its last record (two lists share records iff they end in the same one) */
    size_t len;       /* its length */
    int entry;        /* the history index, or -1 for the edited line, -2 for the saved line */
    int order;        /* precedence: a claim gives up to an earlier one (edited, entries oldest first, saved) */
} Claim;

static void measure(Claim *c)
{
    c->last = NULL;
    c->len = 0;
    for (UNDO_LIST *u = *c->head; u; u = u->next) {
        c->last = u;
        c->len++;
    }
}

/* Every claim, in precedence order: the edited line, history entries oldest first, the saved line.  Every one is
 * looked at: a claim left out could keep records another gives up (the fault a cap of 62 entries once let
 * through).  Returns a malloc'd array the caller frees, its length in *n; NULL when there is no memory
 * for the array (*n is then 0). */
static Claim *collect(int *n)
{
    HIST_ENTRY **h = history_list();
    Claim *c = malloc(((size_t)(history_length > 0 ? history_length : 0) + 2) * sizeof *c);
    *n = 0;
    if (!c)
        return NULL;
    if (rl_undo_list)
        c[*n] = (Claim){&rl_undo_list, NULL, 0, -1, *n}, ++*n;
    for (int i = 0; h && h[i] && i < history_length; i++)
        if (h[i]->data)
            c[*n] = (Claim){(UNDO_LIST **)&h[i]->data, NULL, 0, i, *n}, ++*n;
    if (_rl_saved_line_for_history && _rl_saved_line_for_history->data)
        c[*n] = (Claim){(UNDO_LIST **)&_rl_saved_line_for_history->data, NULL, 0, -2, *n}, ++*n;
    for (int i = 0; i < *n; i++)
        measure(&c[i]);
    return c;
}

/* Claims sorted by their last record, then by precedence: claims that share records end up next to each other. */
static int by_last(const void *pa, const void *pb)
{
    const Claim *a = pa, *b = pb;
    uintptr_t la = (uintptr_t)a->last, lb = (uintptr_t)b->last;
    if (la != lb)
        return la < lb ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* How many records of a come before the first one b holds too (a and b end in the same record). */
static size_t junction(const Claim *a, const Claim *b)
{
    UNDO_LIST *x = *a->head, *y = *b->head;
    size_t skip = 0;
    for (size_t la = a->len, lb = b->len; la > lb; la--, skip++)
        x = x->next;
    for (size_t la = a->len, lb = b->len; lb > la; lb--)
        y = y->next;
    while (x != y) {
        x = x->next, y = y->next;
        skip++;
    }
    return skip;
}

/* Claim g[k] of a group (claims ending in the same record) gives up its list: the records no other holder in the
 * group keeps are freed, then its head is cleared. */
static void give_up(Claim *g, int gn, int k)
{
    size_t keep_from = g[k].len;
    for (int i = 0; i < gn; i++)
        if (i != k && *g[i].head) {
            size_t j = junction(&g[k], &g[i]);
            if (j < keep_from)
                keep_from = j;
        }
    UNDO_LIST *head = *g[k].head;
    *g[k].head = NULL;
    if (keep_from == 0)
        return;
    UNDO_LIST *tail = head;
    for (size_t i = 1; i < keep_from; i++)
        tail = tail->next;
    tail->next = NULL; /* the rest belongs to another claim */
    _rl_free_undo_list(head);
}

/* In one group, sorted by precedence: every claim but the first gives up.  Returns how many gave up. */
static int repair_group(Claim *g, int gn)
{
    for (int k = 1; k < gn; k++)
        give_up(g, gn, k);
    return gn - 1;
}

/* Returns how many claims gave up, or -1 when there was no memory to look (nothing changed then). */
static int repair_all(void)
{
    int n, fixed = 0;
    Claim *c = collect(&n);
    if (!c)
        return -1;
    qsort(c, (size_t)n, sizeof *c, by_last);
    for (int a = 0, b; a < n; a = b) {
        for (b = a + 1; b < n && c[b].last == c[a].last; b++)
            ;
        if (b - a > 1)
            fixed += repair_group(c + a, b - a);
    }
    free(c);
    return fixed;
}

/* Every time: sharing can also appear without the history position, its length or the saved line changing (a
 * search that copies a line in, vi commands, keyboard macros), and a fingerprint of those once let a shared list
 * through.  The walk costs a pointer test per history line and a pass over the lists that exist. */
bool rlundo_repair(void)
{
    /* On a history line with no new line put aside (a failed non-incremental search leaves this state), Readline's
     * next motion that cannot move (C-p on the first line, fetch-history) puts the edited list aside as the new
     * line and frees it, while the line it left keeps it too.  Put the text aside now, as a history motion would
     * have; the walk below then takes the shared list back from it. */
    if (where_history() < history_length && !_rl_saved_line_for_history)
        rl_maybe_save_line();
    return repair_all() > 0;
}
