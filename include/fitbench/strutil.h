/* strutil.h — small string helpers: C-locale numbers, edit distance, lists. */
#ifndef FITBENCH_STRUTIL_H
#define FITBENCH_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Parse s[0..len) as a whole decimal/hex floating number in the C locale
 * whatever the process locale ("1e-3", "-.5", "inf", "nan" accepted; leading
 * or trailing blanks are not).  Correctly rounded.  Returns false (and leaves
 * *out alone) if the text is empty, has trailing characters, or overflows
 * the parser's 4 KiB limit. */
bool fb_parse_double(const char *s, size_t len, double *out);

/* Parse a whole string as a base-10 long.  false on junk or overflow. */
bool fb_parse_long(const char *s, long *out);

/* Levenshtein distance, capped at 255 (for "did you mean"). */
int fb_edit_distance(const char *a, const char *b);

/* The closest of the NULL-terminated candidates to word, or NULL when none
 * is close enough to be a useful suggestion. */
const char *fb_suggest(const char *word, const char *const *candidates);

/* Format a double the way fitbench prints numbers to people: %.*g with
 * `digits` significant digits, C locale.  Returns buf. */
char *fb_fmt(char *buf, size_t size, double x, int digits);

#endif
