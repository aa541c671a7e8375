#!/usr/bin/env python3
"""Writes test/fixtures/reference/scipy-qmc.json: SciPy's Sobol' points, its linear matrix scrambling and
its centered L2 discrepancy, which test/samplers/sobol.test.ts and qmc.test.ts check Tansaku against (the
tests never run Python).

Run with Debian's python3-scipy (1.10): /usr/bin/python3 scripts/make-sobol-reference.py (from library/).
The scrambling entries call SciPy's private `_cscramble` and read `Sobol._sv`, the internals that
`scramble=True` uses, so that the arithmetic is compared and not only its statistics.
"""
import json
import sys
from pathlib import Path

import numpy as np
import scipy
from scipy.stats import qmc
from scipy.stats._sobol import _cscramble

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "reference" / "scipy-qmc.json"
BITS = 30


def unscrambled(d):
    return qmc.Sobol(d, scramble=False)


def first_64(d):
    """Point i of the first 64, each coordinate as k with the point at k/64 (exact)."""
    points = unscrambled(d).random(64) * 64
    assert np.all(points == np.round(points))
    return points.astype(int).tolist()


def point_at(d, index):
    s = unscrambled(d)
    s.fast_forward(index)
    return s.random(1)[0].tolist()


def lms_fixture():
    rng = np.random.default_rng(20240601)
    d = 3
    ltm = np.tril(rng.integers(0, 2, size=(d, BITS, BITS), dtype=np.uint32))
    for k in range(d):
        np.fill_diagonal(ltm[k], 1)
    rows = [[int(sum(int(bit) << (BITS - 1 - j) for j, bit in enumerate(row))) for row in ltm[k]] for k in range(d)]
    s = unscrambled(d)
    sv = s._sv.copy()
    _cscramble(d, BITS, ltm, sv)
    return {"matrixRows": rows, "scrambledDirectionNumbers": sv.astype(int).tolist()}


def main():
    large = {
        "1": {str(i): point_at(1, i) for i in (1000, 1048579)},
        # fast_forward to 2^30 - 1 takes seconds per dimension: d = 2 only
        "2": {str(i): point_at(2, i) for i in (1000, 1048579, 536883257, 1073741823)},
        "5": {str(i): point_at(5, i) for i in (1000, 1048579)},
        "40": {str(i): point_at(40, i) for i in (1000, 1048579)},
    }
    cd_3d = np.random.default_rng(7).random((10, 3))
    cd_1d = np.random.default_rng(8).random((7, 1))
    fixture = {
        "_source": f"SciPy {scipy.__version__} (scipy.stats.qmc), {BITS}-bit Sobol'; made by library/scripts/make-sobol-reference.py",
        "first64": {str(d): first_64(d) for d in (1, 2, 5, 40)},
        "largeIndexPoints": large,
        "d1111Point12345Tail": point_at(1111, 12345)[1100:],
        "lms": lms_fixture(),
        "discrepancy": {
            "points3d": cd_3d.tolist(),
            "value3d": float(qmc.discrepancy(cd_3d, method="CD")),
            "points1d": cd_1d.tolist(),
            "value1d": float(qmc.discrepancy(cd_1d, method="CD")),
            "unscrambledSobol256In2d": float(qmc.discrepancy(unscrambled(2).random(256), method="CD")),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} with SciPy {scipy.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
