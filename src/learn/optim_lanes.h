/* optim_lanes.h — optim.c's update kernels over SIMD lanes, written once and included for each width.
 *
 * Not a module header: optim.c includes it once per instruction set, after
 * defining L_FN (the target attribute), L_NAME(x) (the kernel's name), L_W
 * (doubles per vector), VD (the vector type), L_SET1, L_LOAD, L_STORE,
 * L_ADD, L_MUL, L_DIV, L_SQRT and L_MAXNAN(a, b, nan) (`a > b ? a : b`,
 * NaN if either is).  Each kernel updates [lo, hi) L_W elements at a time
 * with the scalar loops' expressions in their order and returns where it
 * stopped; the scalar loop finishes. */

L_FN static size_t L_NAME(sgd)(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t lo, size_t hi)
{
    const double wd = c->weight_decay, mom = c->momentum, damp = c->dampening;
    const bool first = !st->has_buf, nest = c->nesterov;
    const VD vwd = L_SET1(wd), vmom = L_SET1(mom), vdamp = L_SET1(1.0 - damp);
    const VD vnlr = L_SET1(-lr);
    size_t i = lo;
    for (; i + L_W <= hi; i += L_W) {
        VD pi = L_LOAD(p + i), d = L_LOAD(g + i);
        if (wd != 0.0) d = L_ADD(d, L_MUL(vwd, pi));
        if (mom != 0.0) {
            VD b = first ? d
                              : L_ADD(L_MUL(L_LOAD(st->m + i), vmom), L_MUL(vdamp, d));
            L_STORE(st->m + i, b);
            d = nest ? L_ADD(d, L_MUL(vmom, b)) : b;
        }
        L_STORE(p + i, L_ADD(pi, L_MUL(vnlr, d)));
    }
    return i;
}

L_FN static size_t L_NAME(adam)(const OptCfg *c, const AdamK *k, OptState *st, double *p, const double *g, size_t lo, size_t hi,
                              bool decoupled)
{
    const VD b1 = L_SET1(k->b1), b2 = L_SET1(k->b2), wd = L_SET1(k->wd);
    const VD c1 = L_SET1(1.0 - k->b1), c2 = L_SET1(1.0 - k->b2);
    const VD eps = L_SET1(k->eps), nss = L_SET1(-k->step_size);
    const VD bc2s = L_SET1(k->bc2_sqrt), decay = L_SET1(k->decay);
    const VD nan = L_SET1(NAN);
    const bool ams = c->amsgrad, l2 = !decoupled && k->wd != 0.0;
    size_t i = lo;
    for (; i + L_W <= hi; i += L_W) {
        VD gi = L_LOAD(g + i), pi = L_LOAD(p + i);
        if (decoupled) pi = L_MUL(pi, decay);
        else if (l2) gi = L_ADD(gi, L_MUL(wd, pi));
        VD m = L_ADD(L_MUL(L_LOAD(st->m + i), b1), L_MUL(c1, gi));
        VD v = L_ADD(L_MUL(L_LOAD(st->v + i), b2),
                                  L_MUL(L_MUL(c2, gi), gi));
        L_STORE(st->m + i, m);
        L_STORE(st->v + i, v);
        VD s = v;
        if (ams) {
            /* max as `a > b ? a : b` (vmaxpd returns its second operand on ties), NaN if either is */
            VD a = L_LOAD(st->vmax + i);
            s = L_MAXNAN(a, v, nan);
            L_STORE(st->vmax + i, s);
        }
        VD denom = L_ADD(L_DIV(L_SQRT(s), bc2s), eps);
        L_STORE(p + i, L_ADD(pi, L_DIV(L_MUL(nss, m), denom)));
    }
    return i;
}

L_FN static size_t L_NAME(rmsprop)(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t lo, size_t hi)
{
    const bool centered = c->centered, l2 = c->weight_decay != 0.0, mom = c->momentum > 0.0;
    const VD alpha = L_SET1(c->alpha), ca = L_SET1(1.0 - c->alpha);
    const VD wd = L_SET1(c->weight_decay), eps = L_SET1(c->eps);
    const VD vmom = L_SET1(c->momentum), nlr = L_SET1(-lr);
    const VD one = L_SET1(1.0), mone = L_SET1(-1.0);
    size_t i = lo;
    for (; i + L_W <= hi; i += L_W) {
        VD gi = L_LOAD(g + i), pi = L_LOAD(p + i);
        if (l2) gi = L_ADD(gi, L_MUL(wd, pi));
        VD v = L_ADD(L_MUL(L_LOAD(st->v + i), alpha),
                                  L_MUL(L_MUL(ca, gi), gi));
        L_STORE(st->v + i, v);
        VD avg;
        if (centered) {
            VD ga = L_ADD(L_MUL(L_LOAD(st->g + i), alpha), L_MUL(ca, gi));
            L_STORE(st->g + i, ga);
            avg = L_SQRT(L_ADD(v, L_MUL(L_MUL(mone, ga), ga)));
        } else {
            avg = L_SQRT(v);
        }
        avg = L_ADD(avg, eps);
        if (mom) {
            VD m = L_ADD(L_MUL(L_LOAD(st->m + i), vmom),
                                      L_DIV(L_MUL(one, gi), avg));
            L_STORE(st->m + i, m);
            L_STORE(p + i, L_ADD(pi, L_MUL(nlr, m)));
        } else {
            L_STORE(p + i, L_ADD(pi, L_DIV(L_MUL(nlr, gi), avg)));
        }
    }
    return i;
}

L_FN static size_t L_NAME(adagrad)(const OptCfg *c, double clr, OptState *st, double *p, const double *g, size_t lo, size_t hi)
{
    const bool l2 = c->weight_decay != 0.0;
    const VD wd = L_SET1(c->weight_decay), eps = L_SET1(c->eps);
    const VD nclr = L_SET1(-clr), one = L_SET1(1.0);
    size_t i = lo;
    for (; i + L_W <= hi; i += L_W) {
        VD gi = L_LOAD(g + i), pi = L_LOAD(p + i);
        if (l2) gi = L_ADD(gi, L_MUL(wd, pi));
        VD v = L_ADD(L_LOAD(st->v + i), L_MUL(L_MUL(one, gi), gi));
        L_STORE(st->v + i, v);
        VD sd = L_ADD(L_SQRT(v), eps);
        L_STORE(p + i, L_ADD(pi, L_DIV(L_MUL(nclr, gi), sd)));
    }
    return i;
}
