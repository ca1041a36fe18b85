/* rng.h — a small, seedable, platform-independent random generator (xoshiro256**). */
#ifndef FITBENCH_RNG_H
#define FITBENCH_RNG_H

#include <stddef.h>
#include <stdint.h>

/* The whole state is four words, so copying the struct forks the stream
 * (compare and lrfind rely on that).  Same seed, same numbers, everywhere. */
typedef struct Rng {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_u64(Rng *r);
double rng_uniform(Rng *r);                 /* in [0, 1), 53 random bits */
double rng_normal(Rng *r);                  /* standard normal (Box-Muller, no caching) */
uint64_t rng_below(Rng *r, uint64_t n);     /* uniform in [0, n), unbiased; n > 0 */
void rng_shuffle(Rng *r, size_t *idx, size_t n); /* Fisher-Yates */

#endif
