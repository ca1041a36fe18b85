/* npy.h — NumPy .npy files of float64 arrays (format versions 1.0 to 3.0). */
#ifndef FITBENCH_NPY_H
#define FITBENCH_NPY_H

#include <stddef.h>

#include "fitbench/err.h"

/* Write a C-ordered little-endian float64 array of `ndim` (1 or 2; 0 is also
 * accepted: a scalar, one element) dims shape[0..ndim) atomically to path, in
 * format 1.0 ('<f8').  The file is byte-for-byte what numpy.save writes for
 * the same array (header dict order, spacing, padding to 64 bytes).  Fails
 * as atomic_open/atomic_commit do, or when ndim > 2 or the size overflows. */
int npy_write(const char *path, const double *data, size_t ndim, const size_t *shape, FbErr *err);

/* Read a float64 array: dtype '<f8' (or '>f8', byte-swapped), fortran_order
 * False or True (transposed to C order), 0 to 2 dims.  *data is malloc'ed
 * (caller frees), *ndim and shape[0..2) are filled (a 0-d array is ndim 0,
 * one element); entries of shape past ndim are set to 1.  Fails with a clear
 * message naming path on: not an npy file, unsupported version, other dtypes
 * ("W.npy has dtype '<f4', fitbench needs float64 '<f8'"), more than 2 dims,
 * a truncated file ("W.npy is truncated: expected 800 bytes of data, found
 * 120"), a malformed header, sizes that overflow, out of memory.  On failure
 * *data is NULL.  Bytes after the data are ignored, as numpy does. */
int npy_read(const char *path, double **data, size_t *ndim, size_t shape[2], FbErr *err);

/* The shape as NumPy prints it, written into buf (cut short to cap): "()"
 * for a 0-d array, "(3,)" for 1-d, "(2, 3)" for 2-d.  Returns buf. */
const char *npy_shape_text(char *buf, size_t cap, const size_t *shape, size_t ndim);

#endif
