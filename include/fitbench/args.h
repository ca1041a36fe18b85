/* args.h — one command's words: tokenizing with quotes, key=value options checked against a table. */
#ifndef FITBENCH_ARGS_H
#define FITBENCH_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"

#define ARGS_MAX 64

typedef enum { OT_NUM, OT_INT, OT_BOOL, OT_ENUM, OT_STR, OT_LIST, OT_PATH, OT_EXPR } OptType;

/* Range flags for OT_NUM / OT_INT. */
enum { OPT_GT_MIN = 1, OPT_LT_MAX = 2 };

/* One accepted option of a command: its type, range and help.  Tables end
 * with a NULL key. */
typedef struct OptSpec {
    const char *key;
    OptType type;
    double min, max;
    unsigned flags;
    const char *const *choices; /* OT_ENUM: NULL-terminated */
    const char *help;
} OptSpec;

/* A word of the command line.  For key=value words key is the key, val the
 * value (quotes removed) and vraw the value as typed (quotes kept, so a list
 * can tell `drop="a, b"`, one name, from `drop=a,b`); for plain words key and
 * vraw are NULL.  col is 1-based in the physical line. */
typedef struct Tok {
    char *text;
    char *key;
    char *val;
    char *vraw;
    int col;
    int vcol;
} Tok;

/* The words of one command.  t[0] is the command name.  Owns its strings
 * (args_free). */
typedef struct Args {
    int n;
    Tok t[ARGS_MAX];
    char *raw;   /* the text after the command word, as typed (for expect, echo) */
    int rawcol;
} Args;

/* Split line[0..len) into words.  col0 is the column of line[0].  Quotes
 * ('..' or "..") group words and are removed; a backslash escapes the next
 * character inside double quotes.  Fails on an unterminated quote or more
 * than ARGS_MAX words, with err->col set. */
int args_split(const char *line, size_t len, int col0, Args *a, FbErr *err);
void args_free(Args *a);

/* Check every key=value word against specs (unknown keys get a "did you
 * mean"; numbers must parse in the C locale and lie in range; enums must be
 * one of the choices).  `cmd` names the command in messages.  Fails with
 * err->col at the offending word. */
int args_check(const Args *a, const OptSpec *specs, const char *cmd, FbErr *err);

/* Positional words (those without '='), in order; returns the count. */
int args_positional(const Args *a, const Tok **out, int max);

/* The option's token, or NULL when absent. */
const Tok *args_opt(const Args *a, const char *key);

/* Typed getters: return true when the option is present (values were
 * already range-checked by args_check). */
bool args_num(const Args *a, const char *key, double *out);
bool args_long(const Args *a, const char *key, long *out);
bool args_bool(const Args *a, const char *key, bool *out);
const char *args_str(const Args *a, const char *key);

/* Parse a yes/no word (yes/no, on/off, true/false, 1/0). */
bool parse_bool_word(const char *s, bool *out);

#endif
