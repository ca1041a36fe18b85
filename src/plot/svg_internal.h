/* svg_internal.h — the SVG writers' shared pieces (svg.c), for the other writers of the plot layer (netsvg.c). */
#ifndef FITBENCH_SVG_INTERNAL_H
#define FITBENCH_SVG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "fitbench/err.h"
#include "fitbench/strbuf.h"

void sb_num(StrBuf *sb, double v);                         /* %.6g in the C locale */
void sb_xml(StrBuf *sb, const char *s);                    /* text XML-escaped; control chars '?', bad UTF-8 U+FFFD */
void sb_open(StrBuf *sb, int W, int H, const char *title); /* the XML declaration, <svg>, title, white page */
int sb_finish(StrBuf *sb, char **out, size_t *len, FbErr *err); /* hand over the document; fails on out of memory */
int write_rendered(int rc, char *svg, size_t len, const char *path, FbErr *err); /* atomically; frees svg */
const char *heat_color(uint8_t c);
/* <text> at (x, y) with text-anchor and extra attributes (" fill=..." or ""), the text XML-escaped. */
void text_el(StrBuf *sb, double x, double y, const char *anchor, const char *extra, const char *text);                         /* GC_HEAT0.. → viridis; white otherwise */

#endif
