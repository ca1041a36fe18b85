/* rlsearch.c — keeps GNU Readline 8.2's incremental search inside the line it searches (see rlsearch.h). */
#include "fitbench/rlsearch.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <readline/readline.h>

/* Readline 8.2's search context (rlprivate.h, _rl_search_cxt, built with HANDLE_MULTIBYTE as Debian's is); only
 * the fields up to sline_index are read or written, and only when the library says it is 8.2. */
typedef struct {
    int type, sflags;
    char *search_string;
    int search_string_index, search_string_size;
    char **lines;
    char *allocated_line;
    int hlen, hindex, save_point, save_mark, save_line, last_found_line;
    char *prev_line_found;
    UNDO_LIST *save_undo_list;
    Keymap keymap, okeymap;
    int history_pos, direction, prevc, lastc;
    char mb[MB_LEN_MAX], pmb[MB_LEN_MAX];
    char *sline;
    int sline_len, sline_index;
} SearchCxt82;

extern void *_rl_iscxt; /* the running incremental search's context (isearch.c), NULL when none */

/* The running search's context, or NULL (no search, or not Readline 8.2). */
static SearchCxt82 *context(void)
{
    if (rl_readline_version != 0x0802 || !RL_ISSTATE(RL_STATE_ISEARCH))
        return NULL;
    return _rl_iscxt;
}

bool rlsearch_consistent(void)
{
    const SearchCxt82 *x = context();
    return !x || !x->sline || (x->sline_len == (int)strlen(x->sline) && x->sline_index <= x->sline_len);
}

bool rlsearch_repair(void)
{
    SearchCxt82 *x = context();
    if (!x || !x->sline || rlsearch_consistent())
        return false;
    x->sline_len = (int)strlen(x->sline);
    if (x->sline_index > x->sline_len)
        x->sline_index = x->sline_len;
    return true;
}
