"""Reference values for library/test/samplers/tpe-truncnorm.test.ts, from Python's math module and Optuna 3.1 (Debian's
python3-optuna; run by hand with /usr/bin/python3):

    /usr/bin/python3 library/scripts/make-truncnorm-reference.py > library/test/fixtures/truncnorm-reference.json

erf and erfc from Python's math module (the C library's); the normal CDF, its logarithm and the truncated
normal's log-mass, log-density and quantile from Optuna 3.1's samplers/_tpe/_truncnorm.py (the functions
Tansaku's TPE must reproduce, inaccuracies included: its log Phi between 1 and 6 is log(Phi), which keeps
only ~8 digits of a value near 0, as SciPy's log_ndtr would not).
"""
import json
import math

import numpy as np
from optuna.samplers._tpe import _truncnorm as tn

xs = sorted(set([0.0, 1e-300, 1e-20, 1e-9, 3.7e-9, 0.1, 0.25, 0.3, 0.5, 0.84375, 0.9, 1.0, 1.2, 1.25, 1.5, 2.0, 2.857, 2.8572,
                 3.0, 4.5, 5.9, 6.0, 6.5, 10.0, 20.0, 27.0, 27.9, 30.0]))
xs = sorted(set(xs + [-x for x in xs]))
special = [{"x": x, "erf": math.erf(x), "erfc": math.erfc(x), "ndtr": tn._ndtr_single(x)} for x in xs]
log_ndtr = [{"x": x, "value": tn._log_ndtr_single(x)} for x in [-100.0, -40.0, -25.0, -20.5, -19.9, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 5.9, 6.1, 8.0, 12.0, 30.0]]

rng = np.random.RandomState(7)
intervals = [(-1.0, 1.0), (-5.0, -4.0), (4.0, 5.0), (-30.0, -29.5), (29.0, 31.0), (-0.1, 40.0), (-40.0, 0.2), (0.0, 0.001), (-3.0, 3.0)]
for _ in range(12):
    lo = float(rng.uniform(-8, 8))
    intervals.append((lo, lo + float(rng.uniform(0.01, 6))))
mass = []
for a, b in intervals:
    m = float(tn._log_gauss_mass(np.array([a]), np.array([b]))[0])
    cases = []
    for q in [1e-12, 0.001, 0.1, 0.37, 0.5, 0.9, 0.999999]:
        cases.append({"q": q, "ppf": float(tn.ppf(np.array([q]), a, b)[0])})
    xs_in = [a + (b - a) * t for t in (0.0, 0.1, 0.5, 0.77, 1.0)]
    pdfs = [{"x": x, "logpdf": float(tn.logpdf(np.array([x]), a, b)[0])} for x in xs_in]
    mass.append({"a": a, "b": b, "logMass": m, "ppf": cases, "logpdf": pdfs})

# loc/scale: a kernel of the Parzen estimator (mu, sigma) truncated to [low, high].
kernels = []
for mu, sigma, low, high in [(0.3, 0.2, 0.0, 1.0), (-2.5, 0.01, -3.0, 3.0), (math.log(1e-3), 2.0, math.log(1e-5), math.log(1e-1)), (7.5, 3.0, -0.5, 10.5)]:
    a, b = (low - mu) / sigma, (high - mu) / sigma
    for x in [low, (low + high) / 2, high, mu]:
        kernels.append({"x": x, "a": a, "b": b, "loc": mu, "scale": sigma, "logpdf": float(tn.logpdf(np.array([x]), a, b, loc=mu, scale=sigma)[0])})

print(json.dumps({"special": special, "logNdtr": log_ndtr, "mass": mass, "kernels": kernels}, indent=1))
