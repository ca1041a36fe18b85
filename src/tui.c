/* tui.c — placeholder until the workbench screen lands: reports that it is unavailable. */
#include "fitbench/tui.h"

bool tui_available(void) { return false; }

int tui_run(Interp *it, const char *const *scripts, int n, bool interactive, FbErr *err)
{
    (void)it;
    (void)scripts;
    (void)n;
    (void)interactive;
    return fb_fail(err, "the full-screen view is not built yet");
}
