/* export_sklearn.c — the scikit-learn script of a session's closed form (export.h). */
#include "export_text.h"
#include "fitbench/export.h"

int export_sklearn(const ExportPlan *p, StrBuf *out, FbErr *err)
{
    return fb_fail(err, "not yet");
}
