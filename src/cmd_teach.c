/* cmd_teach.c — compare, lrfind, explain: instruments for teaching (being built). */
#include "fitbench/command.h"

int cmd_compare(Interp *it, Args *a, FbErr *err) { return fb_fail(err, "compare is not available yet"); }
int cmd_lrfind(Interp *it, Args *a, FbErr *err) { return fb_fail(err, "lrfind is not available yet"); }
int cmd_explain(Interp *it, Args *a, FbErr *err) { return fb_fail(err, "explain is not available yet"); }
