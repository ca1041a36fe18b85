#!/usr/bin/python3
"""Make the .npy fixtures for tests/test_io.c (suite "npy") with numpy.

Run with Debian's python3 (numpy installed there), from the repository root:
    /usr/bin/python3 tools/make_npy_fixtures.py
Writes tests/fixtures/npy/*.npy.  The C tests recompute the expected values
from the formulas below, so no numbers are copied by hand:
    a1(n)[i]     = (i + 1) / 8 - 2            (exact in binary)
    a2(r, c)[i,j] = 10 * i + j + 0.5
Files:
    f64_1d.npy          a1(5), '<f8'
    f64_2d_c.npy        a2(2, 3), C order
    f64_2d_fortran.npy  a2(3, 4) stored with fortran_order=True
    f64_be.npy          a2(2, 3) as big-endian '>f8'
    f64_0d.npy          np.array(3.5), shape ()
    f64_special.npy     [-0.0, inf, -inf, nan, 5e-324, max, min normal]
    f64_v2.npy          a2(2, 3) in format version 2.0
    f64_v3.npy          a1(4) in format version 3.0
    f64_hand.npy        a2(2, 3) with a hand-written header numpy also accepts:
                        other key order, double quotes, odd spaces, trailing comma
    f32.npy             a1(3) as '<f4'        (fitbench rejects)
    i64.npy             np.arange(3) as '<i8' (rejected)
    f64_3d.npy          zeros (2, 3, 4)       (rejected)
    truncated.npy       a1(100) cut to 120 bytes of data
    ref_*.npy           np.save output our writer must reproduce byte for byte:
                        ref_1d a1(3), ref_2d a2(2, 3), ref_0d 3.5,
                        ref_empty shape (0,), ref_empty2d shape (0, 7),
                        ref_1000 a1(1000), ref_special the special values
"""
import os
import struct
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "npy")


def a1(n):
    return (np.arange(n, dtype=np.float64) + 1) / 8 - 2


def a2(r, c):
    i, j = np.meshgrid(np.arange(r), np.arange(c), indexing="ij")
    return (10 * i + j + 0.5).astype(np.float64)


SPECIAL = np.array([-0.0, np.inf, -np.inf, np.nan, 5e-324, np.finfo(np.float64).max,
                    np.finfo(np.float64).tiny], dtype=np.float64)


def path(name):
    return os.path.join(OUT, name)


def save(name, arr):
    np.save(path(name), arr, allow_pickle=False)


def save_version(name, arr, version):
    with open(path(name), "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


def save_hand(name, header, arr):
    """Format 1.0 with a header text of our choosing (padded like numpy)."""
    hb = header.encode("latin1")
    hlen = len(hb) + 1
    pad = 64 - (10 + hlen) % 64
    with open(path(name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", hlen + pad) + hb + b" " * pad + b"\n")
        f.write(arr.astype("<f8").tobytes(order="C"))


def main():
    os.makedirs(OUT, exist_ok=True)
    save("f64_1d.npy", a1(5))
    save("f64_2d_c.npy", a2(2, 3))
    fort = np.asfortranarray(a2(3, 4))
    assert fort.flags.f_contiguous and not fort.flags.c_contiguous
    save("f64_2d_fortran.npy", fort)
    save("f64_be.npy", a2(2, 3).astype(">f8"))
    save("f64_0d.npy", np.array(3.5))
    save("f64_special.npy", SPECIAL)
    save_version("f64_v2.npy", a2(2, 3), (2, 0))
    save_version("f64_v3.npy", a1(4), (3, 0))
    save_hand("f64_hand.npy", "{ \"shape\" :( 2 ,3 ,) ,'fortran_order':False,  'descr' : \"<f8\" , }", a2(2, 3))
    save("f32.npy", a1(3).astype("<f4"))
    save("i64.npy", np.arange(3, dtype="<i8"))
    save("f64_3d.npy", np.zeros((2, 3, 4)))
    save("truncated.npy", a1(100))
    with open(path("truncated.npy"), "rb") as f:
        whole = f.read()
    with open(path("truncated.npy"), "wb") as f:
        f.write(whole[:128 + 120])  # header is 128 bytes, keep 120 of 800 data bytes

    save("ref_1d.npy", a1(3))
    save("ref_2d.npy", a2(2, 3))
    save("ref_0d.npy", np.array(3.5))
    save("ref_empty.npy", np.zeros((0,)))
    save("ref_empty2d.npy", np.zeros((0, 7)))
    save("ref_1000.npy", a1(1000))
    save("ref_special.npy", SPECIAL)

    # Check the fixtures say what this script claims, as numpy reads them.
    def load(name):
        return np.load(path(name), allow_pickle=False)
    assert np.array_equal(load("f64_hand.npy"), a2(2, 3))
    assert np.array_equal(load("f64_2d_fortran.npy"), a2(3, 4))
    assert load("f64_be.npy").dtype.str == ">f8"
    for name in ("f64_v2.npy", "f64_v3.npy"):
        with open(path(name), "rb") as f:
            assert f.read(8)[6:] in (b"\x02\x00", b"\x03\x00"), name
    try:
        load("truncated.npy")
        sys.exit("truncated.npy loads")
    except ValueError:
        pass
    print("wrote", len(os.listdir(OUT)), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
