/* strutil.h — small string helpers: C-locale numbers, edit distance, lists, control characters. */
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

/* Index of word in the NULL-terminated list names, or -1 when it is not there.  The enum name tables of the
 * core modules (loss_names, optim_names, ...) are such lists, in enum order. */
int fb_name_index(const char *const *names, const char *word);

/* Format a double the way fitbench prints numbers to people: %.*g with
 * `digits` significant digits, C locale.  Returns buf. */
char *fb_fmt(char *buf, size_t size, double x, int digits);

/* The fewest significant digits (at most 17, as %.17g) that read back as
 * exactly x: 0.005 rather than 0.0050000000000000001, for numbers written
 * into scripts that must replay bit for bit.  C locale.  Returns buf (at
 * least 32 bytes for every double to fit). */
char *fb_fmt_exact(char *buf, size_t size, double x);

/* Text from a file or a command made safe for a terminal: control
 * characters become C escapes (\n, \r, \t, \x1b; DEL is \x7f), and so do the
 * C1 controls, which terminals obey too (0x9b is CSI): U+0080..U+009F
 * written in UTF-8 become \u0080..\u009f, and a raw byte 0x80..0x9f that
 * is not part of a valid UTF-8 character becomes \x80..\x9f.  So an ESC or
 * CSI in a CSV header cannot clear the screen or change its settings; other
 * bytes (valid UTF-8 included) are kept.  Writes at most size bytes with
 * the NUL into dst, stopping before an escape or character that would not
 * fit whole (4 * strlen(src) + 1 always suffices).  Returns dst; never fails. */
char *fb_show_controls(char *dst, size_t size, const char *src);

/* fb_show_controls into a 256-byte compound literal: for printing one name
 * in a printf argument list (longer names are cut short). */
#define FB_SHOWN(s) fb_show_controls((char[256]){0}, 256, (s))

#endif
