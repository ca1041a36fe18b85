/* test_names.c — one fact, one place: the enum name tables of the core modules, the optimizers' option table,
 * and the interpreter's command rows that are built from them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/loss.h"
#include "fitbench/model.h"
#include "fitbench/optim.h"
#include "fitbench/prep.h"
#include "fitbench/sched.h"
#include "fitbench/strutil.h"
#include "harness.h"

Test(names, every_name_maps_back_to_its_enum)
{
    for (int k = 0; loss_names[k]; k++) {
        LossKind v = (LossKind)-1;
        cr_assert_eq(loss_from_name(loss_name((LossKind)k), &v), 0);
        cr_assert_eq((int)v, k);
    }
    for (int k = 0; optim_names[k]; k++) {
        OptKind v = (OptKind)-1;
        cr_assert_eq(optim_from_name(optim_name((OptKind)k), &v), 0);
        cr_assert_eq((int)v, k);
    }
    for (int k = 0; sched_names[k]; k++) {
        SchedKind v = (SchedKind)-1;
        cr_assert_eq(sched_from_name(sched_name((SchedKind)k), &v), 0);
        cr_assert_eq((int)v, k);
    }
    for (int k = 0; model_kind_names[k]; k++) {
        ModelKind v = (ModelKind)-1;
        cr_assert_eq(model_kind_from_name(model_kind_name((ModelKind)k), &v), 0);
        cr_assert_eq((int)v, k);
    }
    for (int k = 0; act_names[k]; k++) {
        Act v = (Act)-1;
        cr_assert_eq(act_from_name(act_name((Act)k), &v), 0);
        cr_assert_eq((int)v, k);
    }
    for (int k = 0; init_names[k]; k++) {
        InitKind v = (InitKind)-1;
        cr_assert_eq(init_from_name(init_name((InitKind)k), &v), 0);
        cr_assert_eq((int)v, k);
    }
    for (int k = 0; scale_names[k]; k++) {
        ScaleKind v = (ScaleKind)-1;
        cr_assert_eq(scale_from_name(scale_name((ScaleKind)k), &v), 0);
        cr_assert_eq((int)v, k);
    }
    LossKind l = LOSS_MAE;
    cr_assert_eq(loss_from_name("adam", &l), -1);
    cr_assert_eq(l, LOSS_MAE, "an unknown name leaves the output alone");
    cr_assert_str_eq(loss_name((LossKind)99), "?");
    cr_assert_str_eq(optim_name((OptKind)-1), "?");
}

Test(names, the_commands_take_the_core_tables)
{
    cr_assert_eq(command_find("loss")->words, loss_names);
    cr_assert_eq(command_find("optim")->words, optim_names);
    cr_assert_eq(command_find("schedule")->words, sched_names);
    cr_assert_eq(command_find("model")->words, model_kind_names);
    cr_assert_eq(command_find("init")->words, init_names);
    cr_assert_eq(command_find("scale")->words, scale_names);
}

/* Every option an optimizer takes is an option of the `optim` row, and every numeric or yes/no option of the
 * row belongs to some optimizer (schedule= is the row's own). */
Test(names, optimizer_options_and_the_optim_row_agree)
{
    const Command *c = command_find("optim");
    for (const char *const *o = optim_all_options(); *o; o++) {
        bool found = false;
        for (const OptSpec *s = c->opts; s->key; s++)
            found = found || strcmp(s->key, *o) == 0;
        cr_assert(found, "optim row lacks %s", *o);
        cr_assert_eq(c->opts[0].type == OT_NUM, true);
    }
    for (const OptSpec *s = c->opts; s->key; s++) {
        if (strcmp(s->key, "schedule") == 0)
            continue;
        cr_assert_geq(fb_name_index(optim_all_options(), s->key), 0, "%s is no optimizer's option", s->key);
        cr_assert_eq(optim_option_is_bool(s->key), s->type == OT_BOOL, "%s: yes/no in one table only", s->key);
    }
}

Test(names, optim_text_reads_back_through_optim)
{
    for (int k = 0; optim_names[k]; k++) {
        OptCfg cfg;
        optim_defaults(&cfg, (OptKind)k);
        int i = 0;
        for (const char *const *o = optim_options((OptKind)k); *o; o++, i++)
            optim_set(&cfg, *o, optim_option_is_bool(*o) ? 1 : strcmp(*o, "dampening") == 0 ? 0 : 0.125 * (i + 1));
        char text[512], back[512], line[600];
        optim_text(&cfg, 17, text, sizeof text);
        H h;
        h_init(&h);
        snprintf(line, sizeof line, "optim %s", text);
        cr_assert_eq(h_run(&h, line), 0, "%s", line);
        cr_assert_str_eq(optim_text(&h.it.s->setup.opt, 17, back, sizeof back), text);
        cr_assert_eq(h.it.s->setup.opt.lr, 0.125);
        h_free(&h);
    }
    cr_assert_eq(optim_set(&(OptCfg){0}, "nosuch", 1), -1);
}

Test(names, optim_completes_its_own_options)
{
    H h;
    h_init(&h);
    char **v = command_complete(&h.it, "optim adam ", "m");
    cr_assert_null(v, "adam takes no momentum");
    v = command_complete(&h.it, "optim sgd ", "m");
    cr_assert(v && !strcmp(v[0], "momentum=") && !v[1]);
    free(v[0]);
    free(v);
    v = command_complete(&h.it, "optim rmsprop ", "");
    int n = 0;
    for (; v && v[n]; n++)
        free(v[n]);
    free(v);
    cr_assert_eq(n, 7, "rmsprop's six options and schedule=");
    h_free(&h);
}

/* W_l[i,j] and b_l[i] <-> the flat buffer: every parameter has one name, and the name's index maps back. */
Test(names, every_parameter_has_one_name_and_index)
{
    Model m;
    FbErr e;
    size_t hidden[] = {3};
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_TANH, hidden, 1, 2, 1, &e), 0, "%s", e.msg);
    size_t seen = 0, q;
    char name[96], want[96];
    for (size_t l = 0; l < m.nlayers; l++)
        for (size_t i = 0; i < m.sizes[l + 1]; i++) {
            for (size_t j = 0; j <= m.sizes[l]; j++) { /* j == sizes[l]: the bias */
                bool w = j < m.sizes[l];
                cr_assert_eq(model_param_index(&m, w, l, i, j, &q), 0);
                model_param_name(&m, q, name, sizeof name);
                if (w)
                    snprintf(want, sizeof want, "W%zu[%zu,%zu]", l + 1, i, j);
                else
                    snprintf(want, sizeof want, "b%zu[%zu]", l + 1, i);
                cr_assert_str_eq(name, want);
                seen++;
            }
        }
    cr_assert_eq(seen, m.nparams, "every parameter named once");
    cr_assert_eq(model_param_index(&m, true, 0, 3, 0, &q), -1, "row past the shape");
    cr_assert_eq(model_param_index(&m, true, 0, 0, 2, &q), -1, "column past the shape");
    cr_assert_eq(model_param_index(&m, false, 2, 0, 0, &q), -1, "no third layer");
    model_param_name(&m, m.nparams, name, sizeof name);
    cr_assert_str_eq(name, "p13");
    model_free(&m);
}

/* Every option a schedule takes is an option of the `schedule` row (with the same yes/no-ness and words), and
 * every option of the row belongs to some schedule: sched.c's table is the one answer. */
Test(names, schedule_options_and_the_schedule_row_agree)
{
    const Command *c = command_find("schedule");
    for (const char *const *o = sched_all_options(); *o; o++) {
        const OptSpec *sp = NULL;
        for (const OptSpec *s = c->opts; s->key; s++)
            if (strcmp(s->key, *o) == 0)
                sp = s;
        cr_assert(sp, "schedule row lacks %s", *o);
        cr_assert_eq(sched_option_is_bool(*o), sp->type == OT_BOOL, "%s: yes/no in one table only", *o);
        const char *const *w = sched_option_words(*o);
        cr_assert_eq(w != NULL, sp->type == OT_ENUM, "%s: a word option in both tables", *o);
        for (int i = 0; w && (w[i] || sp->choices[i]); i++)
            cr_assert(w[i] && sp->choices[i] && !strcmp(w[i], sp->choices[i]), "%s: the same words", *o);
    }
    for (const OptSpec *s = c->opts; s->key; s++) {
        bool someone = false;
        for (int k = 0; sched_names[k]; k++)
            someone = someone || sched_takes((SchedKind)k, s->key);
        cr_assert(someone, "%s is no schedule's option", s->key);
    }
}

/* The schedule command takes exactly its kind's options, and show config prints them in a line that the
 * schedule command takes back to the same settings. */
Test(names, sched_text_reads_back_through_schedule)
{
    for (int k = 0; sched_names[k]; k++) {
        H h;
        h_init(&h);
        for (const char *const *o = sched_all_options(); *o; o++) {
            char line[160];
            const OptSpec *sp = command_find("schedule")->opts;
            while (strcmp(sp->key, *o))
                sp++;
            snprintf(line, sizeof line, "schedule %s %s=%s", sched_names[k], *o,
                     sched_option_words(*o)  ? sched_option_words(*o)[1]
                     : sched_option_is_bool(*o) ? "yes"
                     : sp->type == OT_NUM    ? "0.5"
                                             : "1");
            int rc = h_run(&h, line);
            if (sched_takes((SchedKind)k, *o))
                cr_assert(rc == 0 || !strstr(h_err(&h), "does not apply"), "%s: %s", line, h_err(&h));
            else
                cr_assert(rc != 0 && strstr(h_err(&h), "does not apply"), "%s should be refused", line);
            h_clear(&h);
        }
        SchedCfg want;
        sched_defaults(&want, (SchedKind)k);
        if (k == SCHED_MULTISTEP)
            want.milestones[0] = 3, want.milestones[1] = 7, want.nmilestones = 2;
        if (k == SCHED_ONECYCLE)
            want.max_lr = 0.5, want.anneal_linear = true, want.cycle_momentum = false;
        if (k == SCHED_PLATEAU)
            want.mode_max = true, want.threshold_abs = true, want.patience = 4;
        char text[512], line[600];
        sched_text(&want, 17, text, sizeof text);
        snprintf(line, sizeof line, "schedule %s; show config", text);
        cr_assert_eq(h_run(&h, line), 0, "%s: %s", line, h_err(&h));
        cr_assert_eq(memcmp(&want, &h.s.setup.sched, sizeof want), 0, "%s changed the settings", line);
        char shown[600];
        snprintf(shown, sizeof shown, "\nschedule  %s\n", sched_text(&want, 6, text, sizeof text));
        cr_assert(strstr(h_out(&h), shown), "%s\n%s", shown, h_out(&h));
        h_free(&h);
    }
    char text[512];
    SchedCfg st;
    sched_defaults(&st, SCHED_STEP);
    cr_assert_str_eq(sched_text(&st, 6, text, sizeof text), "step step_size=10 gamma=0.1");
    sched_defaults(&st, SCHED_CONSTANT);
    cr_assert_str_eq(sched_text(&st, 6, text, sizeof text), "constant");
    cr_assert_eq(sched_set(&st, "milestones", 1), -1);
    cr_assert_eq(sched_set(&st, "nosuch", 1), -1);
}

Test(names, schedule_completes_its_own_options)
{
    H h;
    h_init(&h);
    char **v = command_complete(&h.it, "schedule step ", "");
    int n = 0;
    for (; v && v[n]; n++) {
        cr_assert(!strcmp(v[n], "step_size=") || !strcmp(v[n], "gamma="), "%s", v[n]);
        free(v[n]);
    }
    free(v);
    cr_assert_eq(n, 2);
    cr_assert_null(command_complete(&h.it, "schedule cosine ", "g"), "cosine takes no gamma");
    h_free(&h);
}
