/* rlundo.c — keeps GNU Readline 8.2's undo lists owned once (see rlundo.h for the fault it repairs). */
#include "fitbench/rlundo.h"

#include <stddef.h>
#include <stdio.h>

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
} Claim;

#define MAX_CLAIMS 64 /* lists looked at in one pass: edited history lines are few; more wait for the next pass */

static void measure(Claim *c)
{
    c->last = NULL;
    c->len = 0;
    for (UNDO_LIST *u = *c->head; u; u = u->next) {
        c->last = u;
        c->len++;
    }
}

/* The claims in the order they keep their records: history entries oldest first, the edited line, the saved
 * line.  Returns how many (at most MAX_CLAIMS; entries beyond are left for later passes). */
static int collect(Claim *c)
{
    int n = 0;
    HIST_ENTRY **h = history_list();
    for (int i = 0; h && h[i] && n < MAX_CLAIMS - 2; i++)
        if (h[i]->data)
            c[n++] = (Claim){(UNDO_LIST **)&h[i]->data, NULL, 0, i};
    if (rl_undo_list)
        c[n++] = (Claim){&rl_undo_list, NULL, 0, -1};
    if (_rl_saved_line_for_history && _rl_saved_line_for_history->data)
        c[n++] = (Claim){(UNDO_LIST **)&_rl_saved_line_for_history->data, NULL, 0, -2};
    for (int i = 0; i < n; i++)
        measure(&c[i]);
    return n;
}

/* Whether two claims may share records: only the edited line with the entry it was taken from (Readline's own
 * aliasing: edits are added in front of the entry's list until the line is left). */
static bool may_share(const Claim *a, const Claim *b)
{
    int cur = where_history();
    return (a->entry == -1 && b->entry == cur) || (b->entry == -1 && a->entry == cur);
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

/* Claim k gives up its list: the records no other claim holds are freed, then its head is cleared. */
static void give_up(Claim *c, int n, int k)
{
    size_t keep_from = c[k].len;
    for (int i = 0; i < n; i++)
        if (i != k && *c[i].head && c[i].last == c[k].last) {
            size_t j = junction(&c[k], &c[i]);
            if (j < keep_from)
                keep_from = j;
        }
    UNDO_LIST *head = *c[k].head;
    *c[k].head = NULL;
    if (keep_from == 0)
        return;
    UNDO_LIST *tail = head;
    for (size_t i = 1; i < keep_from; i++)
        tail = tail->next;
    tail->next = NULL; /* the rest belongs to another claim */
    _rl_free_undo_list(head);
}

/* The first claim after an earlier one it shares with gives up; returns how many gave up. */
static int repair_all(void)
{
    Claim c[MAX_CLAIMS];
    int n = collect(c), fixed = 0;
    for (int k = 1; k < n; k++)
        for (int i = 0; i < k; i++)
            if (*c[i].head && *c[k].head && c[i].last == c[k].last && !may_share(&c[i], &c[k])) {
                give_up(c, n, k);
                fixed++;
                break;
            }
    return fixed;
}

/* What can only change when sharing can appear: the saved line, the history position and length. */
typedef struct {
    const void *saved, *saved_data;
    int pos, len;
} Print;

bool rlundo_repair(void)
{
    static Print last = {NULL, NULL, -1, -1};
    HIST_ENTRY *s = _rl_saved_line_for_history;
    Print now = {s, s ? s->data : NULL, where_history(), history_length};
    if (now.saved == last.saved && now.saved_data == last.saved_data && now.pos == last.pos && now.len == last.len)
        return false;
    int fixed = repair_all();
    s = _rl_saved_line_for_history;
    last = (Print){s, s ? s->data : NULL, where_history(), history_length};
    return fixed > 0;
}
