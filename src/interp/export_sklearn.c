/* export_sklearn.c — the scikit-learn script of a session's closed form (export.h): the same data, split,
 * features and scaling, then LinearRegression, or Ridge for the weight decay and l2 penalty solve honours. */
#include <stdio.h>

#include "export_text.h"
#include "fitbench/export.h"

int export_sklearn(const ExportPlan *p, StrBuf *out, FbErr *err)
{
    if (p->model->kind != MODEL_LINEAR)
        return fb_fail(err, "save sklearn is for model linear");
    char wd[40], l2[40];
    strbuf_printf(out,
        "#!/usr/bin/env python3\n"
        "\"\"\"%s.py: the closed form of a fitbench session in scikit-learn (written by `%s`).\n\n"
        "It rebuilds the session's data (the same rows, split, features and scaling) and fits what fitbench's\n"
        "`solve` computes: LinearRegression, or with the optimizer's weight decay and the loss's l2 penalty the\n"
        "ridge problem gradient descent converges to. It prints the intercepts and coefficients and writes them\n"
        "as fitbench's `save weights` does (W.npy is (outputs, features), b.npy (outputs)) into %s_coef/.\n\n"
        "Run it:  python3 %s.py\n"
        "\"\"\"\n"
        "import argparse\n",
        p->stem, p->command, p->stem, p->stem);
    if (p->data.csv_path)
        strbuf_puts(out, "import csv\nimport gzip\n");
    strbuf_printf(out, "import math\nimport os\n\nimport numpy as np\n"
                       "from sklearn.linear_model import LinearRegression, Ridge\n\n"
                       "HERE = os.path.dirname(os.path.abspath(__file__))\nSTEM = \"%s\"\n"
                       "WEIGHT_DECAY = %s  # the optimizer's weight_decay\n"
                       "L2 = %s  # the loss's l2 penalty on the weights (both 0: least squares)\n\n\n",
                  p->stem, export_float(wd, sizeof wd, p->weight_decay), export_float(l2, sizeof l2, p->l2));
    strbuf_puts(out, "# -----------------------------------------------------------------------------\n");
    export_lines(out, export_py_rng);
    export_data_section(p, out);
    strbuf_puts(out, "\n\n# -----------------------------------------------------------------------------\n"
                     "# 3. The closed form, as fitbench's solve (docs/math.md, \"solve: the closed form\").\n");
    export_lines(out, export_py_sklearn);
    if (out->oom)
        return fb_fail(err, "out of memory writing the script");
    return 0;
}
